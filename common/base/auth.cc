#include "common/base/auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/crypto.h"
#include "common/base/text_rules.h"

namespace bulletin {
namespace {

std::string Digest(absl::string_view token) { return Sha256(token); }

constexpr absl::string_view kHashedPrefix = "sha256:";

// The SHA-256 a tokens file entry stands for: of the token itself, or the one written as
// sha256:HEX. No error message quotes the entry: it is a secret.
absl::StatusOr<std::string> TokenDigest(absl::string_view entry) {
  // Any case: "SHA256:..." taken as a token in clear would make the digest a password.
  if (absl::StartsWithIgnoreCase(entry, kHashedPrefix)) {
    entry.remove_prefix(kHashedPrefix.size());
    if (entry.size() != 64 ||
        !std::all_of(entry.begin(), entry.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
      return absl::InvalidArgumentError("sha256: must be followed by 64 hex digits");
    }
    return absl::HexStringToBytes(entry);
  }
  if (entry.size() < 16) return absl::InvalidArgumentError("token shorter than 16 characters");
  return Digest(entry);
}

std::optional<Role> ParseRole(absl::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "editor") return Role::kEditor;
  if (s == "frontend") return Role::kFrontend;
  if (s == "partner") return Role::kPartner;
  return std::nullopt;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kEditor:
      return "editor";
    case Role::kFrontend:
      return "frontend";
    case Role::kPartner:
      return "partner";
  }
  return "unknown";
}

absl::StatusOr<TokenStore> TokenStore::Parse(absl::string_view text) {
  TokenStore store;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    std::optional<Role> role = ParseRole(parts[0]);
    if (!role) {
      // Quoted only when it cannot be a token (a line with its fields swapped).
      return absl::InvalidArgumentError(absl::StrCat(
          "tokens file line ", line_no, ": unknown role",
          parts[0].size() < 16 ? absl::StrCat(" \"", Excerpt(parts[0]), "\"") : std::string(),
          " (expected admin, editor, frontend or partner)"));
    }
    if (parts.size() < 2 || parts.size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": expected ROLE TOKEN [PARTNER_NAME]"));
    }
    absl::StatusOr<std::string> digest = TokenDigest(parts[1]);
    if (!digest.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": ", digest.status().message()));
    }
    Principal p{*role, "", absl::StrCat(RoleName(*role), "@line ", line_no)};
    if (*role == Role::kPartner) {
      if (parts.size() != 3) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokens file line ", line_no, ": a partner token needs PARTNER_NAME"));
      }
      p.partner = std::string(parts[2]);
      p.id = absl::StrCat("partner:", p.partner);
    } else if (parts.size() == 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": only partner tokens take a PARTNER_NAME"));
    }
    if (!store.tokens_.emplace(*std::move(digest), std::move(p)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": duplicate token"));
    }
  }
  return store;
}

absl::StatusOr<TokenStore> TokenStore::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("--auth-tokens-file: cannot read \"", path, "\""));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str());
}

absl::StatusOr<Caller> TokenStore::Authenticate(
    std::optional<absl::string_view> authorization) const {
  if (!authorization) return Caller();
  absl::string_view v = absl::StripAsciiWhitespace(*authorization);
  constexpr absl::string_view kBearer = "bearer ";
  if (v.size() <= kBearer.size() || absl::AsciiStrToLower(v.substr(0, kBearer.size())) != kBearer) {
    return absl::UnauthenticatedError("authorization: expected \"Bearer TOKEN\"");
  }
  // The token is never compared: its digest is looked up, so the time taken depends only on
  // the SHA-256 of what the caller sent. The found entry is confirmed in constant time.
  const std::string digest = Digest(absl::StripAsciiWhitespace(v.substr(kBearer.size())));
  auto it = tokens_.find(digest);
  if (it == tokens_.end() || it->first.size() != digest.size() ||
      CRYPTO_memcmp(it->first.data(), digest.data(), digest.size()) != 0) {
    return absl::UnauthenticatedError("authorization: unknown token");
  }
  return Caller(it->second);
}

std::string LimitKey(const Principal& principal) {
  if (!principal.id.empty()) return principal.id;
  if (principal.role == Role::kPartner) return absl::StrCat("partner:", principal.partner);
  return absl::StrCat("role:", RoleName(principal.role));
}

absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles) {
  if (!caller) {
    return absl::UnauthenticatedError(
        "this method needs a token: send \"authorization: Bearer TOKEN\"");
  }
  for (Role r : roles) {
    if (caller->role == r) return absl::OkStatus();
  }
  std::string allowed;
  for (Role r : roles) absl::StrAppend(&allowed, allowed.empty() ? "" : ", ", RoleName(r));
  return absl::PermissionDeniedError(absl::StrCat(
      "role ", RoleName(caller->role), " may not call this method (needs ", allowed, ")"));
}

}  // namespace bulletin
