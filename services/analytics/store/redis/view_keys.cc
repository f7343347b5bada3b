#include "services/analytics/store/redis/view_keys.h"

#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"

namespace bulletin::analytics {
namespace {

// t's UTC minute as "YYYYMMDDHHMM" (a day is its first 8 characters, an hour its first
// 10). absl::FormatTime is slow for the ~20 keys of every view, and consecutive views
// mostly fall in the same minute: each thread keeps the last one.
const std::string& Stamp(absl::Time t) {
  thread_local int64_t cached_minute = INT64_MIN;
  thread_local std::string cached;
  const int64_t minute = absl::ToUnixSeconds(t) >= 0 ? absl::ToUnixSeconds(t) / 60
                                                     : (absl::ToUnixSeconds(t) - 59) / 60;
  if (minute != cached_minute) {
    cached =
        absl::FormatTime("%Y%m%d%H%M", absl::FromUnixSeconds(minute * 60), absl::UTCTimeZone());
    cached_minute = minute;
  }
  return cached;
}

std::string Day(absl::Time t) { return Stamp(t).substr(0, 8); }
std::string Hour(absl::Time t) { return Stamp(t).substr(0, 10); }
std::string Minute(absl::Time t) { return Stamp(t); }

}  // namespace

ArticleKeys::ArticleKeys(const std::string& article_id)
    : prefix_(keys::ArticlePrefix(article_id)) {}

std::string ArticleKeys::Views() const { return prefix_ + "views"; }
std::string ArticleKeys::Visitors() const { return prefix_ + "visitors"; }
std::string ArticleKeys::Imported() const { return prefix_ + "imported"; }
std::string ArticleKeys::NotCounted() const { return prefix_ + "not_counted"; }
std::string ArticleKeys::DayViews(absl::Time t) const { return prefix_ + "d:" + Day(t); }
std::string ArticleKeys::DayVisitors(absl::Time t) const { return prefix_ + "dv:" + Day(t); }
std::string ArticleKeys::HourViews(absl::Time t) const { return prefix_ + "h:" + Hour(t); }
std::string ArticleKeys::MinuteVisitors(absl::Time t) const { return prefix_ + "mv:" + Minute(t); }
std::string ArticleKeys::DedupState() const { return prefix_ + "dd"; }
std::string ArticleKeys::Seen(const std::string& visitor) const {
  return prefix_ + "seen:" + visitor;
}
std::string ArticleKeys::Request(const std::string& request_id) const {
  return prefix_ + "req:" + request_id;
}

std::string SaltKey(absl::Time t) { return "{bulletin}:analytics:salt:" + Day(t); }

namespace site {
namespace {
constexpr char kPrefix[] = "{bulletin}:analytics:";
std::string Key(const std::string& rest) { return kPrefix + rest; }
}  // namespace

std::string DayViews(absl::Time t) { return Key("site:d:" + Day(t)); }
std::string HourViews(absl::Time t) { return Key("site:h:" + Hour(t)); }
std::string DayVisitors(absl::Time t) { return Key("site:dv:" + Day(t)); }
std::string MinuteVisitors(absl::Time t) { return Key("site:mv:" + Minute(t)); }
std::string TopMinute(absl::Time t) { return Key("top:m:" + Minute(t)); }
std::string TopHour(absl::Time t) { return Key("top:h:" + Hour(t)); }
std::string TopDay(absl::Time t) { return Key("top:d:" + Day(t)); }
std::string TopAll() { return Key("top:all"); }
std::string Trend(TrendScale scale, absl::Time landmark) {
  static const char* kNames[] = {"1h", "24h", "168h"};
  return Key(std::string("trend:") + kNames[static_cast<int>(scale)] + ":" + Day(landmark));
}
std::string Meta(const std::string& article_id) { return Key("meta:" + article_id); }
std::string Published() { return Key("published"); }
std::string SetPrefix() { return Key("in:"); }
std::string Temp(const std::string& token) { return Key("tmp:" + token); }
std::string DedupLayout() { return Key("dedup-layout"); }
std::string Journal() { return Key("journal"); }
std::string JournalTimes() { return Key("journal:times"); }
std::string Journal(int slot) {
  return slot < 0 ? Journal() : "{" + SlotTag(slot) + "}:analytics:journal";
}
std::string JournalTimes(int slot) {
  return slot < 0 ? JournalTimes() : "{" + SlotTag(slot) + "}:analytics:journal:times";
}
std::string Folded() { return Key("folded"); }
std::string FoldedTimes() { return Key("folded:times"); }
}  // namespace site

const std::string& SlotTag(int slot) {
  static const std::vector<std::string>* const kTags = [] {
    auto* tags = new std::vector<std::string>(kClusterSlots);
    int missing = kClusterSlots;
    for (int i = 0; missing > 0; ++i) {
      std::string tag = absl::StrCat("s", i);
      std::string& at = (*tags)[KeySlot(tag)];
      if (at.empty()) {
        at = std::move(tag);
        --missing;
      }
    }
    return tags;
  }();
  return (*kTags)[slot];
}

std::string BatchId(int slot) { return slot < 0 ? NewId() : absl::StrCat(slot, ".", NewId()); }

int SlotOfBatch(const std::string& id) {
  int slot = -1;
  const size_t dot = id.find('.');
  if (dot == std::string::npos || !absl::SimpleAtoi(id.substr(0, dot), &slot) || slot < 0 ||
      slot >= kClusterSlots) {
    return -1;
  }
  return slot;
}

}  // namespace bulletin::analytics
