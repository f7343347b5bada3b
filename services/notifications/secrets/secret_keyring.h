// Webhook signing secrets at rest: AES-256-GCM (OpenSSL EVP) under the operator's keys
// (--secrets-key-file). The first key seals, every key opens, and each sealed value names
// the key that sealed it, so keys rotate: add a new key first, re-encrypt, drop the old.
// A value is bound to a context (the subscription id), so it cannot be moved to another
// subscription. Immutable after construction, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::notify {

class SecretKeyring {
 public:
  // A keys file's contents: exactly 32 bytes (one raw key), or text with one key per line
  // as 64 hex digits ('#' starts a comment; blank lines are skipped). InvalidArgument naming
  // `source` and the line otherwise (never quoting key material): no key, a malformed line,
  // the same key twice.
  static absl::StatusOr<SecretKeyring> Parse(absl::string_view contents, absl::string_view source);
  // Parse of the file at `path`; InvalidArgument when it cannot be read.
  static absl::StatusOr<SecretKeyring> Load(const std::string& path);

  // "enc:v1:<key id>:<base64 of nonce | ciphertext | tag>", sealed with the first key.
  std::string Seal(absl::string_view plaintext, absl::string_view context) const;

  // The plaintext of a Seal result made with any key here and the same `context`.
  // FailedPrecondition when it was sealed with a key that is not here (the message names
  // that key id and the ids loaded), DataLoss when it is malformed or fails authentication
  // (altered, or bound to another context).
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  // Whether `stored` is a sealed value (else it is a plaintext secret from before
  // encryption was configured).
  static bool IsSealed(absl::string_view stored);
  // Whether `stored` is sealed with the first key (so re-encryption leaves it alone).
  bool IsCurrent(absl::string_view stored) const;

  // The key ids, the sealing one first (8 hex digits each: a SHA-256 fingerprint, not
  // secret).
  std::vector<std::string> key_ids() const;

 private:
  struct Key {
    std::string id;
    std::string bytes;  // 32
  };
  explicit SecretKeyring(std::vector<Key> keys) : keys_(std::move(keys)) {}
  const Key* Find(absl::string_view id) const;

  std::vector<Key> keys_;  // non-empty; keys_[0] seals
};

}  // namespace bulletin::notify
