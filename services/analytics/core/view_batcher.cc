#include "services/analytics/core/view_batcher.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/crypto.h"
#include "common/base/ids.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/analytics/core/counts.h"
#include "services/analytics/core/spill_file.h"
#include "services/analytics/core/view_validation.h"

namespace bulletin::analytics {
namespace {

constexpr size_t kMaxKnownArticles = 100000;

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  // 128 bits are plenty to tell visitors apart and keep the keys short.
  return absl::BytesToHexString(HmacSha256(key, data).substr(0, 16));
}

}  // namespace

ViewBatcher::ViewBatcher(ViewStore& store, BatcherOptions options, Clock clock)
    : store_(store), options_(std::move(options)), clock_(std::move(clock)) {}

ViewBatcher::~ViewBatcher() { Stop(); }

absl::Status ViewBatcher::Start() {
  if (!options_.spill_file.empty()) {
    ASSIGN_OR_RETURN(std::deque<QueuedView> spilled, ReadSpillFile(options_.spill_file));
    if (!spilled.empty()) {
      Logger()->info("replaying {} buffered views from {}", spilled.size(), options_.spill_file);
      // A file of an earlier version may hold views without a request id: they get one,
      // and the file is rewritten with it before anything is sent, so that a crash before
      // the buffer is flushed replays them without counting any twice.
      for (QueuedView& v : spilled) {
        if (v.request_id.empty()) v.request_id = "auto-" + NewId();
      }
      RETURN_IF_ERROR(WriteSpillFile(options_.spill_file, spilled));
      absl::MutexLock lock(&mu_);
      for (QueuedView& v : spilled) buffer_.push_back(std::move(v));
    }
  }
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { Run(); });
  return absl::OkStatus();
}

void ViewBatcher::Submit(std::vector<QueuedView> views, Done done) {
  if (options_.request_ids_for_all) {
    for (QueuedView& v : views) {
      if (v.request_id.empty()) v.request_id = "auto-" + NewId();
    }
  }
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_ && queued_views_ + views.size() <= options_.buffer_limit) {
      queued_views_ += views.size();
      queue_.push_back({std::move(views), std::move(done)});
      cv_.Signal();
      return;
    }
  }
  done(absl::UnavailableError("analytics is shutting down or overloaded; retry later"));
}

void ViewBatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.SignalAll();
  }
  for (std::thread& t : threads_) t.join();
  if (started_) Drain();
}

size_t ViewBatcher::buffered() const {
  absl::MutexLock lock(&mu_);
  return buffer_.size();
}

absl::StatusOr<std::vector<RecordResult>> ViewBatcher::Send(const std::vector<QueuedView>& views) {
  std::vector<ResolvedView> resolved;
  resolved.reserve(views.size());
  for (const QueuedView& v : views) {
    ResolvedView r{v.article_id, "", v.request_id, v.time, v.filtered};
    if (!v.visitor_id.empty()) {
      r.visitor = "v:" + v.visitor_id;
    } else {
      ASSIGN_OR_RETURN(const std::string salt, store_.DailySalt(v.time));
      r.visitor = "h:" + HmacSha256Hex(salt, CanonicalIp(v.client_ip) + "\n" + v.user_agent);
    }
    resolved.push_back(std::move(r));
  }
  return store_.Record(resolved, clock_());
}

void ViewBatcher::Remember(const std::vector<RecordResult>& results) {
  if (known_.size() > kMaxKnownArticles) known_.clear();
  for (const RecordResult& r : results) known_[r.totals.article_id] = r.totals;
}

void ViewBatcher::Buffer(std::vector<Submission> batch) {
  const bool durable = !options_.spill_file.empty();
  for (Submission& s : batch) {
    std::vector<RecordResult> results;
    std::vector<QueuedView> to_disk;
    {
      absl::MutexLock lock(&mu_);
      if (buffer_.size() + s.views.size() > options_.buffer_limit) {
        results.clear();
      } else {
        for (QueuedView& v : s.views) {
          // Its request id makes a replay of the spill file harmless once it is counted.
          if (durable && v.request_id.empty()) v.request_id = "auto-" + NewId();
          if (durable) to_disk.push_back(v);
          RecordResult r;
          r.queued = true;
          r.reason = v.filtered;
          r.counted = v.filtered == NotCounted::kNone;
          if (r.counted) ++pending_[v.article_id];
          auto known = known_.find(v.article_id);
          if (known != known_.end()) r.totals = known->second;
          r.totals.article_id = v.article_id;
          r.totals.views = SaturatingAdd(r.totals.views, pending_[v.article_id]);
          results.push_back(std::move(r));
          buffer_.push_back(std::move(v));
        }
      }
    }
    if (!to_disk.empty()) {
      // On disk before the answer: a crash from here on replays it at the next start.
      absl::MutexLock lock(&spill_mu_);
      if (absl::Status w = AppendSpillFile(options_.spill_file, to_disk); !w.ok()) {
        Logger()->error("{} queued views are only in memory: {}", to_disk.size(),
                        std::string(w.message()));
      }
    }
    if (results.empty() && !s.views.empty()) {
      s.done(absl::UnavailableError(
          absl::StrCat("the store is unreachable and the view buffer is full (",
                       options_.buffer_limit, " views); retry later with the same request_id")));
    } else {
      s.done(std::move(results));
    }
  }
}

