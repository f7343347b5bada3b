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

}  // namespace bulletin::analytics
