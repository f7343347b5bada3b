#include "services/analytics/view_keys.h"

#include "common/redis/keys.h"

namespace bulletin::analytics {
namespace {

std::string Utc(absl::Time t, const char* format) {
  return absl::FormatTime(format, t, absl::UTCTimeZone());
}

}  // namespace

ArticleKeys::ArticleKeys(const std::string& article_id)
    : prefix_(keys::ArticlePrefix(article_id)) {}

std::string ArticleKeys::Views() const { return prefix_ + "views"; }
std::string ArticleKeys::Visitors() const { return prefix_ + "visitors"; }
std::string ArticleKeys::Imported() const { return prefix_ + "imported"; }
std::string ArticleKeys::NotCounted() const { return prefix_ + "not_counted"; }
std::string ArticleKeys::DayViews(absl::Time t) const { return prefix_ + "d:" + Utc(t, "%Y%m%d"); }
std::string ArticleKeys::DayVisitors(absl::Time t) const {
  return prefix_ + "dv:" + Utc(t, "%Y%m%d");
}
std::string ArticleKeys::HourViews(absl::Time t) const {
  return prefix_ + "h:" + Utc(t, "%Y%m%d%H");
}
std::string ArticleKeys::MinuteVisitors(absl::Time t) const {
  return prefix_ + "mv:" + Utc(t, "%Y%m%d%H%M");
}
std::string ArticleKeys::Seen(const std::string& visitor) const {
  return prefix_ + "seen:" + visitor;
}
std::string ArticleKeys::Request(const std::string& request_id) const {
  return prefix_ + "req:" + request_id;
}

std::string SaltKey(absl::Time t) { return "{bulletin}:analytics:salt:" + Utc(t, "%Y%m%d"); }

absl::Duration HalfLife(TrendScale scale) {
  switch (scale) {
    case TrendScale::k1h:
      return absl::Hours(1);
    case TrendScale::k24h:
      return absl::Hours(24);
    case TrendScale::k168h:
      break;
  }
  return absl::Hours(168);
}

absl::Time TrendLandmark(absl::Time t) {
  absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  int back =
      (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) % 7;
  return absl::FromCivil(day - back, absl::UTCTimeZone());
}

namespace site {
namespace {
constexpr char kPrefix[] = "{bulletin}:analytics:";
std::string Key(const std::string& rest) { return kPrefix + rest; }
}  // namespace

std::string DayViews(absl::Time t) { return Key("site:d:" + Utc(t, "%Y%m%d")); }
std::string HourViews(absl::Time t) { return Key("site:h:" + Utc(t, "%Y%m%d%H")); }
std::string DayVisitors(absl::Time t) { return Key("site:dv:" + Utc(t, "%Y%m%d")); }
std::string MinuteVisitors(absl::Time t) { return Key("site:mv:" + Utc(t, "%Y%m%d%H%M")); }
std::string TopMinute(absl::Time t) { return Key("top:m:" + Utc(t, "%Y%m%d%H%M")); }
std::string TopHour(absl::Time t) { return Key("top:h:" + Utc(t, "%Y%m%d%H")); }
std::string TopDay(absl::Time t) { return Key("top:d:" + Utc(t, "%Y%m%d")); }
std::string TopAll() { return Key("top:all"); }
std::string Trend(TrendScale scale, absl::Time landmark) {
  static const char* kNames[] = {"1h", "24h", "168h"};
  return Key(std::string("trend:") + kNames[static_cast<int>(scale)] + ":" +
             Utc(landmark, "%Y%m%d"));
}
std::string Meta(const std::string& article_id) { return Key("meta:" + article_id); }
std::string Published() { return Key("published"); }
std::string SetPrefix() { return Key("in:"); }
std::string Temp(const std::string& token) { return Key("tmp:" + token); }
}  // namespace site

}  // namespace bulletin::analytics
