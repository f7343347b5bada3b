#include "services/analytics/store/redis/redis_view_store.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
#include "services/analytics/store/redis/dedup_hash.h"
#include "services/analytics/store/redis/record_script.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/view_journal.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

// How long after the first start of this layout on a Redis with data of an older one its
// markers ("seen:", "req:" keys) can still matter: the request-id retention, which is also
// the longest count window, and a margin.
absl::Duration OldMarkersReach() { return kRequestIdRetention + absl::Minutes(1); }

}  // namespace

RedisViewStore::RedisViewStore(RedisClient& redis, RedisViewStoreOptions options)
    : redis_(redis),
      options_(options),
      script_sha_(ScriptSha(RecordScriptText())),
      site_(redis, options.site_flush_interval, 1000000, options.spill_file) {}

absl::Status RedisViewStore::FlushSiteUpdates() {
  RETURN_IF_ERROR(site_.Flush());
  return site_.Recover(absl::ZeroDuration()).status();
}

const char* RedisViewStore::RecordScript() { return RecordScriptText(); }

absl::StatusOr<bool> RedisViewStore::ReadOldMarkers() {
  {
    absl::MutexLock lock(&mu_);
    if (old_markers_checked_) return absl::Now() < old_markers_until_;
  }
  // The first process of this layout decides, for every replica: if an older version
  // counted views here (its all-time top list exists), its markers are read until they
  // have expired; on a Redis without them, never.
  ASSIGN_OR_RETURN(const RedisReply top, redis_.Command({"EXISTS", site::TopAll()}));
  if (top.is_error()) return top.ToStatus();
  const absl::Time now = absl::Now();
  const absl::Time until = top.integer > 0 ? now + OldMarkersReach() : now;
  const std::string key = site::DedupLayout();
  ASSIGN_OR_RETURN(
      const std::vector<RedisReply> replies,
      redis_.Pipeline({{"SET", key, absl::StrCat(absl::ToUnixMillis(until)), "NX"}, {"GET", key}}));
  int64_t until_ms = 0;
  if (replies[1].is_error()) return replies[1].ToStatus();
  if (replies[1].type != RedisReply::Type::kString ||
      !absl::SimpleAtoi(replies[1].str, &until_ms)) {
    return UnexpectedReply("dedupe layout marker", replies[1]);
  }
  absl::MutexLock lock(&mu_);
  old_markers_until_ = absl::FromUnixMillis(until_ms);
  old_markers_checked_ = true;
  return absl::Now() < old_markers_until_;
}

absl::StatusOr<std::string> RedisViewStore::DailySalt(absl::Time day) {
  const std::string key = SaltKey(day);
  {
    absl::MutexLock lock(&mu_);
    auto it = salts_.find(key);
    if (it != salts_.end()) return it->second;
  }
  // SET NX makes the first replica's salt everyone's; the GET reads whichever won.
  ASSIGN_OR_RETURN(
      const std::vector<RedisReply> replies,
      redis_.Pipeline(
          {{"SET", key, RandomHex(32), "NX", "EX", Seconds(kSaltRetention)}, {"GET", key}}));
  const RedisReply& got = replies[1];
  if (got.is_error()) return got.ToStatus();
  if (got.type != RedisReply::Type::kString || got.str.empty()) {
    return absl::InternalError("redis: salt missing right after SET NX");
  }
  absl::MutexLock lock(&mu_);
  if (salts_.size() >= 4) salts_.erase(salts_.begin());  // keys sort by day: oldest first
  salts_[key] = got.str;
  return got.str;
}

std::vector<RedisViewStore::Group> RedisViewStore::GroupsOf(
    const std::vector<ResolvedView>& views) {
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;  // article id -> group
  for (size_t i = 0; i < views.size(); ++i) {
    auto [it, added] = index.try_emplace(views[i].article_id, groups.size());
    if (added) groups.push_back({views[i].article_id, {}, true});
    groups[it->second].views.push_back(i);
  }
  return groups;
}

int RedisViewStore::SlotOf(const std::vector<Group>& groups) const {
  if (!redis_.cluster() || groups.empty()) return -1;
  return KeySlot(keys::ArticlePrefix(groups.front().article_id));
}

