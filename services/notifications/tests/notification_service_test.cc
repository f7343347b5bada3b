// NotificationService through a real gRPC server on port 0 and a real redis-server.
// Events are XADDed to `{bulletin}:events` in exactly the format content's relay writes.
#include "services/notifications/grpc/notification_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/grpc/server.h"
#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/events/redis_event_log.h"
#include "services/notifications/store/redis/redis_delivery_store.h"
#include "services/notifications/store/redis/redis_subscription_store.h"
#include "services/notifications/webhook/http_client.h"

namespace bulletin::notify {
namespace {

using events::v1::ArticleEvent;
using testing::WaitUntil;

constexpr char kAcmeToken[] = "acme-token-0123456789";
constexpr char kBetaToken[] = "beta-token-0123456789";
constexpr char kAdminToken[] = "admin-token-0123456789";

// Reads a Subscribe stream on its own thread.
class StreamReader {
 public:
  StreamReader(v1::NotificationService::Stub* stub, const std::string& token,
               const std::string& subscription_id, const std::string& resume_token = "") {
    context_.AddMetadata("authorization", std::string("Bearer ") + token);
    v1::SubscribeRequest request;
    request.set_subscription_id(subscription_id);
    request.set_resume_token(resume_token);
    reader_ = stub->Subscribe(&context_, request);
    thread_ = std::thread([this] {
      v1::SubscribeResponse msg;
      while (reader_->Read(&msg)) {
        absl::MutexLock lock(&mu_);
        messages_.push_back(msg);
      }
      grpc::Status status = reader_->Finish();
      absl::MutexLock lock(&mu_);
      status_ = status;
    });
  }
  ~StreamReader() {
    context_.TryCancel();
    thread_.join();
  }

  // The next message of the wanted kind (others are skipped), or nullopt after `timeout`.
  std::optional<v1::SubscribeResponse> Next(bool want_event,
                                            absl::Duration timeout = absl::Seconds(5))
      ABSL_LOCKS_EXCLUDED(mu_) {
    const absl::Time deadline = absl::Now() + timeout;
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !messages_.empty() || status_.has_value();
    };
    for (;;) {
      while (!messages_.empty()) {
        v1::SubscribeResponse m = std::move(messages_.front());
        messages_.pop_front();
        if (m.has_event() == want_event) return m;
      }
      if (status_ || !mu_.AwaitWithDeadline(absl::Condition(&ready), deadline)) {
        return std::nullopt;
      }
    }
  }
  std::optional<ArticleEvent> NextEvent(absl::Duration timeout = absl::Seconds(5)) {
    auto m = Next(true, timeout);
    if (!m) return std::nullopt;
    last_token_ = m->event().resume_token();
    return m->event().event();
  }
  grpc::Status Status(absl::Duration timeout = absl::Seconds(5)) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return status_.has_value(); };
    mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
    return status_.value_or(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no status yet"));
  }
  const std::string& last_token() const { return last_token_; }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::thread thread_;
  absl::Mutex mu_;
  std::deque<v1::SubscribeResponse> messages_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
  std::string last_token_;  // reader's thread
};

class NotifyNotificationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Boot(absl::Seconds(15)); }

  void Boot(absl::Duration heartbeat, size_t queue_limit = 1000) {
    auto server = testing::TestRedis::Start();
    ASSERT_OK(server);
    redis_server_ = std::move(*server);
    redis_ = std::make_unique<RedisClient>(redis_server_->options());
    store_ = std::make_unique<RedisSubscriptionStore>(*redis_);
    core_ = std::make_unique<SubscriptionCore>(*store_, SubscriptionCoreOptions{true});
    StreamOptions options;
    options.heartbeat_interval = heartbeat;
    options.queue_limit = queue_limit;
    log_ = std::make_unique<RedisEventLog>(*redis_);
    streams_ = std::make_unique<StreamManager>(*core_, *store_, *log_, options);
    core_->SetDeleteListener([this](const std::string& id) { streams_->EndSubscription(id); });
    streams_->Start();
    auto tokens = TokenStore::Parse(absl::StrCat("partner ", kAcmeToken, " acme\npartner ",
                                                 kBetaToken, " beta\nadmin ", kAdminToken, "\n"));
    ASSERT_OK(tokens);
    tokens_ = std::move(*tokens);
    pool_ = std::make_unique<WorkerPool>(4, 256);
    deliveries_ = std::make_unique<RedisDeliveryStore>(*redis_);
    http_ = std::make_unique<HttpClient>(
        HttpClientOptions{absl::Milliseconds(500), absl::Seconds(1), true});
    worker_ = std::make_unique<DeliveryWorker>(*deliveries_, *store_, *core_, *http_,
                                               DeliveryWorkerOptions{});
    worker_->Start();
    delivery_core_ = std::make_unique<DeliveryCore>(*core_, *deliveries_, *worker_);
    service_ =
        std::make_unique<NotificationService>(*core_, *delivery_core_, *streams_, tokens_, *pool_);
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.drain_timeout = absl::Seconds(5);
    auto grpc_server =
        GrpcServer::Start(config, {{"bulletin.notify.v1.NotificationService", service_.get()}});
    ASSERT_OK(grpc_server);
    server_ = std::move(*grpc_server);
    stub_ = v1::NotificationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) {
      streams_->Shutdown();
      server_->Shutdown();
    }
    if (streams_) streams_->Stop();
    if (worker_) worker_->Stop();
  }

  grpc::Status Create(const std::string& token, const v1::CreateSubscriptionRequest& request,
                      v1::CreateSubscriptionResponse* response) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    return stub_->CreateSubscription(&ctx, request, response);
  }

  std::string NewSubscription(const std::string& token = kAcmeToken,
                              const v1::SubscriptionFilter& filter = {}) {
    v1::CreateSubscriptionRequest request;
    request.mutable_subscription()->set_display_name("feed");
    *request.mutable_subscription()->mutable_filter() = filter;
    v1::CreateSubscriptionResponse response;
    grpc::Status s = Create(token, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.subscription().id();
  }

  // XADD exactly as content's relay does; returns the entry id.
  std::string Publish(const std::string& event_id,
                      events::v1::ArticleEventType type = events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
                      const std::string& category = "news", std::vector<std::string> ancestors = {},
                      std::vector<std::string> locales = {"en", "zh-CN"}) {
    ArticleEvent e;
    e.set_event_id(event_id);
    e.set_type(type);
    e.mutable_occur_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    events::v1::ArticleSnapshot* a = e.mutable_article();
    a->set_id("article-" + event_id);
    a->set_slug("slug");
    a->set_category_id(category);
    for (const std::string& x : ancestors) a->add_category_ancestor_ids(x);
    for (const std::string& l : locales) {
      auto* t = a->add_translations();
      t->set_locale(l);
      t->set_title(l == "en" ? "Title" : "标题");
    }
    a->set_default_locale(locales.empty() ? "en" : locales[0]);
    auto r = redis_->Command({"XADD", keys::kEventStream, "MAXLEN", "~", "10000", "*", "event",
                              e.SerializeAsString(), "event_id", event_id, "type",
                              events::v1::ArticleEventType_Name(type), "article_id", a->id()});
    EXPECT_OK(r);
    return r.ok() ? r->str : "";
  }

  std::unique_ptr<testing::TestRedis> redis_server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisSubscriptionStore> store_;
  std::unique_ptr<SubscriptionCore> core_;
  std::unique_ptr<RedisEventLog> log_;
  std::unique_ptr<StreamManager> streams_;
  TokenStore tokens_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<RedisDeliveryStore> deliveries_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<DeliveryWorker> worker_;
  std::unique_ptr<DeliveryCore> delivery_core_;
  std::unique_ptr<NotificationService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::NotificationService::Stub> stub_;
};

TEST_F(NotifyNotificationServiceTest, LiveEventArrivesWithinASecondAndResumeReplaysOnlyNewer) {
  std::string sub = NewSubscription();
  std::string t1;
  {
    StreamReader stream(stub_.get(), kAcmeToken, sub);
    absl::Time published = absl::Now();
    Publish("e1");
    auto e1 = stream.NextEvent(absl::Seconds(1));
    ASSERT_TRUE(e1) << "no event within 1 s";
    EXPECT_LT(absl::Now() - published, absl::Seconds(1));
    EXPECT_EQ(e1->event_id(), "e1");
    EXPECT_EQ(e1->article().translations(1).title(), "标题");
    t1 = stream.last_token();
    Publish("e2");
    auto e2 = stream.NextEvent();
    ASSERT_TRUE(e2);
    EXPECT_EQ(e2->event_id(), "e2");
  }
  Publish("e3");
  StreamReader again(stub_.get(), kAcmeToken, sub, t1);
  auto first = again.NextEvent();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event_id(), "e2");
  auto second = again.NextEvent();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->event_id(), "e3");
  Publish("e4");  // live again after the replay
  auto third = again.NextEvent();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->event_id(), "e4");
}

