#include "services/analytics/store/redis/view_aggregate.h"

#include "services/analytics/store/redis/site_delta.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

int64_t MinuteIndex(absl::Time minute) { return absl::ToUnixSeconds(minute) / 60; }

absl::Time MinuteStart(int64_t index) { return absl::FromUnixSeconds(index * 60); }

void AddMembers(SiteDelta& out, const std::string& key,
                const absl::flat_hash_set<absl::string_view>& visitors, absl::Duration ttl) {
  if (visitors.empty()) return;
  SiteDelta::Members& members = out.MembersOf(key, ttl);
  for (absl::string_view v : visitors) members.emplace(v);
}

}  // namespace

// What one (article, minute) entry costs in script arguments at most: 4 INCRBY and 7
// ZINCRBY (3 trend scales) operations and the EXPIRE of each of their 11 keys.
constexpr size_t kArgsPerEntry = 4 * 3 + 7 * 4 + 11 * 3;

ViewAggregate::Entry& ViewAggregate::EntryOf(const std::string& article_id, absl::Time minute) {
  auto [it, added] = entries_.try_emplace(std::make_pair(article_id, MinuteIndex(minute)));
  if (added) approx_args_ += kArgsPerEntry;
  return it->second;
}

absl::string_view ViewAggregate::Intern(const std::string& visitor) {
  auto found = pool_.find(visitor);
  if (found != pool_.end()) return *found;
  if (pool_.size() >= max_members_) {
    ++dropped_;
    return {};
  }
  return *pool_.insert(visitor).first;
}

void ViewAggregate::AddHere(Entry& entry, absl::Time minute, const std::string& visitor) {
  absl::string_view v = Intern(visitor);
  if (v.empty()) return;
  approx_args_ += entry.here.insert(v).second;
  approx_args_ += site_here_[MinuteIndex(minute)].insert(v).second;
}

void ViewAggregate::AddVisitor(Entry& entry, absl::Time minute, const std::string& visitor) {
  absl::string_view v = Intern(visitor);
  if (v.empty()) return;
  approx_args_ += entry.visitors.insert(v).second;
  approx_args_ += site_visitors_[MinuteIndex(minute) / (24 * 60)].insert(v).second;
}

SiteDelta ViewAggregate::ToDelta() const {
  SiteDelta out;
  const std::string top_all = site::TopAll();
  for (const auto& [key, e] : entries_) {
    const std::string& id = key.first;
    const absl::Time t = MinuteStart(key.second);
    const ArticleKeys article(id);
    AddMembers(out, article.MinuteVisitors(t), e.here, kMinuteRetention);
    AddMembers(out, article.DayVisitors(t), e.visitors, kDailyRetention);
    if (e.counted == 0) continue;
    out.Incr(article.DayViews(t), e.counted, kDailyRetention);
    out.Incr(article.HourViews(t), e.counted, kHourlyRetention);
    out.Incr(site::DayViews(t), e.counted, kDailyRetention);
    out.Incr(site::HourViews(t), e.counted, kHourlyRetention);
    out.ZIncr(site::TopMinute(t), id, e.counted, kTopMinuteRetention);
    out.ZIncr(site::TopHour(t), id, e.counted, kHourlyRetention);
    out.ZIncr(site::TopDay(t), id, e.counted, kTopDailyRetention);
    out.ZIncr(top_all, id, e.counted, absl::ZeroDuration());
    const absl::Time landmark = TrendLandmark(t);
    for (int s = 0; s < kTrendScaleCount; ++s) {
      out.ZIncr(site::Trend(kTrendScales[s], landmark), id, e.trend[s], kTrendRetention);
    }
  }
  for (const auto& [minute, visitors] : site_here_) {
    AddMembers(out, site::MinuteVisitors(MinuteStart(minute)), visitors, kMinuteRetention);
  }
  for (const auto& [day, visitors] : site_visitors_) {
    AddMembers(out, site::DayVisitors(MinuteStart(day * 24 * 60)), visitors, kDailyRetention);
  }
  return out;
}

}  // namespace bulletin::analytics
