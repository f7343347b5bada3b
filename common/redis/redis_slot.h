// Redis Cluster key slots: CRC16 (XMODEM) of a key, or of its hash tag -- the part between
// the first '{' and the next '}' when that part is not empty -- modulo 16384, exactly as
// Redis' own CLUSTER KEYSLOT computes it; and where the keys of a command are, so that the
// cluster client can send it to the node owning its slot. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the checksum Redis uses.
uint16_t Crc16(absl::string_view data);

// The cluster slot of `key`, honouring a non-empty hash tag.
int KeySlot(absl::string_view key);

// The positions in `argv` of the keys of the command, as Redis' key specs place them
// (EVAL/EVALSHA/FCALL numkeys, XREAD/XREADGROUP after STREAMS, MGET/DEL/PFCOUNT all
// arguments, MSET every other, XGROUP/XINFO/OBJECT the third word, ...); empty for a
// command without keys (PING, WAIT, SCRIPT, INFO, ...). Unknown commands: argv[1].
std::vector<size_t> CommandKeyPositions(const std::vector<std::string>& argv);

// The one slot of a command's keys; -1 for a command without keys. INVALID_ARGUMENT
// starting "CROSSSLOT" when its keys span slots (Redis would refuse it in a cluster).
absl::StatusOr<int> CommandSlot(const std::vector<std::string>& argv);

}  // namespace bulletin