TEST_F(NotifyNotificationServiceTest,
       NewSubscriptionStartsAtCreationAndReconnectResumesAfterCursor) {
  Publish("before-creation");
  std::string sub = NewSubscription();
  std::string seen_entry;
  {
    StreamReader stream(stub_.get(), kAcmeToken, sub);
    std::string entry = Publish("e1");
    auto e1 = stream.NextEvent();
    ASSERT_TRUE(e1);
    EXPECT_EQ(e1->event_id(), "e1");  // not "before-creation"
    seen_entry = entry;
  }
  // The cursor is written shortly after the write completed (coalesced).
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto c = store_->GetCursor(sub);
        return c.ok() && c->ToString() == seen_entry;
      },
      absl::Seconds(5)));
  Publish("e2");
  StreamReader again(stub_.get(), kAcmeToken, sub);
  auto next = again.NextEvent();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->event_id(), "e2");
}

TEST_F(NotifyNotificationServiceTest, FiltersSelectTypesCategoriesAndLocales) {
  v1::SubscriptionFilter filter;
  filter.add_event_types(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  filter.add_category_ids("news");
  filter.set_include_subcategories(true);
  filter.add_locales("zh-CN");
  std::string sub = NewSubscription(kAcmeToken, filter);
  StreamReader stream(stub_.get(), kAcmeToken, sub);
  Publish("updated", events::v1::ARTICLE_EVENT_TYPE_UPDATED);
  Publish("other-category", events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, "sports", {"home"});
  Publish("english-only", events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, "news", {}, {"en"});
  Publish("direct", events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, "news");
  Publish("subcategory", events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, "content", {"home", "news"});
  auto a = stream.NextEvent();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->event_id(), "direct");
  auto b = stream.NextEvent();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->event_id(), "subcategory");
}

TEST_F(NotifyNotificationServiceTest, DuplicateEventIdsAreSentOnce) {
  std::string sub = NewSubscription();
  StreamReader stream(stub_.get(), kAcmeToken, sub);
  Publish("e1");
  Publish("e1");  // the relay re-sent it after a Redis restart
  Publish("e2");
  auto a = stream.NextEvent();
  auto b = stream.NextEvent();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->event_id(), "e1");
  EXPECT_EQ(b->event_id(), "e2");
}

TEST_F(NotifyNotificationServiceTest, BadTokensAreInvalidOrOutOfRange) {
  std::string sub = NewSubscription();
  {
    StreamReader stream(stub_.get(), kAcmeToken, sub, "not-a-token");
    grpc::Status s = stream.Status();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("resume_token"), std::string::npos) << s.error_message();
  }
  std::string first = Publish("old-1");
  for (int i = 0; i < 5; ++i) Publish("old-" + std::to_string(i + 2));
  ASSERT_OK(redis_->Command({"XTRIM", keys::kEventStream, "MAXLEN", "2"}));
  StreamReader stream(stub_.get(), kAcmeToken, sub, EncodeResumeToken(*StreamId::Parse(first)));
  grpc::Status s = stream.Status();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(s.error_message().find("retention"), std::string::npos) << s.error_message();
}

