// A Standard Webhooks verifier written for the tests from the specification
// (https://www.standardwebhooks.com): independent of the service's signing code.
//
// signed content = "<webhook-id>.<webhook-timestamp>.<body>"; key = base64-decode of
// the secret after "whsec_"; signature = base64(HMAC-SHA256(key, content)); the header
// holds space-separated "v1,<signature>" entries, any of which may match; the
// timestamp must be within `tolerance` of now.
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace bulletin::notify::testing {

inline bool VerifyStandardWebhook(const std::string& secret,
                                  const std::map<std::string, std::string>& headers,
                                  const std::string& body,
                                  absl::Duration tolerance = absl::Minutes(5)) {
  auto get = [&](const char* name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  std::string id = get("webhook-id"), ts = get("webhook-timestamp"),
              sigs = get("webhook-signature");
  int64_t t = 0;
  if (id.empty() || !absl::SimpleAtoi(ts, &t) || sigs.empty()) return false;
  if (absl::AbsDuration(absl::FromUnixSeconds(t) - absl::Now()) > tolerance) return false;
  std::string key;
  if (secret.rfind("whsec_", 0) != 0 || !absl::Base64Unescape(secret.substr(6), &key)) return false;
  std::string content = absl::StrCat(id, ".", ts, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &len);
  std::string expected = absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(mac), len));
  for (absl::string_view entry : absl::StrSplit(sigs, ' ', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&entry, "v1,")) continue;
    if (entry.size() == expected.size() &&
        CRYPTO_memcmp(entry.data(), expected.data(), expected.size()) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace bulletin::notify::testing
