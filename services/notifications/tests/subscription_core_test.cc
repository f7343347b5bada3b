// SubscriptionCore over the real Redis store: ownership, validation, idempotency,
// cursors, listing and deletion, against a redis-server started for the test.
#include "services/notifications/core/subscriptions/subscription_core.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "common/base/etag.h"
#include "common/redis/keys.h"
#include "common/testing/redis_server.h"
#include "services/notifications/store/redis/redis_subscription_store.h"

namespace bulletin::notify {
namespace {

const Caller kAcme = Principal{Role::kPartner, "acme"};
const Caller kBeta = Principal{Role::kPartner, "beta"};
const Caller kAdmin = Principal{Role::kAdmin, ""};
const Caller kEditor = Principal{Role::kEditor, ""};

Subscription Sample(const std::string& name = "Acme news feed") {
  Subscription s;
  s.display_name = name;
  s.filter.event_types = {events::v1::ARTICLE_EVENT_TYPE_PUBLISHED};
  s.filter.locales = {"zh-CN"};
  s.webhook_url = "https://hooks.acme.example/bulletin";
  return s;
}

class NotifySubscriptionCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    redis_ = std::make_unique<RedisClient>(server_->options());
    store_ = std::make_unique<RedisSubscriptionStore>(*redis_);
    core_ = std::make_unique<SubscriptionCore>(*store_, SubscriptionCoreOptions{false});
  }

  std::string Xadd() {
    auto r = redis_->Command({"XADD", keys::kEventStream, "*", "event", "x"});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->str : "";
  }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisSubscriptionStore> store_;
  std::unique_ptr<SubscriptionCore> core_;
};

