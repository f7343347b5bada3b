// SiteUpdates on a Redis Cluster (site_updates.h): a batch's journal entry lives in its
// articles' slot (view_keys.h site::Journal(slot)), the site-wide keys in `{bulletin}`. A
// fold applies the site-wide side of its batches and marks them folded in one step
// (SiteDelta::MarkedScript), then each slot's side with the deletion of that slot's
// entries (SiteDelta::Script). A stale first step applies nothing; a fold read back from the
// journal holds one batch, so a marked batch skips the first step and still gets its slot's
// side: each side of each batch is applied once, whichever process folds it.
#include <map>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/redis/redis_slot.h"
#include "services/analytics/store/redis/redis_util.h"
#include "services/analytics/store/redis/site_updates.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

const int kSiteSlot = KeySlot(site::Folded());

// Runs `script` for `delta` guarded by `ids` (KEYS: the two guard keys, then the delta's).
absl::StatusOr<bool> RunGuarded(RedisClient& redis, const char* script,
                                const std::vector<std::string>& guard_keys,
                                const std::vector<std::string>& ids, const SiteDelta* delta) {
  std::vector<std::string> keys = guard_keys;
  std::vector<std::string> args = {absl::StrCat(ids.size())};
  args.insert(args.end(), ids.begin(), ids.end());
  if (delta != nullptr) {
    for (SiteDelta::Call& call : delta->Calls(std::numeric_limits<size_t>::max())) {
      keys.insert(keys.end(), call.keys.begin(), call.keys.end());
      args.insert(args.end(), call.args.begin(), call.args.end());
    }
  }
  ASSIGN_OR_RETURN(const RedisReply r, redis.Eval(script, keys, args));
  if (r.type != RedisReply::Type::kInteger) return UnexpectedReply("fold script", r);
  return r.integer == 1;
}

}  // namespace

absl::Status SiteUpdates::ApplyOnCluster(const Fold& fold, bool* stale) {
  *stale = false;
  std::map<int, SiteDelta> parts = fold.views.ToDelta().BySlot();
  std::map<int, std::vector<std::string>> ids_by_slot;
  for (const std::string& id : fold.ids) ids_by_slot[SlotOfBatch(id)].push_back(id);
  // 1. The site-wide side, marked folded.
  auto site = parts.find(kSiteSlot);
  ASSIGN_OR_RETURN(const bool marked, RunGuarded(redis_, SiteDelta::MarkedScript(),
                                                 {site::Folded(), site::FoldedTimes()}, fold.ids,
                                                 site == parts.end() ? nullptr : &site->second));
  if (!marked && !fold.from_journal) {
    *stale = true;  // another process folds some of these: from the journal, one by one
    return absl::OkStatus();
  }
  if (site != parts.end()) parts.erase(site);
  // 2. Each slot's side, guarded by (and deleting) that slot's entries.
  for (const auto& [slot, ids] : ids_by_slot) {
    auto part = parts.find(slot);
    ASSIGN_OR_RETURN(
        const bool applied,
        RunGuarded(redis_, SiteDelta::Script(), {site::Journal(slot), site::JournalTimes(slot)},
                   ids, part == parts.end() ? nullptr : &part->second));
    (void)applied;  // not applied: another process folded these entries, both sides
    if (part != parts.end()) parts.erase(part);
  }
  // Updates of batches that were not journalled (SiteUpdates::Add with no id): applied as
  // they are, as on one node.
  for (const auto& [slot, part] : parts) {
    RETURN_IF_ERROR(RunGuarded(redis_, SiteDelta::Script(),
                               {site::Journal(slot), site::JournalTimes(slot)}, {}, &part)
                        .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RedisReply>> SiteUpdates::ReadEntries(
    const std::vector<std::string>& ids) {
  std::vector<RedisArgv> commands;
  commands.reserve(ids.size());
  for (const std::string& id : ids)
    commands.push_back({"HGET", site::Journal(SlotOfBatch(id)), id});
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_.Pipeline(commands));
  for (const RedisReply& r : replies) {
    if (r.is_error()) return r.ToStatus();
  }
  return replies;
}

absl::Status SiteUpdates::DeleteEntries(const std::vector<std::string>& ids) {
  std::vector<RedisArgv> commands;
  for (const std::string& id : ids) {
    const int slot = SlotOfBatch(id);
    commands.push_back({"HDEL", site::Journal(slot), id});
    commands.push_back({"ZREM", site::JournalTimes(slot), id});
  }
  if (commands.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const std::vector<RedisReply> replies, redis_.Pipeline(commands));
  for (const RedisReply& r : replies) RETURN_IF_ERROR(r.ToStatus());
  return absl::OkStatus();
}

absl::StatusOr<size_t> SiteUpdates::RecoverOnceOnCluster(absl::Duration min_age, size_t limit,
                                                         size_t* fetched) {
  *fetched = 0;
  // Which slots have a journal at all: one EXISTS per slot, one round trip per node.
  std::vector<RedisArgv> exists;
  exists.reserve(kClusterSlots);
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    exists.push_back({"EXISTS", site::JournalTimes(slot)});
  }
  ASSIGN_OR_RETURN(const std::vector<RedisReply> present, redis_.Pipeline(exists));
  std::vector<RedisReply> ids, payloads;
  for (int slot = 0; slot < kClusterSlots && ids.size() < limit; ++slot) {
    if (present[slot].is_error()) return present[slot].ToStatus();
    if (present[slot].integer == 0) continue;
    ASSIGN_OR_RETURN(
        const RedisReply r,
        redis_.Eval(
            ReadJournalScript(), {site::Journal(slot), site::JournalTimes(slot)},
            {absl::StrCat(absl::ToInt64Milliseconds(min_age)), absl::StrCat(limit - ids.size())}));
    if (r.type != RedisReply::Type::kArray) return UnexpectedReply("journal read", r);
    if (r.elements.empty()) continue;
    if (r.elements.size() != 2 || r.elements[0].elements.size() != r.elements[1].elements.size()) {
      return UnexpectedReply("journal read", r);
    }
    RedisArgv zrem = {"ZREM", site::JournalTimes(slot)};
    for (size_t i = 0; i < r.elements[0].elements.size(); ++i) {
      if (r.elements[1].elements[i].is_nil()) zrem.push_back(r.elements[0].elements[i].str);
      ids.push_back(r.elements[0].elements[i]);
      payloads.push_back(r.elements[1].elements[i]);
    }
    if (zrem.size() > 2) RETURN_IF_ERROR(redis_.Command(zrem).status());
  }
  *fetched = ids.size();
  if (ids.empty()) return 0;
  return FoldEntries(ids, payloads);
}

}  // namespace bulletin::analytics
