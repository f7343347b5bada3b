#include "tests/drill_load.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;
namespace av1 = ::bulletin::analytics::v1;
namespace ev1 = ::bulletin::events::v1;
namespace nv1 = ::bulletin::notify::v1;

// How long a write is retried (with the same request_id) before the load gives up on it.
constexpr absl::Duration kResolveDeadline = absl::Seconds(20);

// Calls `attempt` (one RPC with its own deadline; given the attempt's number) until it
// returns OK or a status that `final` accepts, or kResolveDeadline passes; counts the
// failed attempts.
grpc::Status Resolve(const std::function<grpc::Status(int)>& attempt,
                     const std::function<bool(const grpc::Status&)>& final,
                     std::atomic<int>* failed_attempts) {
  const absl::Time deadline = absl::Now() + kResolveDeadline;
  for (int n = 0;; ++n) {
    grpc::Status s = attempt(n);
    if (s.ok() || final(s) || absl::Now() > deadline) return s;
    failed_attempts->fetch_add(1);
    absl::SleepFor(absl::Milliseconds(50));
  }
}

bool NeverFinal(const grpc::Status&) { return false; }

}  // namespace

std::shared_ptr<grpc::Channel> DrillChannel(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

// "data" is the envelope's last member (webhook_message.h), the ArticleEvent in the
// protobuf JSON mapping; the members before it (id, source, type, time, datacontenttype)
// cannot hold `,"data":`.
std::optional<Received> ParseWebhook(const notify::testing::ReceivedRequest& request) {
  const std::string marker = ",\"data\":";
  size_t at = request.body.find(marker);
  if (at == std::string::npos || request.body.empty() || request.body.back() != '}') {
    return std::nullopt;
  }
  const size_t start = at + marker.size();
  std::string data = request.body.substr(start, request.body.size() - 1 - start);
  ev1::ArticleEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(data, &event, options).ok()) {
    return std::nullopt;
  }
  Received r;
  r.event_id = event.event_id();
  r.article_id = event.article().id();
  r.type = event.type();
  r.at = absl::Now();
  auto header = request.headers.find("webhook-id");
  if (header == request.headers.end() || header->second != r.event_id) r.event_id += "!mismatch";
  return r;
}

ResumingSubscriber::ResumingSubscriber(std::vector<std::shared_ptr<grpc::Channel>> channels,
                                       std::string subscription_id)
    : subscription_id_(std::move(subscription_id)) {
  for (auto& channel : channels) stubs_.push_back(nv1::NotificationService::NewStub(channel));
  thread_ = std::thread([this] { Run(); });
}

void ResumingSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<Received> ResumingSubscriber::events() {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::string ResumingSubscriber::resume_token() {
  absl::MutexLock lock(&mu_);
  return resume_token_;
}

std::pair<size_t, std::string> ResumingSubscriber::Position() {
  absl::MutexLock lock(&mu_);
  return {events_.size(), resume_token_};
}

int ResumingSubscriber::break_count() {
  absl::MutexLock lock(&mu_);
  return break_count_;
}

std::vector<std::string> ResumingSubscriber::first_breaks() {
  absl::MutexLock lock(&mu_);
  return first_breaks_;
}

void ResumingSubscriber::Run() {
  for (size_t next = 0;; ++next) {
    std::unique_ptr<grpc::ClientContext> context = Context(kPartnerToken, absl::Minutes(5));
    nv1::SubscribeRequest request;
    request.set_subscription_id(subscription_id_);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      context_ = context.get();
      request.set_resume_token(resume_token_);
    }
    auto reader = stubs_[next % stubs_.size()]->Subscribe(context.get(), request);
    nv1::SubscribeResponse message;
    while (reader->Read(&message)) {
      absl::MutexLock lock(&mu_);
      if (message.has_event()) {
        const ev1::ArticleEvent& e = message.event().event();
        Received r;
        r.event_id = e.event_id();
        r.article_id = e.article().id();
        r.type = e.type();
        r.at = absl::Now();
        r.resume_token = message.event().resume_token();
        events_.push_back(r);
        resume_token_ = message.event().resume_token();
      } else if (!message.heartbeat().resume_token().empty()) {
        resume_token_ = message.heartbeat().resume_token();
      }
    }
    grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stopping_) return;
      if (++break_count_ <= 5) {
        first_breaks_.push_back(absl::StrCat(status.error_code(), " ", status.error_message()));
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

void Acknowledged::Merge(const Acknowledged& other) {
  created.insert(other.created.begin(), other.created.end());
  published.insert(other.published.begin(), other.published.end());
  published_earlier.insert(other.published_earlier.begin(), other.published_earlier.end());
  publish_unresolved.insert(other.publish_unresolved.begin(), other.publish_unresolved.end());
  published_at.insert(other.published_at.begin(), other.published_at.end());
  for (const auto& [article, n] : other.views) views[article] += n;
  view_acks.insert(view_acks.end(), other.view_acks.begin(), other.view_acks.end());
  views_not_counted += other.views_not_counted;
  views_queued += other.views_queued;
  views_by_failed_attempt += other.views_by_failed_attempt;
  views_unresolved += other.views_unresolved;
  creates_unresolved += other.creates_unresolved;
}

int64_t Acknowledged::TotalViews() const {
  int64_t total = 0;
  for (const auto& [article, n] : views) total += n;
  return total;
}

std::vector<absl::Time> Acknowledged::PublishAcks() const {
  std::vector<absl::Time> out;
  for (const auto& [id, at] : published_at) out.push_back(at);
  std::sort(out.begin(), out.end());
  return out;
}

Load::Load(System& system, std::vector<std::string> view_targets, std::string prefix,
           LoadLimits limits)
    : view_targets_(std::move(view_targets)), prefix_(std::move(prefix)), limits_(limits) {
  for (int r = 0; r < system.replicas(Service::kContent); ++r) {
    content_.push_back(
        cv1::ContentService::NewStub(DrillChannel(system.addr(Service::kContent, r))));
  }
  for (int r = 0; r < system.replicas(Service::kAnalytics); ++r) {
    analytics_.push_back(
        av1::AnalyticsService::NewStub(DrillChannel(system.addr(Service::kAnalytics, r))));
  }
}

void Load::Start() {
  publisher_ = std::thread([this] { Publish(); });
  viewer_ = std::thread([this] { View(); });
}

void Load::Stop() {
  stop_ = true;
  if (publisher_.joinable()) publisher_.join();
  if (viewer_.joinable()) viewer_.join();
}

Acknowledged Load::acknowledged() {
  absl::MutexLock lock(&mu_);
  return acked_;
}

void Load::Publish() {
  for (int i = 0; i < limits_.max_articles && !stop_; ++i) {
    // Article i goes to replica i first, its retries to the next ones.
    auto content = [&](int attempt) { return content_[(i + attempt) % content_.size()].get(); };
    cv1::CreateArticleRequest create;
    create.set_request_id(absl::StrCat(prefix_, "-article-", i));
    cv1::Article* a = create.mutable_article();
    a->set_default_locale("en");
    const std::string title = absl::StrCat("Drill ", prefix_, " article ", i);
    (*a->mutable_translations())["en"].set_title(title);
    (*a->mutable_translations())["en"].set_body("<p>" + title + "</p>");
    cv1::Article created;
    grpc::Status s = Resolve(
        [&](int attempt) {
          return content(attempt)->CreateArticle(Context(kEditorToken, absl::Seconds(2)).get(),
                                                 create, &created);
        },
        NeverFinal, &failed_attempts_);
    if (!s.ok()) {
      absl::MutexLock lock(&mu_);
      ++acked_.creates_unresolved;
      continue;
    }
    {
      absl::MutexLock lock(&mu_);
      acked_.created.insert(created.id());
    }
    cv1::PublishArticleRequest publish;
    publish.set_id(created.id());
    bool failed_before = false;
    cv1::Article published;
    s = Resolve(
        [&](int attempt) {
          grpc::Status r = content(attempt)->PublishArticle(
              Context(kEditorToken, absl::Seconds(2)).get(), publish, &published);
          if (!r.ok() && r.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
            failed_before = true;
          }
          return r;
        },
        [&](const grpc::Status& r) {
          return failed_before && r.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
        },
        &failed_attempts_);
    {
      absl::MutexLock lock(&mu_);
      if (s.ok()) {
        acked_.published.insert(created.id());
        acked_.published_at[created.id()] = absl::Now();
        published_count_.fetch_add(1);
      } else if (failed_before && s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        // An attempt that failed on the client's side had published it.
        acked_.published_earlier.insert(created.id());
      } else {
        acked_.publish_unresolved.insert(created.id());
      }
    }
    absl::SleepFor(limits_.article_pace);
  }
}

void Load::View() {
  for (int i = 0; i < limits_.max_views && !stop_; ++i) {
    av1::RecordViewRequest view;
    const std::string& article = view_targets_[i % view_targets_.size()];
    view.set_article_id(article);
    view.set_visitor_id(absl::StrCat(prefix_, "-visitor-", i));
    view.set_request_id(absl::StrCat(prefix_, "-view-", i));
    av1::RecordViewResponse response;
    grpc::Status s = Resolve(
        [&](int attempt) {
          return analytics_[(i + attempt) % analytics_.size()]->RecordView(
              Context(kFrontendToken, absl::Seconds(2)).get(), view, &response);
        },
        NeverFinal, &failed_attempts_);
    absl::MutexLock lock(&mu_);
    if (!s.ok()) {
      ++acked_.views_unresolved;
    } else if (response.counted() ||
               response.reason() == av1::NOT_COUNTED_REASON_DUPLICATE_REQUEST) {
      // DUPLICATE_REQUEST: an attempt that failed on the client's side counted it.
      ++acked_.views[article];
      acked_.view_acks.push_back(absl::Now());
      if (response.queued()) ++acked_.views_queued;
      if (!response.counted()) ++acked_.views_by_failed_attempt;
    } else {
      ++acked_.views_not_counted;
    }
    if (i % 8 == 7) absl::SleepFor(limits_.view_pace * 8);
  }
}

void WebhookLog::Add(const notify::testing::ReceivedRequest& request) {
  std::optional<Received> r = ParseWebhook(request);
  absl::MutexLock lock(&mu_);
  if (r.has_value()) {
    events_.push_back(*std::move(r));
  } else {
    ++unparsable_;
  }
}

std::vector<Received> WebhookLog::events() {
  absl::MutexLock lock(&mu_);
  return events_;
}

int WebhookLog::unparsable() {
  absl::MutexLock lock(&mu_);
  return unparsable_;
}

}  // namespace bulletin::testing