TEST_F(NotifySubscriptionCoreTest, PartnerOwnsWhatItCreatesAndOnlyThat) {
  auto created = core_->Create(kAcme, Sample(), "");
  ASSERT_TRUE(created.ok()) << created.status();
  const Subscription& sub = created->subscription;
  EXPECT_EQ(sub.owner, "partner:acme");
  EXPECT_EQ(sub.state, SubscriptionState::kActive);
  EXPECT_FALSE(sub.etag.empty());
  ASSERT_EQ(created->signing_secret.rfind("whsec_", 0), 0u);
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(created->signing_secret.substr(6), &raw));
  EXPECT_EQ(raw.size(), 32u);

  auto mine = core_->Get(kAcme, sub.id);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->display_name, "Acme news feed");
  EXPECT_EQ(mine->filter.locales, std::vector<std::string>{"zh-CN"});
  EXPECT_EQ(mine->webhook_url, sub.webhook_url);
  EXPECT_EQ(mine->create_time, sub.create_time);
  EXPECT_EQ(core_->Get(kBeta, sub.id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(core_->Get(kAdmin, sub.id).ok());
  EXPECT_EQ(core_->Get(kAcme, "no-such-id").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(core_->Get(kAcme, "bad/id").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NotifySubscriptionCoreTest, RolesAndOwners) {
  EXPECT_EQ(core_->Create(Caller(), Sample(), "").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(core_->Create(kEditor, Sample(), "").status().code(),
            absl::StatusCode::kPermissionDenied);
  Subscription other = Sample();
  other.owner = "partner:beta";
  EXPECT_EQ(core_->Create(kAcme, other, "").status().code(), absl::StatusCode::kPermissionDenied);
  auto by_admin = core_->Create(kAdmin, other, "");
  ASSERT_TRUE(by_admin.ok()) << by_admin.status();
  EXPECT_EQ(by_admin->subscription.owner, "partner:beta");
  EXPECT_TRUE(core_->Get(kBeta, by_admin->subscription.id).ok());
}

TEST_F(NotifySubscriptionCoreTest, BadInputNamesTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(Subscription&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](Subscription& s) { s.display_name = ""; }, "subscription.display_name"},
      {[](Subscription& s) { s.display_name = std::string(101, 'x'); },
       "subscription.display_name"},
      {[](Subscription& s) { s.filter.event_types = {static_cast<EventType>(0)}; },
       "subscription.filter.event_types[0]"},
      {[](Subscription& s) {
         s.filter.locales = {"en", "e"};
       },
       "subscription.filter.locales[1]"},
      {[](Subscription& s) { s.filter.category_ids = {"a b"}; },
       "subscription.filter.category_ids[0]"},
      {[](Subscription& s) { s.webhook_url = "http://hooks.acme.example/"; },
       "subscription.webhook_url"},
      {[](Subscription& s) { s.webhook_url = "https://127.0.0.1:8443/"; },
       "subscription.webhook_url"},
  };
  for (const Case& c : cases) {
    Subscription s = Sample();
    c.mutate(s);
    absl::Status st = core_->Create(kAcme, s, "").status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(st.message().find(c.field + ": "), 0u) << st;
  }
  EXPECT_EQ(core_->Create(kAcme, Sample(), "bad request id").status().message().find("request_id"),
            0u);
  auto list = core_->List(kAdmin, 0, "", "");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->subscriptions.empty());
}

TEST_F(NotifySubscriptionCoreTest, PrivateWebhooksOnlyWhenAllowed) {
  SubscriptionCore permissive(*store_, SubscriptionCoreOptions{true});
  Subscription s = Sample();
  s.webhook_url = "http://127.0.0.1:9000/hook";
  EXPECT_TRUE(permissive.Create(kAcme, s, "").ok());
  EXPECT_EQ(core_->Create(kAcme, s, "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NotifySubscriptionCoreTest, RequestIdReturnsTheFirstResultWithItsSecret) {
  auto first = core_->Create(kAcme, Sample(), "req-1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = core_->Create(kAcme, Sample("another name"), "req-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->subscription.id, first->subscription.id);
  EXPECT_EQ(again->subscription.display_name, "Acme news feed");
  EXPECT_EQ(again->signing_secret, first->signing_secret);
  // Another partner's identical request_id is its own request.
  auto beta = core_->Create(kBeta, Sample(), "req-1");
  ASSERT_TRUE(beta.ok());
  EXPECT_NE(beta->subscription.id, first->subscription.id);
}

TEST_F(NotifySubscriptionCoreTest, NewSubscriptionStartsAfterTheStreamsNewestEntry) {
  auto before_stream = core_->Create(kAcme, Sample(), "");
  ASSERT_TRUE(before_stream.ok());
  auto cursor = store_->GetCursor(before_stream->subscription.id);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->ToString(), "0-0");

  Xadd();
  std::string last = Xadd();
  auto created = core_->Create(kAcme, Sample(), "");
  ASSERT_TRUE(created.ok());
  const std::string id = created->subscription.id;
  cursor = store_->GetCursor(id);
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->ToString(), last);

  std::string later = Xadd();
  ASSERT_TRUE(store_->AdvanceCursor(id, *StreamId::Parse(later)).ok());
  ASSERT_TRUE(store_->AdvanceCursor(id, *StreamId::Parse(last)).ok());  // never backwards
  EXPECT_EQ(store_->GetCursor(id)->ToString(), later);
}

TEST_F(NotifySubscriptionCoreTest, ListsNewestFirstInPagesPerOwner) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto c = core_->Create(kAcme, Sample("feed " + std::to_string(i)), "");
    ASSERT_TRUE(c.ok());
    ids.push_back(c->subscription.id);
  }
  ASSERT_TRUE(core_->Create(kBeta, Sample(), "").ok());
  std::vector<std::string> seen;
  std::string token;
  do {
    auto page = core_->List(kAcme, 2, token, "");
    ASSERT_TRUE(page.ok()) << page.status();
    for (const Subscription& s : page->subscriptions) seen.push_back(s.id);
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));
  auto all = core_->List(kAdmin, 0, "", "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->subscriptions.size(), 6u);
  auto beta_only = core_->List(kAdmin, 0, "", "partner:beta");
  ASSERT_TRUE(beta_only.ok());
  EXPECT_EQ(beta_only->subscriptions.size(), 1u);
  EXPECT_EQ(core_->List(kAcme, 0, "", "partner:beta").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(core_->List(kAcme, -1, "", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(core_->List(kAcme, 0, "junk", "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(NotifySubscriptionCoreTest, DeleteChecksOwnerAndEtag) {
  std::vector<std::string> deleted;
  core_->SetDeleteListener([&](const std::string& id) { deleted.push_back(id); });
  auto c = core_->Create(kAcme, Sample(), "");
  ASSERT_TRUE(c.ok());
  const std::string id = c->subscription.id;
  EXPECT_EQ(core_->Delete(kBeta, id, "").code(), absl::StatusCode::kNotFound);
  absl::Status stale = core_->Delete(kAcme, id, "stale");
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(CurrentEtagOf(stale), c->subscription.etag);
  ASSERT_TRUE(core_->Delete(kAcme, id, c->subscription.etag).ok());
  EXPECT_EQ(deleted, std::vector<std::string>{id});
  EXPECT_EQ(core_->Get(kAcme, id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(core_->List(kAcme, 0, "", "")->subscriptions.empty());
  // A cursor write racing the deletion does not bring the hash back.
  ASSERT_TRUE(store_->AdvanceCursor(id, StreamId{1, 0}).ok());
  EXPECT_EQ(store_->GetCursor(id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(NotifySubscriptionCoreTest, AtMostOneHundredPerOwner) {
  for (int i = 0; i < kMaxSubscriptionsPerOwner; ++i) {
    ASSERT_TRUE(core_->Create(kAcme, Sample(), "").ok()) << i;
  }
  EXPECT_EQ(core_->Create(kAcme, Sample(), "").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(core_->Create(kBeta, Sample(), "").ok());
}

TEST_F(NotifySubscriptionCoreTest, RedisDownIsUnavailable) {
  server_->Kill();
  EXPECT_EQ(core_->Create(kAcme, Sample(), "").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(core_->Get(kAcme, "some-id").status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace bulletin::notify
