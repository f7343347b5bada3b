// Who is calling: bearer tokens mapped to roles, loaded from the operator's tokens file.
//
// The file has one `ROLE TOKEN [PARTNER_NAME]` per line; blank lines and lines starting
// with '#' are ignored. Roles: admin, editor, frontend, partner (a partner line must
// name the partner). TOKEN is the token itself (at least 16 characters) or, so that the
// file holds no secret, `sha256:HEX`: the SHA-256 of the token in 64 hex digits
// (`printf %s TOKEN | sha256sum`). Only digests are kept in memory. A TokenStore is
// immutable after loading and safe to share.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin {

enum class Role { kAdmin, kEditor, kFrontend, kPartner };

absl::string_view RoleName(Role role);

// An authenticated caller.
struct Principal {
  Role role;
  std::string partner;  // set for kPartner only
  // Who this caller is for per-caller limits, never secret: "partner:NAME" (every token of
  // a partner shares it), otherwise "ROLE@line N" (the token's line in the tokens file).
  // Empty in principals built by hand (tests); LimitKey() then falls back to the role.
  std::string id = {};
};

// The key a per-caller limit counts `principal` under: its id, or "role:ROLE" when empty.
std::string LimitKey(const Principal& principal);

// The caller of one request: nullopt when the request carried no credentials.
using Caller = std::optional<Principal>;

class TokenStore {
 public:
  TokenStore() = default;

  // Parses the file's text. InvalidArgument naming the line (never quoting a token) for an
  // unknown role, a token shorter than 16 characters, a sha256: entry that is not 64 hex
  // digits, a partner line without a name, or a duplicate token (also when one line holds
  // it in clear and another its digest).
  static absl::StatusOr<TokenStore> Parse(absl::string_view text);
  // Reads and parses a file. NotFound if it cannot be read.
  static absl::StatusOr<TokenStore> LoadFile(const std::string& path);

  // Resolves an `authorization` header value ("Bearer TOKEN").
  //   nullopt header            -> OK, anonymous caller (nullopt)
  //   malformed / unknown token -> Unauthenticated
  absl::StatusOr<Caller> Authenticate(std::optional<absl::string_view> authorization) const;

  size_t size() const { return tokens_.size(); }

 private:
  // Keyed by SHA-256 of the token so that lookups do not compare secrets byte by byte.
  std::unordered_map<std::string, Principal> tokens_;
};

// OK when the caller holds one of `roles`; Unauthenticated when anonymous;
// PermissionDenied otherwise.
absl::Status RequireRole(const Caller& caller, std::initializer_list<Role> roles);

}  // namespace bulletin
