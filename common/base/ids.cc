#include "common/base/ids.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "absl/strings/escaping.h"

namespace bulletin {
namespace {

std::vector<unsigned char> RandomBytes(size_t n) {
  std::vector<unsigned char> out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    // The CSPRNG failing is a broken machine, not a request error.
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string Hex(const std::vector<unsigned char>& b) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

}  // namespace

std::string NewId() {
  uint64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::vector<unsigned char> b = RandomBytes(16);
  for (int i = 0; i < 6; ++i) {
    b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  }
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));  // variant 10
  std::string h = Hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> b = RandomBytes(bytes);
  return Hex(b);
}

std::string RandomToken(size_t bytes) {
  std::vector<unsigned char> b = RandomBytes(bytes);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

}  // namespace bulletin
