// The updates spill file: the aggregated time-bucket and top-list updates SiteUpdates
// could not send at shutdown (Redis unreachable), as the script calls that apply them
// (one "call" line with the key and argument counts, then one C-escaped line per key and
// argument, after a version line), written atomically with mode 0600 so that the next
// start replays them. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/analytics/store/redis/site_updates.h"

namespace bulletin::analytics {

// Writes `calls` to `path` atomically. UNAVAILABLE on an I/O error, naming the path.
absl::Status WriteUpdatesFile(const std::string& path, const std::vector<SiteDelta::Call>& calls);

// Reads an updates file; an absent file is an empty list. INVALID_ARGUMENT naming
// --spill-file and the line for a malformed file.
absl::StatusOr<std::vector<SiteDelta::Call>> ReadUpdatesFile(const std::string& path);

}  // namespace bulletin::analytics
