// The configuration of bulletin-analytics: its flags (with BULLETIN_* environment
// equivalents) read once into a validated Config. Every bad value is an InvalidArgument
// naming the flag, reported before anything starts. Not thread-safe: parse once, in main.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service/service_flags.h"
#include "services/analytics/core/view_filter.h"

namespace bulletin::analytics {

struct Config {
  ServiceFlags service;  // --listen, --redis, --auth-tokens-file, --worker-threads, ...
  absl::Duration count_window = absl::Minutes(30);  // 0..24h; 0: off
  std::string bot_patterns_file;
  std::string exclude_addresses;
  int64_t buffer_limit = 100000;  // >= 1
  std::string spill_file;         // views; <spill_file>.updates: an earlier version's updates
  int64_t batch_max_views = 512;  // 1..10000
  absl::Duration batch_max_delay = absl::ZeroDuration();       // 0..100ms
  int64_t batch_workers = 2;                                   // 1..64
  absl::Duration aggregate_flush_interval = absl::Seconds(1);  // 0..1m
  std::string consumer_name;  // in the event stream's consumer group; empty: host-pid

  // Derived: the built-in bot patterns plus --bot-patterns-file, and --exclude-addresses.
  ViewFilter filter;

  bool help = false;  // --help: print `usage` and exit 0; nothing else is set
  std::string usage;
};

// Parses `args` (without the program name) over `env` (BULLETIN_* variables), checks every
// value (ValidateServiceFlags included: --redis parsed, the tokens file loaded) and loads
// the bot patterns file. InvalidArgument naming the flag, e.g. "--batch-workers: must be
// between 1 and 64".
absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env);

// The same over the real command line and environment.
absl::StatusOr<Config> ParseConfig(int argc, char** argv);

}  // namespace bulletin::analytics
