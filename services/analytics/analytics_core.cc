#include "services/analytics/analytics_core.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "services/analytics/view_validation.h"

namespace bulletin::analytics {
namespace {

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  // 128 bits are plenty to tell visitors apart and keep the keys short.
  for (unsigned int i = 0; i < len && i < 16; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

AnalyticsCore::AnalyticsCore(ViewStore& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {}

absl::Status AnalyticsCore::AuthorizeRecord(const Caller& caller) const {
  return RequireRole(caller, {Role::kFrontend, Role::kEditor, Role::kAdmin});
}

absl::StatusOr<std::string> AnalyticsCore::VisitorOf(const View& view, absl::Time time) {
  if (!view.visitor_id.empty()) return "v:" + view.visitor_id;
  absl::StatusOr<std::string> salt = store_.DailySalt(time);
  if (!salt.ok()) return salt.status();
  return "h:" + HmacSha256Hex(*salt, CanonicalIp(view.client_ip) + "\n" + view.user_agent);
}

absl::StatusOr<RecordResult> AnalyticsCore::RecordView(const Caller& caller, const View& view) {
  if (absl::Status s = AuthorizeRecord(caller); !s.ok()) return s;
  const absl::Time now = clock_();
  if (absl::Status s = ValidateView(view, now, ""); !s.ok()) return s;
  ResolvedView resolved{view.article_id, "", view.request_id, view.view_time.value_or(now)};
  absl::StatusOr<std::string> visitor = VisitorOf(view, resolved.time);
  if (!visitor.ok()) return visitor.status();
  resolved.visitor = std::move(*visitor);
  absl::StatusOr<std::vector<RecordResult>> results = store_.Record({resolved}, now);
  if (!results.ok()) return results.status();
  return std::move(results->front());
}

absl::StatusOr<BatchResult> AnalyticsCore::RecordViews(const Caller& caller,
                                                       const std::vector<View>& views,
                                                       size_t first_index) {
  if (absl::Status s = AuthorizeRecord(caller); !s.ok()) return s;
  const absl::Time now = clock_();
  absl::Status invalid;
  std::vector<ResolvedView> resolved;
  resolved.reserve(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    const View& v = views[i];
    invalid = ValidateView(v, now, absl::StrCat("views[", first_index + i, "]."));
    if (!invalid.ok()) break;
    ResolvedView r{v.article_id, "", v.request_id, v.view_time.value_or(now)};
    absl::StatusOr<std::string> visitor = VisitorOf(v, r.time);
    if (!visitor.ok()) return visitor.status();
    r.visitor = std::move(*visitor);
    resolved.push_back(std::move(r));
  }
  BatchResult batch;
  if (!resolved.empty()) {
    absl::StatusOr<std::vector<RecordResult>> results = store_.Record(resolved, now);
    if (!results.ok()) return results.status();
    for (const RecordResult& r : *results) {
      ++batch.received;
      if (r.counted) {
        ++batch.counted;
      } else {
        ++batch.not_counted[r.reason];
      }
    }
  }
  if (!invalid.ok()) return invalid;
  return batch;
}

absl::StatusOr<StatsResult> AnalyticsCore::GetStats(const std::vector<std::string>& article_ids,
                                                    int window_days) {
  if (article_ids.empty()) {
    return absl::InvalidArgumentError("article_ids: must not be empty");
  }
  if (article_ids.size() > kMaxStatsIds) {
    return absl::InvalidArgumentError(
        absl::StrCat("article_ids: at most 1000 ids, got ", article_ids.size()));
  }
  if (window_days < 0 || window_days > kMaxWindowDays) {
    return absl::InvalidArgumentError("window_days: must be between 0 and 400");
  }
  std::vector<std::string> distinct;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < article_ids.size(); ++i) {
    const std::string& id = article_ids[i];
    if (absl::Status s = ValidateId(id, absl::StrCat("article_ids[", i, "]")); !s.ok()) return s;
    if (seen.insert(id).second) distinct.push_back(id);
  }
  return store_.Stats(distinct, window_days == 0 ? kDefaultWindowDays : window_days, clock_());
}

absl::StatusOr<std::vector<Totals>> AnalyticsCore::ImportViews(
    const Caller& caller, const std::vector<ImportedCounts>& items) {
  if (absl::Status s = RequireRole(caller, {Role::kAdmin}); !s.ok()) return s;
  if (items.empty()) return absl::InvalidArgumentError("items: must not be empty");
  if (items.size() > kMaxImportItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("items: at most 1000 items, got ", items.size()));
  }
  std::unordered_map<std::string, size_t> last;  // id -> index of its last item
  for (size_t i = 0; i < items.size(); ++i) {
    const ImportedCounts& item = items[i];
    const std::string field = absl::StrCat("items[", i, "].");
    if (absl::Status s = ValidateId(item.article_id, field + "article_id"); !s.ok()) return s;
    if (item.views < 0) return absl::InvalidArgumentError(field + "views: must not be negative");
    if (item.unique_visitors < 0) {
      return absl::InvalidArgumentError(field + "unique_visitors: must not be negative");
    }
    last[item.article_id] = i;
  }
  std::vector<ImportedCounts> distinct;
  for (size_t i = 0; i < items.size(); ++i) {
    if (last[items[i].article_id] == i) distinct.push_back(items[i]);
  }
  absl::StatusOr<std::vector<Totals>> stored = store_.Import(distinct);
  if (!stored.ok()) return stored.status();
  std::unordered_map<std::string, const Totals*> by_id;
  for (const Totals& t : *stored) by_id[t.article_id] = &t;
  std::vector<Totals> totals;
  totals.reserve(items.size());
  for (const ImportedCounts& item : items) totals.push_back(*by_id.at(item.article_id));
  return totals;
}

}  // namespace bulletin::analytics
