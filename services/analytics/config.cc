#include "services/analytics/config.h"

#include "absl/functional/function_ref.h"
#include "common/base/flags.h"
#include "common/base/status_macros.h"

namespace bulletin::analytics {
namespace {

absl::Status Invalid(const char* message) { return absl::InvalidArgumentError(message); }

absl::Status CheckRanges(const Config& c) {
  if (c.count_window > absl::Hours(24)) return Invalid("--count-window: must be at most 24h");
  if (c.buffer_limit < 1) return Invalid("--buffer-limit: must be at least 1");
  if (c.batch_max_views < 1 || c.batch_max_views > 10000) {
    return Invalid("--batch-max-views: must be between 1 and 10000");
  }
  if (c.batch_max_delay < absl::ZeroDuration() || c.batch_max_delay > absl::Milliseconds(100)) {
    return Invalid("--batch-max-delay: must be between 0 and 100ms");
  }
  if (c.batch_workers < 1 || c.batch_workers > 64) {
    return Invalid("--batch-workers: must be between 1 and 64");
  }
  if (c.aggregate_flush_interval < absl::ZeroDuration() ||
      c.aggregate_flush_interval > absl::Minutes(1)) {
    return Invalid("--aggregate-flush-interval: must be between 0 and 1m");
  }
  return absl::OkStatus();
}

// Registers the flags on a FlagSet, lets `parse` fill them, and checks the result.
absl::StatusOr<Config> Parse(absl::FunctionRef<absl::Status(FlagSet&)> parse) {
  Config c;
  c.service.server.listen = "127.0.0.1:50052";
  FlagSet flags("bulletin-analytics", "Counts article views and serves the analytics API.");
  RegisterServiceFlags(flags, &c.service);
  flags.Duration("count-window", &c.count_window,
                 "a visitor's views of one article within this window count once (0: off)");
  flags.String("bot-patterns-file", &c.bot_patterns_file,
               "extra user-agent substrings (one per line, case-insensitive) that mark bots");
  flags.String("exclude-addresses", &c.exclude_addresses,
               "comma-separated addresses and CIDR ranges whose views never count "
               "(e.g. 10.0.0.0/8,192.0.2.7)");
  flags.Int("buffer-limit", &c.buffer_limit,
            "views held in memory while Redis is unreachable; more are UNAVAILABLE");
  flags.String("spill-file", &c.spill_file,
               "where views queued while Redis is down are kept (appended before they are "
               "answered) and replayed from at start, also after a crash (empty: they are only "
               "in memory); <file>.updates, left by versions before the journal, is replayed "
               "once");
  flags.Int("batch-max-views", &c.batch_max_views, "most views per Redis pipeline");
  flags.Duration("batch-max-delay", &c.batch_max_delay,
                 "how long a batch waits for more views (0: send when the previous returned)");
  flags.Int("batch-workers", &c.batch_workers, "Redis batches in flight at once (1-64)");
  flags.Duration("aggregate-flush-interval", &c.aggregate_flush_interval,
                 "how often time buckets, site counters and top lists get the aggregated "
                 "views (0: every batch; at most 1m): they trail by up to this");
  flags.String("consumer-name", &c.consumer_name,
               "this replica's name in the event stream's consumer group (default host-pid)");
  RETURN_IF_ERROR(parse(flags));
  if (flags.help_requested()) {
    c.help = true;
    c.usage = flags.Usage();
    return c;
  }
  RETURN_IF_ERROR(CheckRanges(c));
  std::vector<std::string> bot_patterns;
  if (!c.bot_patterns_file.empty()) {
    ASSIGN_OR_RETURN(bot_patterns, ViewFilter::LoadPatterns(c.bot_patterns_file));
  }
  ASSIGN_OR_RETURN(c.filter, ViewFilter::Create(bot_patterns, c.exclude_addresses));
  RETURN_IF_ERROR(ValidateServiceFlags(c.service));
  return c;
}

}  // namespace

absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  return Parse([&](FlagSet& flags) { return flags.Parse(args, env); });
}

absl::StatusOr<Config> ParseConfig(int argc, char** argv) {
  return Parse([&](FlagSet& flags) { return flags.Parse(argc, argv); });
}

}  // namespace bulletin::analytics
