// Tests of the outbox relay against a real redis-server (testing::RedisServer), over the
// memory store's outbox: delivery, Redis down at publish time, a Redis that restarts
// having lost the stream (new run_id -> re-send), and a master whose replica has not got
// the events yet (not marked sent until it has).
#include "services/content/events/outbox_relay.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <set>

#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

const Caller kEditor = Principal{Role::kEditor, ""};

class ContentRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis_server_, testing::RedisServer::Start());
    client_ = std::make_unique<RedisClient>(redis_server_->options());
    store_ = std::make_unique<MemoryArticleStore>();
    RelayOptions options;
    options.idle_poll = absl::Milliseconds(50);
    options.min_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    options.retention = absl::Hours(1);
    options.clock = [this] { return now_ + (absl::Now() - start_); };
    relay_ = std::make_unique<OutboxRelay>(*store_, *client_, options);
    ContentOptions core_options;
    core_options.on_event_committed = [this] { relay_->Notify(); };
    core_ = std::make_unique<ContentCore>(*store_, core_options);
  }

  void TearDown() override {
    if (relay_) relay_->Stop();
  }

  // Creates and publishes an article; returns its id.
  std::string Publish(const std::string& title) {
    Article a;
    a.default_locale = "en";
    a.translations["en"].title = title;
    a.translations["en"].body = "<p>Body</p>";
    auto created = core_->CreateArticle(kEditor, a, "");
    EXPECT_OK(created);
    auto published = core_->PublishArticle(kEditor, {created->id, "", std::nullopt});
    EXPECT_OK(published);
    return created->id;
  }

  // The stream's entries as parsed events, oldest first.
  std::vector<events::v1::ArticleEvent> StreamEvents() {
    std::vector<events::v1::ArticleEvent> out;
    auto r = client_->Command({"XRANGE", keys::kEventStream, "-", "+"});
    if (!r.ok()) return out;
    for (const RedisReply& entry : r->elements) {
      const auto& fields = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == keys::kFieldEvent) {
          events::v1::ArticleEvent e;
          EXPECT_TRUE(e.ParseFromString(fields[i + 1].str));
          out.push_back(e);
        }
      }
    }
    return out;
  }

  bool StreamHas(size_t n) {
    return testing::WaitUntil([&] { return StreamEvents().size() == n; }, absl::Seconds(15));
  }

  std::string RedisRunId() {
    auto info = client_->Command({"INFO", "server"});
    if (!info.ok()) return "";
    size_t at = info->str.find("run_id:");
    return info->str.substr(at + 7, 40);
  }

  absl::Time now_ = absl::Now();
  const absl::Time start_ = absl::Now();
  std::unique_ptr<testing::RedisServer> redis_server_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<MemoryArticleStore> store_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<ContentCore> core_;
};

TEST_F(ContentRelayTest, PublishedEventReachesTheStreamQuickly) {
  relay_->Start();
  const absl::Time before = absl::Now();
  std::string id = Publish("Hello stream");
  ASSERT_TRUE(StreamHas(1));
  EXPECT_LT(absl::Now() - before, absl::Seconds(1));
  auto entries = client_->Command({"XRANGE", keys::kEventStream, "-", "+"});
  ASSERT_OK(entries);
  const auto& fields = entries->elements[0].elements[1].elements;
  std::map<std::string, std::string> by_name;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) by_name[fields[i].str] = fields[i + 1].str;
  EXPECT_EQ(by_name[keys::kFieldType], "ARTICLE_EVENT_TYPE_PUBLISHED");
  EXPECT_EQ(by_name[keys::kFieldArticleId], id);
  events::v1::ArticleEvent event = StreamEvents()[0];
  EXPECT_EQ(by_name[keys::kFieldEventId], event.event_id());
  EXPECT_EQ(event.article().id(), id);
  ASSERT_TRUE(
      testing::WaitUntil([&] { return store_->PendingEvents(10)->empty(); }, absl::Seconds(5)));
}