TEST_F(NotifyNotificationServiceTest, PartnersSeeOnlyTheirOwnSubscriptions) {
  std::string sub = NewSubscription(kAcmeToken);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kBetaToken);
  v1::GetSubscriptionRequest get;
  get.set_id(sub);
  v1::Subscription out;
  EXPECT_EQ(stub_->GetSubscription(&ctx, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  StreamReader stream(stub_.get(), kBetaToken, sub);
  EXPECT_EQ(stream.Status().error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext admin;
  admin.AddMetadata("authorization", std::string("Bearer ") + kAdminToken);
  ASSERT_TRUE(stub_->GetSubscription(&admin, get, &out).ok());
  EXPECT_EQ(out.owner(), "partner:acme");
  EXPECT_EQ(out.state(), v1::SUBSCRIPTION_STATE_ACTIVE);
}

TEST_F(NotifyNotificationServiceTest, AuthValidationAndTestEvents) {
  v1::CreateSubscriptionRequest request;
  request.mutable_subscription()->set_display_name("feed");
  v1::CreateSubscriptionResponse response;
  EXPECT_EQ(Create("", request, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Create("wrong-token-0123456789", request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  request.mutable_subscription()->set_webhook_url("http://hooks.example.org/x");
  grpc::Status s = Create(kAcmeToken, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().find("subscription.webhook_url: "), 0u) << s.error_message();
  request.mutable_subscription()->set_webhook_url("");
  // Locales are normalised the way content normalises them ("zh_cn" -> "zh-CN").
  request.mutable_subscription()->mutable_filter()->add_locales("zh_cn");
  s = Create(kAcmeToken, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.subscription().filter().locales_size(), 1);
  EXPECT_EQ(response.subscription().filter().locales(0), "zh-CN");
  request.mutable_subscription()->mutable_filter()->set_locales(0, "zh cn");
  s = Create(kAcmeToken, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().find("subscription.filter.locales[0]: "), 0u) << s.error_message();
  v1::CreateSubscriptionRequest empty;
  s = Create(kAcmeToken, empty, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().find("subscription"), 0u);

  // A webhook on loopback is fine here: the test server allows private webhooks.
  request.mutable_subscription()->mutable_filter()->clear_locales();
  request.mutable_subscription()->set_webhook_url("http://127.0.0.1:9/hook");
  ASSERT_TRUE(Create(kAcmeToken, request, &response).ok());
  EXPECT_EQ(response.signing_secret().rfind("whsec_", 0), 0u);

  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAcmeToken);
  v1::SendTestEventRequest ping;
  ping.set_subscription_id(response.subscription().id());
  v1::Delivery delivery;
  // Nothing listens on port 9: the call succeeds, the delivery says why it failed.
  s = stub_->SendTestEvent(&ctx, ping, &delivery);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(delivery.test());
  EXPECT_EQ(delivery.state(), v1::DELIVERY_STATE_FAILED);
  ASSERT_EQ(delivery.attempts_size(), 1);
  EXPECT_EQ(delivery.attempts(0).http_status(), 0);
  EXPECT_FALSE(delivery.attempts(0).error().empty());
}

TEST_F(NotifyNotificationServiceTest, UpdatePauseResumeWithEtags) {
  std::string sub = NewSubscription();
  auto call = [&](const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  };
  v1::UpdateSubscriptionRequest update;
  update.mutable_subscription()->set_id(sub);
  update.mutable_subscription()->set_display_name("renamed");
  update.mutable_subscription()->mutable_filter()->add_locales("zh-CN");
  v1::Subscription out;
  grpc::Status s = stub_->UpdateSubscription(call(kAcmeToken).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().find("update_mask"), 0u) << s.error_message();
  update.mutable_update_mask()->add_paths("display_name");
  update.mutable_update_mask()->add_paths("filter.locales");
  ASSERT_TRUE(stub_->UpdateSubscription(call(kAcmeToken).get(), update, &out).ok());
  EXPECT_EQ(out.display_name(), "renamed");
  ASSERT_EQ(out.filter().locales_size(), 1);
  const std::string etag = out.etag();
  EXPECT_EQ(stub_->UpdateSubscription(call(kBetaToken).get(), update, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  update.mutable_update_mask()->add_paths("owner");
  s = stub_->UpdateSubscription(call(kAcmeToken).get(), update, &out);
  EXPECT_EQ(s.error_message().find("update_mask.paths[2]"), 0u) << s.error_message();

  v1::PauseSubscriptionRequest pause;
  pause.set_id(sub);
  pause.set_etag("stale-etag");
  auto stale = call(kAcmeToken);
  s = stub_->PauseSubscription(stale.get(), pause, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  auto trailer = stale->GetServerTrailingMetadata().find("bulletin-current-etag");
  ASSERT_NE(trailer, stale->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), etag);
  pause.set_etag(etag);
  pause.set_reason("holiday");
  ASSERT_TRUE(stub_->PauseSubscription(call(kAcmeToken).get(), pause, &out).ok());
  EXPECT_EQ(out.state(), v1::SUBSCRIPTION_STATE_PAUSED);
  EXPECT_EQ(out.state_reason(), "paused by partner:acme: holiday");
  StreamReader stream(stub_.get(), kAcmeToken, sub);
  EXPECT_EQ(stream.Status().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::ResumeSubscriptionRequest resume;
  resume.set_id(sub);
  ASSERT_TRUE(stub_->ResumeSubscription(call(kAcmeToken).get(), resume, &out).ok());
  EXPECT_EQ(out.state(), v1::SUBSCRIPTION_STATE_ACTIVE);
  EXPECT_TRUE(out.state_reason().empty());

  v1::ListDeliveriesRequest list;
  list.set_subscription_id(sub);
  v1::ListDeliveriesResponse deliveries;
  EXPECT_EQ(stub_->ListDeliveries(call(kBetaToken).get(), list, &deliveries).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(stub_->ListDeliveries(call(kAcmeToken).get(), list, &deliveries).ok());
  v1::RotateSecretRequest rotate;
  rotate.set_id(sub);
  rotate.mutable_previous_secret_ttl()->set_seconds(8 * 24 * 3600);
  v1::RotateSecretResponse rotated;
  s = stub_->RotateSecret(call(kAcmeToken).get(), rotate, &rotated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().find("previous_secret_ttl"), 0u);
  rotate.clear_previous_secret_ttl();
  ASSERT_TRUE(stub_->RotateSecret(call(kAcmeToken).get(), rotate, &rotated).ok());
  EXPECT_EQ(rotated.signing_secret().rfind("whsec_", 0), 0u);
  EXPECT_TRUE(rotated.subscription().has_previous_secret_expire_time());
}

TEST_F(NotifyNotificationServiceTest, DeleteEndsOpenStreamsWithNotFound) {
  std::string sub = NewSubscription();
  StreamReader stream(stub_.get(), kAcmeToken, sub);
  Publish("e1");
  ASSERT_TRUE(stream.NextEvent());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAcmeToken);
  v1::DeleteSubscriptionRequest del;
  del.set_id(sub);
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub_->DeleteSubscription(&ctx, del, &empty).ok());
  EXPECT_EQ(stream.Status().error_code(), grpc::StatusCode::NOT_FOUND);
}

class NotifyHeartbeatTest : public NotifyNotificationServiceTest {
 protected:
  void SetUp() override { Boot(absl::Milliseconds(100)); }
};

TEST_F(NotifyHeartbeatTest, HeartbeatsCarryTheNewestSafeTokenAndShutdownSendsAFinalOne) {
  std::string sub = NewSubscription();
  StreamReader stream(stub_.get(), kAcmeToken, sub);
  auto idle = stream.Next(false, absl::Seconds(2));
  ASSERT_TRUE(idle) << "no heartbeat";
  EXPECT_OK(DecodeResumeToken(idle->heartbeat().resume_token(), "t"));
  EXPECT_FALSE(idle->heartbeat().final());
  std::string entry = Publish("e1");
  ASSERT_TRUE(stream.NextEvent());
  auto after = stream.Next(false, absl::Seconds(2));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->heartbeat().resume_token(), EncodeResumeToken(*StreamId::Parse(entry)));

  streams_->Shutdown();
  std::optional<v1::SubscribeResponse> last;
  while (auto hb = stream.Next(false, absl::Seconds(2))) last = hb;
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->heartbeat().final());
  EXPECT_EQ(stream.Status().error_code(), grpc::StatusCode::UNAVAILABLE);
}

class NotifySlowClientTest : public NotifyNotificationServiceTest {
 protected:
  void SetUp() override { Boot(absl::Seconds(15), /*queue_limit=*/4); }
};

TEST_F(NotifySlowClientTest, AClientThatDoesNotReadIsDisconnected) {
  std::string sub = NewSubscription();
  // A raw call whose messages are never read: gRPC's flow-control windows fill up, then
  // the session's queue does. The client's window is pinned to 64 KiB: with BDP probing
  // it can grow past the 3.6 MB below, everything is delivered, and the stream (which
  // never ends by itself) would stay open. The deadline turns any such hang into a failure.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
  auto stub = v1::NotificationService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAcmeToken);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::SubscribeRequest request;
  request.set_subscription_id(sub);
  auto reader = stub->Subscribe(&ctx, request);
  // Only a live stream is cut off; one still replaying is paced by its reader. Flood it
  // once it has caught up (under load that can take a moment).
  ASSERT_TRUE(WaitUntil([&] { return streams_->live_sessions() == 1; }, absl::Seconds(10)));
  std::string big(900, 'x');
  for (int i = 0; i < 4000; ++i) {
    ArticleEvent e;
    e.set_event_id("bulk-" + std::to_string(i));
    e.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
    auto* t = e.mutable_article()->add_translations();
    t->set_locale("en");
    t->set_summary(big);
    ASSERT_OK(redis_->Command({"XADD", keys::kEventStream, "*", "event", e.SerializeAsString(),
                               "event_id", e.event_id(), "type", "ARTICLE_EVENT_TYPE_PUBLISHED",
                               "article_id", "a"}));
  }
  // Now read everything: the stream must end with RESOURCE_EXHAUSTED, not hang.
  v1::SubscribeResponse msg;
  int n = 0;
  while (reader->Read(&msg)) ++n;
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message() << " after " << n;
  EXPECT_LT(n, 4000);
}

}  // namespace
}  // namespace bulletin::notify
