// The spill file: views still buffered at shutdown (store unreachable), written so that
// the next start replays them. One tab-separated line per view, C-escaped text fields,
// after a version line. It may hold client addresses of views whose visitor was not
// derived yet, so it is created with mode 0600 and removed once read. Pure functions.
#pragma once

#include <deque>
#include <string>

#include "absl/status/statusor.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

// Writes `views` to `path` atomically (temporary file + rename). UNAVAILABLE on an I/O
// error, naming the path.
absl::Status WriteSpillFile(const std::string& path, const std::deque<QueuedView>& views);

// Reads a spill file; an absent file is an empty list. INVALID_ARGUMENT naming
// --spill-file and the line for a malformed file.
absl::StatusOr<std::deque<QueuedView>> ReadSpillFile(const std::string& path);

// Writes `text` to `path` atomically (temporary file + fsync + rename), mode 0600.
// UNAVAILABLE on an I/O error, naming the path.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace bulletin::analytics
