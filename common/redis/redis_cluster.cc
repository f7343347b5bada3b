#include "common/redis/redis_cluster.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/log.h"
#include "common/redis/redis_slot.h"

namespace bulletin {
namespace {

constexpr int kMaxAttempts = 16;
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(20);
constexpr absl::Duration kMaxBackoff = absl::Milliseconds(400);
// A map read this recently is not read again for a retry (many callers fail at once).
constexpr absl::Duration kMinRefreshGap = absl::Milliseconds(50);

// "MOVED 3999 127.0.0.1:6381" / "ASK ...": the slot and the node; the host is empty
// when the node names itself by the address we reached it on.
bool ParseRedirect(const std::string& error, absl::string_view kind, int* slot, std::string* host,
                   int* port) {
  if (!absl::StartsWith(error, kind)) return false;
  std::vector<absl::string_view> parts = absl::StrSplit(error, ' ');
  if (parts.size() < 3 || !absl::SimpleAtoi(parts[1], slot)) return false;
  size_t colon = parts[2].rfind(':');
  if (colon == absl::string_view::npos) return false;
  *host = std::string(parts[2].substr(0, colon));
  return absl::SimpleAtoi(parts[2].substr(colon + 1), port);
}

// Replies that say the command did not run and may run after a wait or a new map.
bool IsRetryable(const RedisReply& r) {
  if (!r.is_error()) return false;
  for (const char* p : {"TRYAGAIN", "CLUSTERDOWN", "READONLY", "MASTERDOWN", "LOADING"}) {
    if (absl::StartsWith(r.str, p)) return true;
  }
  return false;
}

bool IsBroadcast(const RedisArgv& argv) {
  if (argv.empty()) return false;
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  return name == "FLUSHALL" || name == "FLUSHDB" || name == "SCRIPT";
}

RedisReply ErrorReply(std::string text) {
  RedisReply r;
  r.type = RedisReply::Type::kError;
  r.str = std::move(text);
  return r;
}

}  // namespace

// One command of a pipeline on its way: where it goes and what came back.
struct RedisCluster::Pending {
  size_t index = 0;
  int slot = -1;
  PoolPtr ask;           // ASK target for the next send
  bool follows = false;  // keyless, after another command (WAIT after XADD)
};

RedisCluster::RedisCluster(const RedisOptions& options) : options_(options) {
  absl::MutexLock lock(&mu_);
  slots_.resize(kClusterSlots);
}

RedisCluster::PoolPtr RedisCluster::Pool(const std::string& host, int port) {
  const std::string name = absl::StrCat(host, ":", port);
  absl::MutexLock lock(&mu_);
  PoolPtr& pool = pools_[name];
  if (!pool) pool = std::make_shared<RedisNodePool>(host, port, options_);
  return pool;
}

RedisCluster::PoolPtr RedisCluster::NodeOf(int slot) {
  absl::MutexLock lock(&mu_);
  if (slot >= 0 && slots_[slot]) return slots_[slot];
  for (const PoolPtr& p : slots_) {
    if (p) return p;
  }
  return nullptr;
}

std::string RedisCluster::MasterOf(int slot) {
  if (slot < 0 || slot >= kClusterSlots) return "";
  absl::MutexLock lock(&mu_);
  return slots_[slot] ? slots_[slot]->name() : "";
}

absl::Status RedisCluster::LoadMap(RedisNodePool& from) {
  absl::StatusOr<std::vector<RedisReply>> r =
      from.Run({{"CLUSTER", "SLOTS"}}, options_.command_timeout);
  if (!r.ok()) return r.status();
  const RedisReply& slots = r->front();
  if (slots.is_error()) return slots.ToStatus();
  if (slots.type != RedisReply::Type::kArray || slots.elements.empty()) {
    return absl::UnavailableError(absl::StrCat("redis cluster: ", from.name(), " has no slots"));
  }
  std::vector<PoolPtr> map(kClusterSlots);
  int covered = 0;
  for (const RedisReply& range : slots.elements) {
    // [start, end, [host, port, id, ...], replicas...]
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
    const long long start = range.elements[0].integer, end = range.elements[1].integer;
    const RedisReply& master = range.elements[2];
    std::string host = master.elements[0].str;
    if (host.empty() || host == "?") host = from.host();
    if (start < 0 || end >= kClusterSlots || start > end) continue;
    PoolPtr pool = Pool(host, static_cast<int>(master.elements[1].integer));
    for (long long s = start; s <= end; ++s) map[s] = pool;
    covered += static_cast<int>(end - start + 1);
  }
  if (covered == 0) {
    return absl::UnavailableError(absl::StrCat("redis cluster: ", from.name(), " has no slots"));
  }
  absl::MutexLock lock(&mu_);
  slots_.swap(map);
  return absl::OkStatus();
}

absl::Status RedisCluster::RefreshMap(bool force) {
  absl::MutexLock refresh_lock(&refresh_mu_);
  if (!force && absl::Now() - last_refresh_ < kMinRefreshGap) return absl::OkStatus();
  // The masters of the current map first, then the seeds.
  std::vector<PoolPtr> candidates;
  std::set<RedisNodePool*> seen;
  {
    absl::MutexLock lock(&mu_);
    for (const PoolPtr& p : slots_) {
      if (p && seen.insert(p.get()).second) candidates.push_back(p);
    }
  }
  for (const RedisEndpoint& seed : options_.seeds) {
    PoolPtr p = Pool(seed.host, seed.port);
    if (seen.insert(p.get()).second) candidates.push_back(p);
  }
  absl::Status last = absl::UnavailableError("redis cluster: no seed node");
  for (const PoolPtr& p : candidates) {
    last = LoadMap(*p);
    if (last.ok()) {
      last_refresh_ = absl::Now();
      return last;
    }
  }
  return absl::UnavailableError(
      absl::StrCat("redis cluster: no node answered CLUSTER SLOTS: ", last.message()));
}

absl::StatusOr<std::vector<RedisReply>> RedisCluster::Broadcast(const RedisArgv& argv,
                                                                absl::Duration timeout) {
  if (NodeOf(-1) == nullptr) {
    if (absl::Status s = RefreshMap(true); !s.ok()) return s;
  }
  std::vector<PoolPtr> masters;
  {
    absl::MutexLock lock(&mu_);
    std::set<RedisNodePool*> seen;
    for (const PoolPtr& p : slots_) {
      if (p && seen.insert(p.get()).second) masters.push_back(p);
    }
  }
  std::vector<RedisReply> out;
  for (const PoolPtr& p : masters) {
    absl::StatusOr<std::vector<RedisReply>> r = p->Run({argv}, timeout);
    if (!r.ok()) return r.status();
    if (out.empty() || (r->front().is_error() && !out.front().is_error())) out = std::move(*r);
  }
  return out;
}

absl::StatusOr<std::vector<RedisReply>> RedisCluster::Run(const std::vector<RedisArgv>& commands,
                                                          absl::Duration timeout,
                                                          int keyless_slot) {
  if (commands.size() == 1 && IsBroadcast(commands[0])) return Broadcast(commands[0], timeout);
  if (NodeOf(-1) == nullptr) {
    if (absl::Status s = RefreshMap(true); !s.ok()) return s;
  }
  std::vector<RedisReply> replies(commands.size());
  std::vector<Pending> pending;
  int previous = keyless_slot;  // a command without keys goes where the one before it went
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<int> slot = CommandSlot(commands[i]);
    if (!slot.ok()) {
      replies[i] = ErrorReply(std::string(slot.status().message()));
      continue;
    }
    Pending p;
    p.index = i;
    p.follows = *slot < 0 && i > 0;
    p.slot = *slot >= 0 ? *slot : previous;
    previous = p.slot;
    pending.push_back(std::move(p));
  }
  const absl::Time deadline = absl::Now() + options_.cluster_retry;
  absl::Duration backoff = kFirstBackoff;
  absl::Status unsent = absl::OkStatus();
  for (int attempt = 0; !pending.empty(); ++attempt) {
    // Group by node, keeping the caller's order within each node.
    std::vector<std::pair<PoolPtr, std::vector<Pending>>> groups;
    for (Pending& p : pending) {
      PoolPtr node = p.ask ? p.ask : NodeOf(p.slot);
      if (!node) return absl::UnavailableError("redis cluster: no slot map");
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == node; });
      if (it == groups.end()) it = groups.insert(groups.end(), {node, {}});
      it->second.push_back(std::move(p));
    }
    pending.clear();
    bool refresh = false, wait = false;
    for (auto& [node, items] : groups) {
      std::vector<RedisArgv> batch;
      std::vector<size_t> at;  // reply index of each item in the batch
      for (const Pending& p : items) {
        if (p.ask) batch.push_back({"ASKING"});
        at.push_back(batch.size());
        batch.push_back(commands[p.index]);
      }
      bool not_sent = false;
      absl::StatusOr<std::vector<RedisReply>> r = node->Run(batch, timeout, &not_sent);
      if (!r.ok()) {
        refresh = true;
        // What may have run is not sent again: its outcome is unknown.
        if (!not_sent) {
          (void)RefreshMap(false);
          return r.status();
        }
        unsent = r.status();
        wait = true;
        for (Pending& p : items) {
          p.ask = nullptr;
          pending.push_back(std::move(p));
        }
        continue;
      }
      // A command of this part that goes again (redirected, retried) takes the keyless
      // commands after it along to its node: a WAIT answered here did not wait for it.
      bool requeued = false;
      int requeued_slot = -1;
      PoolPtr requeued_ask;
      for (size_t k = 0; k < items.size(); ++k) {
        Pending& p = items[k];
        RedisReply& reply = (*r)[at[k]];
        if (p.follows && requeued) {
          p.slot = requeued_slot;
          p.ask = requeued_ask;
          replies[p.index] = std::move(reply);
          pending.push_back(std::move(p));
          continue;
        }
        int slot = 0, port = 0;
        std::string host;
        p.ask = nullptr;
        if (reply.is_error() && ParseRedirect(reply.str, "MOVED ", &slot, &host, &port)) {
          if (host.empty()) host = node->host();
          PoolPtr to = Pool(host, port);
          {
            absl::MutexLock lock(&mu_);
            if (slot >= 0 && slot < kClusterSlots) slots_[slot] = to;
          }
          refresh = true;  // one moved slot often means more
        } else if (reply.is_error() && ParseRedirect(reply.str, "ASK ", &slot, &host, &port)) {
          if (host.empty()) host = node->host();
          p.ask = Pool(host, port);
        } else if (IsRetryable(reply)) {
          refresh = refresh || !absl::StartsWith(reply.str, "TRYAGAIN");
          wait = true;
        } else {
          replies[p.index] = std::move(reply);
          continue;
        }
        if (!p.follows) {
          requeued = true;
          requeued_slot = p.slot;
          requeued_ask = p.ask;
        }
        replies[p.index] = std::move(reply);  // the answer if the retries run out
        pending.push_back(std::move(p));
      }
    }
    if (pending.empty()) break;
    if (attempt + 1 >= kMaxAttempts || absl::Now() >= deadline) {
      if (!unsent.ok()) return unsent;
      break;  // the redirect or retryable error replies stay in place
    }
    if (wait) {
      absl::SleepFor(std::min(backoff, std::max(deadline - absl::Now(), absl::ZeroDuration())));
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
    if (refresh) {
      if (absl::Status s = RefreshMap(false); !s.ok()) {
        Logger()->debug("redis cluster: {}", std::string(s.message()));
        // No node answers at all: not a failover to wait for, the cluster is down.
        if (!unsent.ok()) return unsent;
      }
    }
    unsent = absl::OkStatus();
  }
  return replies;
}

}  // namespace bulletin
