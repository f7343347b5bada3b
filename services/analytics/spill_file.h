// The spill files: views still buffered at shutdown (Redis unreachable), and the
// aggregated time-bucket and top-list updates not sent yet, written so that the next
// start replays them. One tab-separated line per view, C-escaped text fields,
// after a version line. It may hold client addresses of views whose visitor was not
// derived yet, so it is created with mode 0600 and removed once read. Pure functions.
#pragma once

#include <deque>
#include <string>

#include <vector>

#include "absl/status/statusor.h"
#include "services/analytics/site_updates.h"
#include "services/analytics/view_store.h"

namespace bulletin::analytics {

// Writes `views` to `path` atomically (temporary file + rename). UNAVAILABLE on an I/O
// error, naming the path.
absl::Status WriteSpillFile(const std::string& path, const std::deque<QueuedView>& views);

// Reads a spill file; an absent file is an empty list. INVALID_ARGUMENT naming
// --spill-file and the line for a malformed file.
absl::StatusOr<std::deque<QueuedView>> ReadSpillFile(const std::string& path);

// The aggregated updates SiteUpdates could not send at shutdown, as the script calls
// that apply them (one "call" line with the key and argument counts, then one C-escaped
// line per key and argument), written and read like the views above.
absl::Status WriteUpdatesFile(const std::string& path, const std::vector<SiteDelta::Call>& calls);
absl::StatusOr<std::vector<SiteDelta::Call>> ReadUpdatesFile(const std::string& path);

}  // namespace bulletin::analytics
