#include "services/analytics/store/redis/dedup_hash.h"

#include "absl/strings/str_cat.h"

namespace bulletin::analytics {
namespace {

constexpr uint64_t kSecret0 = 0xa0761d6478bd642full;
constexpr uint64_t kSecret1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kSecret2 = 0x8ebc6af09c88c6e3ull;
constexpr uint64_t kSecret3 = 0x589965cc75374cc3ull;

// The 128-bit product of a and b, folded to 64 bits (the mixing step of wyhash).
uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Up to 8 bytes from p, little-endian whatever the machine.
uint64_t Read(const unsigned char* p, size_t n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n; ++i) w |= static_cast<uint64_t>(p[i]) << (8 * i);
  return w;
}

}  // namespace

uint64_t DedupHash(std::string_view id) {
  const auto* p = reinterpret_cast<const unsigned char*>(id.data());
  size_t n = id.size();
  uint64_t h = kSecret0 ^ Mum(n ^ kSecret1, kSecret2);
  while (n > 16) {
    h = Mum(Read(p, 8) ^ kSecret1, Read(p + 8, 8) ^ h);
    p += 16;
    n -= 16;
  }
  const uint64_t a = Read(p, n < 8 ? n : 8);
  const uint64_t b = n > 8 ? Read(p + 8, n - 8) : 0;
  h = Mum(a ^ kSecret1 ^ h, b ^ kSecret3);
  return Mum(h ^ kSecret0, id.size() ^ kSecret2) >> 1;
}

std::string DedupHashString(std::string_view id) { return absl::StrCat(DedupHash(id)); }

}  // namespace bulletin::analytics