JournalBatch RedisViewStore::JournalOf(const std::vector<ResolvedView>& views,
                                       const std::vector<Group>& groups, absl::Time now) const {
  JournalBatch batch;
  batch.now = now;
  for (const Group& g : groups) {
    JournalGroup& group = batch.groups.emplace_back();
    group.article_id = g.article_id;
    for (size_t i : g.views) {
      group.views.push_back({views[i].visitor, views[i].time, views[i].filtered});
    }
  }
  // A batch of bots only has no deferred side: no entry.
  if (batch.MayDefer()) batch.id = BatchId(SlotOf(groups));
  return batch;
}

RedisArgv RedisViewStore::RecordCommand(const std::vector<ResolvedView>& views,
                                        const std::vector<Group>& groups, bool by_sha) const {
  return RecordCommand(views, groups, JournalOf(views, groups, absl::Now()), false, by_sha);
}

RedisArgv RedisViewStore::RecordCommand(const std::vector<ResolvedView>& views,
                                        const std::vector<Group>& groups,
                                        const JournalBatch& journal, bool old_markers,
                                        bool by_sha) const {
  // On a cluster the groups of one call share a slot, and so does its journal.
  const int slot = SlotOf(groups);
  RedisArgv keys = {site::Journal(slot), site::JournalTimes(slot)};
  const bool window = options_.count_window > absl::ZeroDuration();
  RedisArgv args = {absl::StrCat(absl::ToInt64Milliseconds(options_.count_window)),
                    absl::StrCat(absl::ToInt64Milliseconds(kRequestIdRetention)),
                    absl::StrCat(groups.size()),
                    journal.id,
                    journal.id.empty() ? std::string() : JournalPayload(journal),
                    old_markers ? "1" : "0"};
  keys.reserve(keys.size() + groups.size() * 4);
  args.reserve(args.size() + groups.size() * 2 + views.size() * 5);
  for (const Group& g : groups) {
    ArticleKeys k(g.article_id);
    keys.insert(keys.end(), {k.Views(), k.Visitors(), k.NotCounted(), k.Imported()});
    args.push_back(absl::StrCat(g.views.size()));
    args.push_back(g.count_uniques ? "1" : "0");
    for (size_t i : g.views) {
      const ResolvedView& v = views[i];
      const bool counts = v.filtered == NotCounted::kNone;
      args.push_back(v.visitor);
      args.push_back(counts && window ? DedupHashString(v.visitor) : std::string());
      args.push_back(counts && !v.request_id.empty() ? DedupHashString(v.request_id)
                                                     : std::string());
      args.push_back(counts && old_markers ? v.request_id : std::string());
      args.push_back(absl::StrCat(static_cast<int>(v.filtered)));
    }
  }
  RedisArgv argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back(by_sha ? "EVALSHA" : "EVAL");
  argv.push_back(by_sha ? script_sha_ : std::string(RecordScriptText()));
  argv.push_back(absl::StrCat(keys.size()));
  std::move(keys.begin(), keys.end(), std::back_inserter(argv));
  std::move(args.begin(), args.end(), std::back_inserter(argv));
  return argv;
}

