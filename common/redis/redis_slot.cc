#include "common/redis/redis_slot.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"

namespace bulletin {
namespace {

std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[i] = crc;
  }
  return table;
}

// Commands whose every argument after the name is a key.
bool AllArgsAreKeys(const std::string& name) {
  for (const char* c : {"MGET", "DEL", "UNLINK", "EXISTS", "TOUCH", "PFCOUNT", "SUNION", "SINTER",
                        "SDIFF", "WATCH", "PFMERGE", "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"}) {
    if (name == c) return true;
  }
  return false;
}

bool HasNoKeys(const std::string& name) {
  for (const char* c :
       {"PING",     "ECHO",      "INFO",     "TIME",    "WAIT",     "SCRIPT", "CONFIG",
        "CLUSTER",  "FLUSHALL",  "FLUSHDB",  "DBSIZE",  "SELECT",   "AUTH",   "ASKING",
        "READONLY", "MULTI",     "EXEC",     "DISCARD", "CLIENT",   "HELLO",  "KEYS",
        "SCAN",     "RANDOMKEY", "LASTSAVE", "ROLE",    "FUNCTION", "MEMORY", "SLOWLOG",
        "COMMAND",  "BGSAVE",    "SAVE",     "DEBUG",   "SHUTDOWN"}) {
    if (name == c) return true;
  }
  return false;
}

}  // namespace

uint16_t Crc16(absl::string_view data) {
  static const std::array<uint16_t, 256> kTable = MakeCrcTable();
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc = static_cast<uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

int KeySlot(absl::string_view key) {
  size_t open = key.find('{');
  if (open != absl::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != absl::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kClusterSlots - 1);
}

std::vector<size_t> CommandKeyPositions(const std::vector<std::string>& argv) {
  std::vector<size_t> keys;
  if (argv.empty()) return keys;
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  const size_t n = argv.size();
  if (HasNoKeys(name)) return keys;
  if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO" ||
      name == "FCALL" || name == "FCALL_RO") {
    size_t numkeys = 0;
    if (n < 3 || !absl::SimpleAtoi(argv[2], &numkeys)) return keys;
    for (size_t i = 3; i < n && i < 3 + numkeys; ++i) keys.push_back(i);
    return keys;
  }
  if (name == "ZUNIONSTORE" || name == "ZINTERSTORE" || name == "ZDIFFSTORE") {
    size_t numkeys = 0;
    if (n < 3 || !absl::SimpleAtoi(argv[2], &numkeys)) return keys;
    keys.push_back(1);
    for (size_t i = 3; i < n && i < 3 + numkeys; ++i) keys.push_back(i);
    return keys;
  }
  if (name == "XREAD" || name == "XREADGROUP") {
    for (size_t i = 1; i < n; ++i) {
      if (absl::AsciiStrToUpper(argv[i]) != "STREAMS") continue;
      const size_t streams = (n - i - 1) / 2;
      for (size_t k = 0; k < streams; ++k) keys.push_back(i + 1 + k);
      break;
    }
    return keys;
  }
  if (name == "XGROUP" || name == "XINFO" || name == "OBJECT") {
    if (n > 2) keys.push_back(2);
    return keys;
  }
  if (name == "MSET" || name == "MSETNX") {
    for (size_t i = 1; i < n; i += 2) keys.push_back(i);
    return keys;
  }
  if (name == "BLPOP" || name == "BRPOP" || name == "BZPOPMIN" || name == "BZPOPMAX") {
    for (size_t i = 1; i + 1 < n; ++i) keys.push_back(i);
    return keys;
  }
  if (name == "RENAME" || name == "RENAMENX" || name == "SMOVE" || name == "RPOPLPUSH" ||
      name == "LMOVE" || name == "COPY") {
    for (size_t i = 1; i < n && i <= 2; ++i) keys.push_back(i);
    return keys;
  }
  if (AllArgsAreKeys(name)) {
    for (size_t i = 1; i < n; ++i) keys.push_back(i);
    return keys;
  }
  if (n > 1) keys.push_back(1);
  return keys;
}

absl::StatusOr<int> CommandSlot(const std::vector<std::string>& argv) {
  int slot = -1;
  size_t first = 0;
  for (size_t i : CommandKeyPositions(argv)) {
    const int s = KeySlot(argv[i]);
    if (slot < 0) {
      slot = s;
      first = i;
    } else if (s != slot) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CROSSSLOT redis cluster: keys of ", Excerpt(argv[0]), " span slots: \"",
          Excerpt(argv[first]), "\" is in ", slot, ", \"", Excerpt(argv[i]), "\" in ", s));
    }
  }
  return slot;
}

}  // namespace bulletin
