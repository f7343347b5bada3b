#include "common/base/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/crypto.h"

namespace bulletin {
namespace {

std::string Digest(absl::string_view token) { return Sha256(token); }

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
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": unknown role \"", parts[0],
                       "\" (expected admin, editor, frontend or partner)"));
    }
    if (parts.size() < 2 || parts.size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": expected ROLE TOKEN [PARTNER_NAME]"));
    }
    if (parts[1].size() < 16) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": token shorter than 16 characters"));
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
    if (!store.tokens_.emplace(Digest(parts[1]), std::move(p)).second) {
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
  auto it = tokens_.find(Digest(absl::StripAsciiWhitespace(v.substr(kBearer.size()))));
  if (it == tokens_.end()) {
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