bool ViewBatcher::FlushBufferOnce() {
  std::vector<QueuedView> chunk;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < buffer_.size() && i < options_.max_batch; ++i) {
      chunk.push_back(buffer_[i]);
    }
  }
  if (chunk.empty()) return true;
  absl::StatusOr<std::vector<RecordResult>> results = Send(chunk);
  if (!results.ok() && absl::IsUnavailable(results.status())) return false;
  if (!results.ok()) {
    Logger()->error("dropping {} buffered views the store refused: {}", chunk.size(),
                    results.status().ToString());
  }
  absl::MutexLock lock(&mu_);
  for (const QueuedView& v : chunk) {
    if (v.filtered == NotCounted::kNone && --pending_[v.article_id] <= 0) {
      pending_.erase(v.article_id);
    }
    buffer_.pop_front();
  }
  if (results.ok()) Remember(*results);
  if (buffer_.empty()) {
    Logger()->info("view buffer flushed to the store");
    if (!options_.spill_file.empty()) WriteSpill();  // removes the file
  }
  return true;
}

bool ViewBatcher::Linger() {
  const absl::Time deadline = absl::Now() + options_.max_delay;
  while (!stopping_ && queued_views_ < options_.max_batch) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;  // timed out
  }
  return !queue_.empty();
}

void ViewBatcher::Run() {
  mu_.Lock();
  while (true) {
    if (!buffer_.empty() && !flushing_ && absl::Now() >= next_retry_) {
      flushing_ = true;
      mu_.Unlock();
      const bool flushed = FlushBufferOnce();
      mu_.Lock();
      flushing_ = false;
      if (!flushed) next_retry_ = absl::Now() + options_.retry_interval;
      cv_.SignalAll();
      continue;
    }
    // While one worker drains the buffer to a store that is back, the others wait
    // instead of buffering more: otherwise new views could outpace the drain.
    if (queue_.empty() || (!buffer_.empty() && flushing_)) {
      if (queue_.empty() && stopping_) break;
      if (buffer_.empty() || flushing_) {
        cv_.Wait(&mu_);
      } else {
        cv_.WaitWithDeadline(&mu_, next_retry_);
      }
      continue;
    }
    if (options_.max_delay > absl::ZeroDuration() && queued_views_ < options_.max_batch &&
        !Linger()) {
      continue;  // another worker took it
    }
    std::vector<Submission> batch;
    size_t n = 0;
    while (!queue_.empty() && (n == 0 || n + queue_.front().views.size() <= options_.max_batch)) {
      n += queue_.front().views.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_views_ -= n;
    const bool buffering = !buffer_.empty();
    mu_.Unlock();
    if (buffering) {
      Buffer(std::move(batch));  // keep the order: the buffer goes first
    } else {
      SendBatch(std::move(batch), n);
    }
    mu_.Lock();
  }
  mu_.Unlock();
}

void ViewBatcher::SendBatch(std::vector<Submission> batch, size_t n) {
  std::vector<QueuedView> views;
  views.reserve(n);
  for (const Submission& s : batch) views.insert(views.end(), s.views.begin(), s.views.end());
  absl::StatusOr<std::vector<RecordResult>> results = Send(views);
  if (results.ok()) {
    {
      absl::MutexLock lock(&mu_);
      Remember(*results);
    }
    auto it = results->begin();
    for (Submission& s : batch) {
      std::vector<RecordResult> own(std::make_move_iterator(it),
                                    std::make_move_iterator(it + s.views.size()));
      it += s.views.size();
      s.done(std::move(own));
    }
  } else if (absl::IsUnavailable(results.status())) {
    Logger()->warn("store unreachable ({}): buffering views",
                   std::string(results.status().message()));
    Buffer(std::move(batch));
    absl::MutexLock lock(&mu_);
    next_retry_ = absl::Now() + options_.retry_interval;
  } else {
    for (Submission& s : batch) s.done(results.status());
  }
}

void ViewBatcher::Drain() {
  // Stopping: one more attempt to flush, then spill what the store did not take.
  mu_.Lock();
  while (!buffer_.empty()) {
    mu_.Unlock();
    const bool flushed = FlushBufferOnce();
    mu_.Lock();
    if (!flushed) break;
  }
  if (!buffer_.empty() || !options_.spill_file.empty()) WriteSpill();
  mu_.Unlock();
}

void ViewBatcher::WriteSpill() {
  if (options_.spill_file.empty()) {
    Logger()->error("store unreachable at shutdown: {} buffered views lost (no --spill-file)",
                    buffer_.size());
    return;
  }
  absl::MutexLock lock(&spill_mu_);
  if (buffer_.empty()) {
    std::remove(options_.spill_file.c_str());
    return;
  }
  absl::Status s = WriteSpillFile(options_.spill_file, buffer_);
  if (s.ok()) {
    Logger()->warn("store unreachable at shutdown: {} views written to {}", buffer_.size(),
                   options_.spill_file);
  } else {
    Logger()->error("{} buffered views lost: {}", buffer_.size(), std::string(s.message()));
  }
}

}  // namespace bulletin::analytics
