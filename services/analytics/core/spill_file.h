// The spill file: the views buffered while the store is unreachable, appended (and synced)
// before they are answered and rewritten at shutdown, so that the next start replays them
// even after a SIGKILL. One tab-separated line per view, C-escaped text fields, after a
// version line. It may hold client addresses of views whose visitor was not derived yet,
// so it is created with mode 0600 and removed once the buffer is empty. Pure functions.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

// Writes `views` to `path` atomically (temporary file + rename). UNAVAILABLE on an I/O
// error, naming the path.
absl::Status WriteSpillFile(const std::string& path, const std::deque<QueuedView>& views);

// Appends `views` to `path` (created, mode 0600, with the version line when absent) and
// syncs it to disk. UNAVAILABLE on an I/O error, naming the path.
absl::Status AppendSpillFile(const std::string& path, const std::vector<QueuedView>& views);

// Reads a spill file; an absent file is an empty list, and a last line cut short (a crash
// while appending; that view was never answered) is ignored. INVALID_ARGUMENT naming
// --spill-file and the line for a malformed file.
absl::StatusOr<std::deque<QueuedView>> ReadSpillFile(const std::string& path);

// Writes `text` to `path` atomically (temporary file + fsync + rename), mode 0600.
// UNAVAILABLE on an I/O error, naming the path.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace bulletin::analytics