TEST_F(ContentRelayTest, EventsCountAsSentOnlyOnceARedisReplicaHasThem) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::RedisServer> replica,
                       testing::RedisServer::Start());
  RedisClient replica_client(replica->options());
  ASSERT_OK(
      replica_client.Command({"REPLICAOF", "127.0.0.1", std::to_string(redis_server_->port())})
          .status());
  auto info_has = [](RedisClient& client, const std::string& text) {
    absl::StatusOr<RedisReply> info = client.Command({"INFO", "replication"});
    return info.ok() && info->str.find(text) != std::string::npos;
  };
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return info_has(*client_, "connected_slaves:1") &&
               info_has(replica_client, "master_link_status:up");
      },
      absl::Seconds(10)));

  // The replica stops (as if cut off): the master takes the XADD, but no replica has it.
  ASSERT_EQ(kill(replica->pid(), SIGSTOP), 0);
  Publish("Replicated");
  absl::StatusOr<int> sent = relay_->RunOnce();
  EXPECT_TRUE(absl::IsUnavailable(sent.status())) << sent.status();
  EXPECT_EQ(store_->PendingEvents(10)->size(), 1u) << "not marked sent";

  ASSERT_EQ(kill(replica->pid(), SIGCONT), 0);
  ASSERT_OK_AND_ASSIGN(int n, relay_->RunOnce());
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(store_->PendingEvents(10)->empty());
  // Sent twice (the first copy stays on the master's stream); one event for consumers.
  std::set<std::string> ids;
  for (const events::v1::ArticleEvent& e : StreamEvents()) ids.insert(e.event_id());
  EXPECT_EQ(ids.size(), 1u);
}

TEST_F(ContentRelayTest, EventPublishedWhileRedisIsDownArrivesAfterItRestarts) {
  relay_->Start();
  redis_server_->Kill();
  std::string first = Publish("While down 1");
  std::string second = Publish("While down 2");
  // The relay keeps trying; nothing is marked sent while Redis is away.
  EXPECT_EQ(store_->PendingEvents(10)->size(), 2u);
  ASSERT_OK(redis_server_->Restart());
  ASSERT_TRUE(StreamHas(2));
  auto events = StreamEvents();
  EXPECT_EQ(events[0].article().id(), first);
  EXPECT_EQ(events[1].article().id(), second);
}

TEST_F(ContentRelayTest, RedisRestartedEmptyGetsTheRecentEventsAgain) {
  relay_->Start();
  std::string id = Publish("Survives a lost second");
  ASSERT_TRUE(StreamHas(1));
  const std::string event_id = StreamEvents()[0].event_id();
  ASSERT_TRUE(testing::WaitUntil([&] { return *store_->LoadRelayRunId() == RedisRunId(); },
                                 absl::Seconds(5)));

  // Simulate a crash that lost the last second: the stream is gone after the restart.
  ASSERT_OK(client_->Command({"FLUSHALL"}));
  ASSERT_OK(redis_server_->Restart());
  ASSERT_TRUE(StreamHas(1));
  EXPECT_EQ(StreamEvents()[0].event_id(), event_id);
  EXPECT_EQ(StreamEvents()[0].article().id(), id);

  // A restart that kept the stream (AOF replayed) re-sends nothing.
  const std::string before = RedisRunId();
  ASSERT_OK(redis_server_->Restart());
  ASSERT_NE(RedisRunId(), before);
  ASSERT_TRUE(testing::WaitUntil([&] { return *store_->LoadRelayRunId() == RedisRunId(); },
                                 absl::Seconds(5)));
  std::string later = Publish("After the restarts");
  ASSERT_TRUE(StreamHas(2));
  EXPECT_EQ(StreamEvents()[1].article().id(), later);
}

TEST_F(ContentRelayTest, SentEventsAreDeletedAfterTheRetention) {
  Publish("Short-lived outbox row");
  auto sent = relay_->RunOnce();
  ASSERT_OK(sent);
  EXPECT_EQ(*sent, 1);
  EXPECT_EQ(*store_->CountOutboxEvents(), 1);
  now_ += absl::Minutes(30);
  ASSERT_OK(relay_->RunOnce());
  EXPECT_EQ(*store_->CountOutboxEvents(), 1);  // within the 1 h retention
  now_ += absl::Hours(1);
  ASSERT_OK(relay_->RunOnce());
  EXPECT_EQ(*store_->CountOutboxEvents(), 0);
}

}  // namespace
}  // namespace bulletin::content