absl::StatusOr<std::vector<RecordResult>> RedisViewStore::Record(
    const std::vector<ResolvedView>& views, absl::Time now) {
  ASSIGN_OR_RETURN(const bool old_markers, ReadOldMarkers());
  std::vector<Group> all = GroupsOf(views);
  // Unique visitors: PFCOUNT at most every kUniquesRefresh per article; in between, the
  // last count plus the visitors whose PFADD changed the HyperLogLog.
  const absl::Time wall = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    if (uniques_.size() > kMaxUniquesCached) uniques_.clear();
    for (Group& g : all) {
      auto it = uniques_.find(g.article_id);
      g.count_uniques = it == uniques_.end() || wall - it->second.counted_at >= kUniquesRefresh;
      if (!g.count_uniques) g.cached = it->second;
    }
  }
  // One script per call of at most kMaxViewsPerCall views (Redis runs nothing else while
  // a script runs: each stays short), all calls in one round trip. On a Redis Cluster a
  // call holds the articles of one slot only (the client sends each to its node).
  if (redis_.cluster()) {
    std::stable_sort(all.begin(), all.end(), [](const Group& a, const Group& b) {
      return KeySlot(keys::ArticlePrefix(a.article_id)) <
             KeySlot(keys::ArticlePrefix(b.article_id));
    });
  }
  std::vector<std::vector<Group>> calls(1);
  size_t in_call = 0;
  int call_slot = -1;
  for (Group& g : all) {
    const int slot = redis_.cluster() ? KeySlot(keys::ArticlePrefix(g.article_id)) : -1;
    if (in_call > 0 && (in_call + g.views.size() > kMaxViewsPerCall || slot != call_slot)) {
      calls.emplace_back();
      in_call = 0;
    }
    call_slot = slot;
    in_call += g.views.size();
    calls.back().push_back(std::move(g));
  }
  std::vector<JournalBatch> journals;
  std::vector<RedisArgv> commands;
  for (const std::vector<Group>& groups : calls) {
    journals.push_back(JournalOf(views, groups, now));
    commands.push_back(RecordCommand(views, groups, journals.back(), old_markers, true));
  }
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_.Pipeline(commands));
  // After a Redis restart the script cache is empty: the calls that met NOSCRIPT did not
  // run; send them with the script itself, once.
  std::vector<size_t> retry;
  std::vector<RedisArgv> retry_commands;
  for (size_t c = 0; c < calls.size(); ++c) {
    if (IsNoScript(replies[c])) {
      retry.push_back(c);
      retry_commands.push_back(RecordCommand(views, calls[c], journals[c], old_markers, false));
    }
  }
  if (!retry.empty()) {
    ASSIGN_OR_RETURN(std::vector<RedisReply> again, redis_.Pipeline(retry_commands));
    for (size_t j = 0; j < retry.size(); ++j) replies[retry[j]] = std::move(again[j]);
  }

  std::vector<RecordResult> results(views.size());
  for (size_t c = 0; c < calls.size(); ++c) {
    const RedisReply& r = replies[c];
    if (r.is_error()) return r.ToStatus();
    size_t expected = 0;
    for (const Group& g : calls[c]) expected += 4 + g.views.size();
    if (r.type != RedisReply::Type::kArray || r.elements.size() != expected) {
      return UnexpectedReply("counting script", r);
    }
    const RedisReply* e = r.elements.data();
    absl::MutexLock lock(&mu_);
    for (Group& g : calls[c]) {
      const int64_t views_after = e[0].integer, counted_uniques = e[1].integer;
      const bool counted_now = counted_uniques >= 0;
      const int64_t imported_views = counted_now ? e[2].integer : g.cached.imported_views;
      const int64_t imported_uniques = counted_now ? e[3].integer : g.cached.imported_uniques;
      const RedisReply* codes = e + 4;
      int64_t counted = 0, changed = 0;
      for (size_t j = 0; j < g.views.size(); ++j) {
        counted += codes[j].integer / 4 == 0;
        changed += codes[j].integer % 2;
      }
      // The group's views in order: each answers the totals right after it.
      int64_t views_so_far = views_after - counted;
      int64_t uniques_so_far = counted_now ? counted_uniques - changed : g.cached.uniques;
      for (size_t j = 0; j < g.views.size(); ++j) {
        RecordResult& result = results[g.views[j]];
        const long long code = codes[j].integer;
        result.reason = static_cast<NotCounted>(code / 4);
        result.counted = result.reason == NotCounted::kNone;
        result.counted_before = (code / 2) % 2 == 1;
        views_so_far += result.counted;
        uniques_so_far += code % 2;
        result.totals = {g.article_id, SaturatingAdd(views_so_far, imported_views),
                         SaturatingAdd(uniques_so_far, imported_uniques)};
      }
      UniquesCache& cache = uniques_[g.article_id];
      cache.uniques = uniques_so_far;
      if (counted_now) cache = {uniques_so_far, imported_views, imported_uniques, wall};
      e += 4 + g.views.size();
    }
  }

  // The views are counted and their deferred side journalled: it goes to the aggregate,
  // which SiteUpdates folds in every interval (or here, with a zero interval); a failure
  // from here on never fails the batch, as the journal keeps it for recovery.
  for (size_t c = 0; c < calls.size(); ++c) {
    JournalBatch& journal = journals[c];
    if (journal.id.empty()) continue;
    for (size_t g = 0; g < calls[c].size(); ++g) {
      const std::vector<size_t>& indexes = calls[c][g].views;
      for (size_t j = 0; j < indexes.size(); ++j) {
        journal.groups[g].views[j].counted = results[indexes[j]].counted;
      }
    }
    site_.Add(journal.id, [&](ViewAggregate& pending) { AddJournalBatch(journal, pending); });
  }
  if (site_.flush_interval() == absl::ZeroDuration()) {
    if (absl::Status s = site_.Flush(); !s.ok()) {
      Logger()->warn("redis: deferred updates wait in the journal: {}", std::string(s.message()));
    }
  }
  return results;
}

}  // namespace bulletin::analytics
