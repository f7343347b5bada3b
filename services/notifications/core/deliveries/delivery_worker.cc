#include "services/notifications/core/deliveries/delivery_worker.h"

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/notifications/core/deliveries/webhook_message.h"

namespace bulletin::notify {
namespace {

// Store writes of a finished attempt are retried this long before the lease is left to
// run out (the attempt is then made again: at-least-once).
constexpr absl::Duration kRecordRetry = absl::Seconds(5);

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

bool Ok2xx(int status) { return status >= 200 && status <= 299; }

}  // namespace

DeliveryWorker::DeliveryWorker(DeliveryStore& deliveries, SubscriptionStore& subscriptions,
                               SubscriptionCore& core, WebhookTransport& transport,
                               DeliveryWorkerOptions options)
    : deliveries_(deliveries),
      subscriptions_(subscriptions),
      core_(core),
      transport_(transport),
      options_(std::move(options)),
      policy_(options_.retry_schedule),
      endpoint_rate_(options_.endpoint_rate_per_second, options_.endpoint_burst) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

absl::Duration DeliveryWorker::max_attempt_time() const { return transport_.max_attempt_time(); }

void DeliveryWorker::Start() {
  absl::MutexLock lock(&mu_);
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void DeliveryWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    stopping_ = true;
  }
  transport_.Wakeup();
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void DeliveryWorker::Nudge() {
  nudged_ = true;
  transport_.Wakeup();
}

absl::Status DeliveryWorker::SendTest(const Subscription& sub, const DeliveryKey& key,
                                      const std::string& token) {
  ASSIGN_OR_RETURN(SigningSecrets secrets, subscriptions_.GetSecrets(sub.id));
  const absl::Time now = Now();
  std::string body = PingBody(key.event_id, sub.id, now, options_.source);
  ASSIGN_OR_RETURN(std::vector<std::string> headers,
                   WebhookHeaders(secrets, key.event_id, now, body));
  auto done = std::make_shared<absl::Notification>();
  {
    absl::MutexLock lock(&mu_);
    if (!running_ || stopping_) return absl::UnavailableError("the webhook sender is stopping");
    jobs_.push_back({InFlight{key, token, sub.webhook_url, now, 0, done},
                     HttpRequest{sub.webhook_url, std::move(headers), std::move(body)}});
  }
  transport_.Wakeup();
  if (!done->WaitForNotificationWithTimeout(max_attempt_time() + kRecordRetry + absl::Seconds(2))) {
    return absl::UnavailableError("the test attempt did not finish in time; retry");
  }
  return absl::OkStatus();
}

void DeliveryWorker::Run() {
  absl::Time next_claim = absl::Now();
  // Leases are renewed well before they run out (DeliveryWorkerOptions::lease).
  const absl::Duration renew_every = options_.lease / 4;
  absl::Time next_renew = next_claim + renew_every;
  absl::Time warned = absl::InfinitePast();
  std::optional<absl::Time> drain_until;
  for (;;) {
    std::vector<Job> jobs;
    {
      absl::MutexLock lock(&mu_);
      jobs.swap(jobs_);
      if (stopping_ && !drain_until) drain_until = absl::Now() + max_attempt_time();
    }
    for (Job& job : jobs) Post(std::move(job.flight), std::move(job.request));
    if (drain_until && (in_flight_.empty() || absl::Now() > *drain_until)) break;
    absl::Time now = absl::Now();
    if (nudged_.exchange(false)) next_claim = now;
    int free = options_.concurrency - static_cast<int>(in_flight_.size());
    if (!drain_until && free > 0 && now >= next_claim) {
      absl::StatusOr<std::vector<LeasedDelivery>> claimed =
          deliveries_.Claim(Now(), options_.lease, free);
      if (!claimed.ok()) {
        if (now - warned > absl::Seconds(10)) {
          Logger()->warn("claiming due webhook deliveries: {}", claimed.status().ToString());
          warned = now;
        }
        next_claim = now + absl::Seconds(1);
      } else {
        waiting_.clear();
        for (const LeasedDelivery& l : *claimed) Begin(l);
        bool more = static_cast<int>(claimed->size()) == free;
        next_claim = more ? now : now + options_.poll_interval;
      }
    }
    if (now >= next_renew) {
      RenewLeases();
      next_renew = now + renew_every;
    }
    absl::Duration wait =
        std::clamp(next_claim - absl::Now(), absl::ZeroDuration(), options_.poll_interval);
    if (!in_flight_.empty() && !drain_until) wait = std::min(wait, absl::Milliseconds(50));
    for (auto& [tag, response] : transport_.Poll(wait)) {
      auto it = in_flight_.find(tag);
      if (it == in_flight_.end()) continue;
      InFlight flight = std::move(it->second);
      in_flight_.erase(it);
      Finish(std::move(flight), response);
    }
  }
  if (!in_flight_.empty()) {
    Logger()->warn("{} webhook attempts still in flight at shutdown; they will be retried",
                   in_flight_.size());
  }
  for (auto& [tag, flight] : in_flight_) {
    if (flight.done) flight.done->Notify();
  }
  in_flight_.clear();
}

void DeliveryWorker::RenewLeases() {
  const absl::Time until = Now() + options_.lease;
  for (auto& [tag, flight] : in_flight_) {
    absl::StatusOr<bool> kept = deliveries_.Extend(flight.key, flight.token, until);
    if (!kept.ok()) {
      Logger()->debug("renewing the lease of {}: {}", flight.key.ToString(),
                      kept.status().ToString());
    } else if (!*kept) {
      Logger()->debug("delivery {}: lease lost (another sender has it)", flight.key.ToString());
    }
  }
}

void DeliveryWorker::Post(InFlight flight, HttpRequest request) {
  uint64_t tag = next_tag_++;
  flight.start = Now();
  transport_.Post(tag, std::move(request));
  in_flight_[tag] = std::move(flight);
}

void DeliveryWorker::Begin(const LeasedDelivery& leased) {
  absl::StatusOr<Delivery> d = deliveries_.Get(leased.key);
  if (!d.ok()) {
    if (!absl::IsNotFound(d.status())) {
      Logger()->warn("reading delivery {}: {}", leased.key.ToString(), d.status().ToString());
    }
    return;  // the lease runs out and it is claimed again
  }
  absl::StatusOr<Subscription> sub = subscriptions_.Get(leased.key.subscription_id);
  if (absl::IsNotFound(sub.status())) {
    (void)deliveries_.Remove(leased.key);  // cancelled with its subscription
    return;
  }
  if (!sub.ok()) return;
  if (sub->state == SubscriptionState::kPaused) {
    if (absl::Status s = deliveries_.Hold(leased.key, leased.token, Now()); !s.ok()) {
      Logger()->warn("holding delivery {}: {}", leased.key.ToString(), s.ToString());
    }
    return;
  }
  if (sub->state == SubscriptionState::kDisabled) {
    Skip(leased, *d, DeliveryState::kDeadLettered,
         absl::StrCat("not sent: the subscription is DISABLED (", sub->state_reason, ")"));
    return;
  }
  if (sub->webhook_url.empty()) {
    Skip(leased, *d, DeliveryState::kDeadLettered, "not sent: the subscription has no webhook_url");
    return;
  }
  if (absl::Duration wait = EndpointWait(sub->webhook_url, absl::Now());
      wait > absl::ZeroDuration()) {
    // Back to the queue, unsent: the endpoint's rate decides when, not the retry schedule.
    absl::StatusOr<bool> r = deliveries_.Postpone(leased.key, leased.token, Now() + wait);
    if (!r.ok()) {
      Logger()->warn("postponing delivery {}: {}", leased.key.ToString(), r.status().ToString());
    }
    return;  // on failure the lease runs out and it is claimed again
  }
  events::v1::ArticleEvent event;
  absl::StatusOr<SigningSecrets> secrets = subscriptions_.GetSecrets(sub->id);
  if (!secrets.ok()) {
    // E.g. a key missing from --secrets-key-file: the delivery waits (its lease runs out and
    // it is claimed again) until the operator fixes it; say so, at most every 10 s.
    if (absl::Now() - secrets_warned_ > absl::Seconds(10)) {
      Logger()->warn("reading the signing secrets of {}: {}", sub->id, secrets.status().ToString());
      secrets_warned_ = absl::Now();
    }
    return;
  }
  if (!event.ParseFromString(d->payload)) {
    Skip(leased, *d, DeliveryState::kDeadLettered, "not sent: the stored event is unreadable");
    return;
  }
  const absl::Time now = Now();
  std::string body = ArticleEventBody(event, options_.source);
  absl::StatusOr<std::vector<std::string>> headers =
      WebhookHeaders(*secrets, d->event_id, now, body);
  if (!headers.ok()) {
    Skip(leased, *d, DeliveryState::kDeadLettered, std::string(headers.status().message()));
    return;
  }
  Post(InFlight{leased.key, leased.token, sub->webhook_url, now, d->attempt_count, nullptr},
       HttpRequest{sub->webhook_url, std::move(*headers), std::move(body)});
}

absl::Duration DeliveryWorker::EndpointWait(const std::string& url, absl::Time now) {
  absl::Duration wait = endpoint_rate_.TryTake(url, now);
  if (wait <= absl::ZeroDuration()) return wait;
  // Without the spread every waiting delivery would come due at the same instant and all
  // but one be postponed again.
  const int ahead = waiting_[url]++;
  return wait + absl::Seconds(ahead / endpoint_rate_.rate_per_second());
}

void DeliveryWorker::Skip(const LeasedDelivery& leased, const Delivery& d, DeliveryState state,
                          const std::string& error) {
  DeliveryAttempt attempt{Now(), 0, absl::ZeroDuration(), error};
  AttemptOutcome outcome{state, std::nullopt, d.webhook_url, d.attempt_count};
  absl::StatusOr<bool> r = deliveries_.RecordAttempt(leased.key, leased.token, attempt, outcome);
  if (!r.ok())
    Logger()->warn("recording delivery {}: {}", leased.key.ToString(), r.status().ToString());
}

void DeliveryWorker::Finish(InFlight flight, const HttpResponse& response) {
  const absl::Time now = Now();
  const std::string& sub_id = flight.key.subscription_id;
  DeliveryAttempt attempt{flight.start, response.status, response.latency, response.error};
  AttemptOutcome outcome;
  outcome.webhook_url = flight.url;
  outcome.attempt_count = flight.attempt_count + 1;
  const bool ok = Ok2xx(response.status);
  if (flight.done) {
    outcome.state = ok ? DeliveryState::kSucceeded : DeliveryState::kFailed;  // never retried
  } else if (ok) {
    outcome.state = DeliveryState::kSucceeded;
  } else if (response.status == 410) {
    outcome.state = DeliveryState::kDeadLettered;
  } else {
    std::optional<absl::Duration> retry_after;
    if (response.status == 429 || response.status == 503) retry_after = response.retry_after;
    std::optional<absl::Duration> delay = policy_.NextDelay(outcome.attempt_count, retry_after);
    outcome.state = delay ? DeliveryState::kPending : DeliveryState::kDeadLettered;
    if (delay) outcome.next_attempt_time = now + *delay;
  }
  absl::StatusOr<bool> recorded = absl::UnavailableError("not tried");
  for (absl::Time give_up = now + kRecordRetry; absl::Now() < give_up;) {
    recorded = deliveries_.RecordAttempt(flight.key, flight.token, attempt, outcome);
    if (recorded.ok() || !absl::IsUnavailable(recorded.status())) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  if (flight.done) flight.done->Notify();
  if (!recorded.ok()) {
    Logger()->warn("recording attempt of {}: {}", flight.key.ToString(),
                   recorded.status().ToString());
    return;
  }
  if (!*recorded) return;  // another sender took over after our lease ran out
  Logger()->debug("delivery {}: {} {}", flight.key.ToString(), response.status, response.error);
  if (flight.done) return;
  if (ok) {
    (void)subscriptions_.RecordEndpointSuccess(sub_id);
    return;
  }
  std::string reason;
  if (response.status == 410) {
    reason = "endpoint answered 410 Gone";
  } else if (absl::StatusOr<absl::Time> since = subscriptions_.RecordEndpointFailure(sub_id, now);
             since.ok() && now - *since >= options_.disable_after) {
    reason = absl::StrCat("failing since ",
                          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *since, absl::UTCTimeZone()));
  }
  if (!reason.empty()) {
    Logger()->info("disabling subscription {}: {}", sub_id, reason);
    if (absl::Status s = core_.Disable(sub_id, reason); !s.ok() && !absl::IsNotFound(s)) {
      Logger()->warn("disabling subscription {}: {}", sub_id, s.ToString());
    }
  }
}

}  // namespace bulletin::notify
