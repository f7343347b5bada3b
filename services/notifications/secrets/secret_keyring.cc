#include "services/notifications/secrets/secret_keyring.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/crypto.h"
#include "common/base/text_rules.h"

namespace bulletin::notify {
namespace {

constexpr absl::string_view kPrefix = "enc:v1:";
constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kMaxFileBytes = 64 * 1024;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string KeyId(absl::string_view key) {
  return absl::BytesToHexString(Sha256(absl::StrCat("bulletin-secret-key-id\n", key)).substr(0, 4));
}

bool IsHexKey(absl::string_view line) {
  if (line.size() != 2 * kKeyBytes) return false;
  for (char c : line) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status DataLoss(absl::string_view why) {
  return absl::DataLossError(absl::StrCat("stored signing secret ", why));
}

}  // namespace

absl::StatusOr<SecretKeyring> SecretKeyring::Parse(absl::string_view contents,
                                                   absl::string_view source) {
  std::vector<std::string> raw;
  if (contents.size() == kKeyBytes) {
    raw.emplace_back(contents);  // one raw key (`head -c 32 /dev/urandom > FILE`)
  } else {
    int line_no = 0;
    for (absl::string_view line : absl::StrSplit(contents, '\n')) {
      ++line_no;
      line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
      if (line.empty()) continue;
      if (!IsHexKey(line)) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": line ", line_no,
            ": expected a key of 64 hex digits (32 bytes, e.g. `openssl rand -hex 32`)"));
      }
      raw.push_back(absl::HexStringToBytes(line));
    }
  }
  if (raw.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": no key (one key of 64 hex digits per line, or exactly 32 raw bytes)"));
  }
  std::vector<Key> keys;
  for (std::string& bytes : raw) {
    Key key{KeyId(bytes), std::move(bytes)};
    for (const Key& k : keys) {
      if (k.id == key.id) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": key ", key.id, " is listed twice"));
      }
    }
    keys.push_back(std::move(key));
  }
  return SecretKeyring(std::move(keys));
}

absl::StatusOr<SecretKeyring> SecretKeyring::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--secrets-key-file: cannot read \"", Excerpt(path, 200), "\""));
  }
  std::string contents(kMaxFileBytes + 1, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  contents.resize(static_cast<size_t>(in.gcount()));
  if (contents.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError("--secrets-key-file: larger than 64 KiB");
  }
  return Parse(contents, "--secrets-key-file");
}

const SecretKeyring::Key* SecretKeyring::Find(absl::string_view id) const {
  for (const Key& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

std::vector<std::string> SecretKeyring::key_ids() const {
  std::vector<std::string> ids;
  for (const Key& k : keys_) ids.push_back(k.id);
  return ids;
}

bool SecretKeyring::IsSealed(absl::string_view stored) { return absl::StartsWith(stored, kPrefix); }

bool SecretKeyring::IsCurrent(absl::string_view stored) const {
  return absl::StartsWith(stored, absl::StrCat(kPrefix, keys_[0].id, ":"));
}

std::string SecretKeyring::Seal(absl::string_view plaintext, absl::string_view context) const {
  const Key& key = keys_[0];
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  unsigned char* nonce = reinterpret_cast<unsigned char*>(out.data());
  unsigned char* body = nonce + kNonceBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0, total = 0;
  // Every call below only fails when OpenSSL is broken (or out of memory): an invariant of
  // the host, not something a caller can handle.
  if (RAND_bytes(nonce, kNonceBytes) != 1 || !ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key.bytes), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len, U(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      (total = len, EVP_EncryptFinal_ex(ctx.get(), body + total, &len) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) !=
          1) {
    std::abort();
  }
  return absl::StrCat(kPrefix, key.id, ":", absl::Base64Escape(out));
}

absl::StatusOr<std::string> SecretKeyring::Open(absl::string_view sealed,
                                                absl::string_view context) const {
  if (!IsSealed(sealed)) return DataLoss("is not an encrypted value");
  absl::string_view rest = sealed.substr(kPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) return DataLoss("is malformed");
  const absl::string_view id = rest.substr(0, colon);
  const Key* key = Find(id);
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("the signing secret is encrypted with key ", Excerpt(id, 16),
                     ", which is not in --secrets-key-file (it has ",
                     absl::StrJoin(key_ids(), ", "), "): add that key back to the file"));
  }
  std::string raw;
  const absl::string_view text = rest.substr(colon + 1);
  // Canonical base64 only: decoders ignore some trailing bits, and a changed value must not
  // read as the same.
  if (!absl::Base64Unescape(text, &raw) || raw.size() < kNonceBytes + kTagBytes ||
      absl::Base64Escape(raw) != text) {
    return DataLoss("is malformed");
  }
  const size_t n = raw.size() - kNonceBytes - kTagBytes;
  const unsigned char* nonce = U(raw);
  const unsigned char* body = nonce + kNonceBytes;
  std::string tag = raw.substr(kNonceBytes + n);
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key->bytes), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, body,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
          1) {
    return DataLoss(absl::StrCat("does not decrypt with key ", key->id,
                                 " (altered, or not this subscription's)"));
  }
  return plain;
}

}  // namespace bulletin::notify
