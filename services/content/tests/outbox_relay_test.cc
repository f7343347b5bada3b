// Tests of the outbox relay against a real Redis (testing::TestRedis: one redis-server, or
// a 3 + 3 node Redis Cluster under the redis-cluster label), over the memory store's
// outbox: delivery, Redis down at publish time, a Redis that comes back having lost the
// stream (a restart on one node, a failover to a replica without it on a cluster: new
// run_id -> re-send), a master whose replica has not got the events yet (not marked sent
// until it has), and, on a cluster, a SIGKILL of the stream's master while the relay
// publishes: every event is on the new master's stream.
#include "services/content/events/outbox_relay.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

const Caller kEditor = Principal{Role::kEditor, ""};

// The value of `field` in an INFO reply ("" when absent).
std::string InfoField(const std::string& info, const std::string& field) {
  const size_t at = info.find(field + ":");
  if (at == std::string::npos) return "";
  const size_t start = at + field.size() + 1;
  return info.substr(start, info.find_first_of("\r\n", start) - start);
}

class ContentRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis_, testing::TestRedis::Start());
    client_ = std::make_unique<RedisClient>(redis_->options());
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
  std::vector<events::v1::ArticleEvent> StreamEvents() { return StreamEventsOf(*client_); }
  std::vector<events::v1::ArticleEvent> StreamEventsOf(RedisClient& client) {
    std::vector<events::v1::ArticleEvent> out;
    auto r = client.Command({"XRANGE", keys::kEventStream, "-", "+"});
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

  // The stream's events without copies (the first entry of each event id), oldest first.
  std::vector<events::v1::ArticleEvent> DistinctStreamEvents() {
    std::vector<events::v1::ArticleEvent> out;
    std::set<std::string> seen;
    for (events::v1::ArticleEvent& e : StreamEvents()) {
      if (seen.insert(e.event_id()).second) out.push_back(std::move(e));
    }
    return out;
  }

  // The run_id of the node serving the stream (on a cluster: the master of its slot).
  std::string RedisRunId() {
    auto info = client_->CommandWhere(keys::kEventStream, {"INFO", "server"});
    if (!info.ok()) return "";
    return InfoField(info->str, "run_id");
  }

  // A cluster's node that serves the stream as master.
  absl::StatusOr<int> StreamMaster() {
    return redis_->cluster()->MasterOfSlot(KeySlot(keys::kEventStream));
  }

  // A replica of cluster node `master` (from the master's INFO replication).
  absl::StatusOr<int> ReplicaOf(int master) {
    testing::RedisTestCluster& cluster = *redis_->cluster();
    RedisClient client(cluster.NodeOptions(master));
    absl::StatusOr<RedisReply> info = client.Command({"INFO", "replication"});
    if (!info.ok()) return info.status();
    const std::string slave = InfoField(info->str, "slave0");  // ip=...,port=P,state=...
    const size_t at = slave.find("port=");
    int port = 0;
    if (at != std::string::npos &&
        absl::SimpleAtoi(slave.substr(at + 5, slave.find(',', at) - at - 5), &port)) {
      for (int n = 0; n < cluster.size(); ++n) {
        if (cluster.port(n) == port) return n;
      }
    }
    return absl::NotFoundError(absl::StrCat("no replica of node ", master, ": ", slave));
  }

  // The PID of the redis-server `client` reaches (INFO server).
  absl::StatusOr<pid_t> PidOf(RedisClient& client) {
    absl::StatusOr<RedisReply> info = client.Command({"INFO", "server"});
    if (!info.ok()) return info.status();
    pid_t pid = 0;
    if (!absl::SimpleAtoi(InfoField(info->str, "process_id"), &pid)) {
      return absl::InternalError("INFO server has no process_id");
    }
    return pid;
  }

  void FailoverDrill(bool lagging_replica);

  // The cluster's way of losing a master: SIGKILL of the stream's master; returns once its
  // replica serves the stream.
  absl::StatusOr<int> FailOverTheStream() {
    const int slot = KeySlot(keys::kEventStream);
    absl::StatusOr<int> master = StreamMaster();
    if (!master.ok()) return master.status();
    redis_->cluster()->Kill(*master);
    return redis_->cluster()->WaitForNewMaster(slot, *master, absl::Seconds(20));
  }

  absl::Time now_ = absl::Now();
  const absl::Time start_ = absl::Now();
  std::unique_ptr<testing::TestRedis> redis_;
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
  // One node: a second redis-server made its replica. A cluster: the replica of the
  // stream's master.
  std::unique_ptr<testing::RedisServer> replica;
  std::unique_ptr<RedisClient> replica_client;
  if (redis_->is_cluster()) {
    ASSERT_OK_AND_ASSIGN(const int master, StreamMaster());
    ASSERT_OK_AND_ASSIGN(const int node, ReplicaOf(master));
    replica_client = std::make_unique<RedisClient>(redis_->cluster()->NodeOptions(node));
  } else {
    ASSERT_OK_AND_ASSIGN(replica, testing::RedisServer::Start());
    replica_client = std::make_unique<RedisClient>(replica->options());
    ASSERT_OK(replica_client
                  ->Command({"REPLICAOF", "127.0.0.1", std::to_string(redis_->server()->port())})
                  .status());
  }
  auto info_has = [](absl::StatusOr<RedisReply> info, const std::string& text) {
    return info.ok() && info->str.find(text) != std::string::npos;
  };
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return info_has(client_->CommandWhere(keys::kEventStream, {"INFO", "replication"}),
                        "connected_slaves:1") &&
               info_has(replica_client->Command({"INFO", "replication"}), "master_link_status:up");
      },
      absl::Seconds(10)));
  ASSERT_OK_AND_ASSIGN(const pid_t pid, PidOf(*replica_client));

  // The replica stops (as if cut off): the master takes the XADD, but no replica has it.
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  Publish("Replicated");
  absl::StatusOr<int> sent = relay_->RunOnce();
  EXPECT_TRUE(absl::IsUnavailable(sent.status())) << sent.status();
  EXPECT_EQ(store_->PendingEvents(10)->size(), 1u) << "not marked sent";

  ASSERT_EQ(kill(pid, SIGCONT), 0);
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
  redis_->Kill();  // every node of a cluster
  std::string first = Publish("While down 1");
  std::string second = Publish("While down 2");
  // The relay keeps trying; nothing is marked sent while Redis is away.
  EXPECT_EQ(store_->PendingEvents(10)->size(), 2u);
  ASSERT_OK(redis_->Restart());
  // A cluster's replicas sync again after the restart: a batch sent before they have
  // acknowledged it (WAIT) goes again, so the stream may hold copies of it.
  ASSERT_TRUE(
      testing::WaitUntil([&] { return DistinctStreamEvents().size() == 2; }, absl::Seconds(15)));
  if (!redis_->is_cluster()) {
    EXPECT_EQ(StreamEvents().size(), 2u) << "one node: no copies";
  }
  auto events = DistinctStreamEvents();
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

  // Simulate a crash that lost the last second: the stream is gone after the restart (on
  // a cluster: after the failover to a replica that does not have it either).
  ASSERT_OK(client_->Command({"FLUSHALL"}));
  int old_master = -1;
  if (redis_->is_cluster()) {
    ASSERT_OK_AND_ASSIGN(old_master, StreamMaster());
    ASSERT_OK(FailOverTheStream().status());
  } else {
    ASSERT_OK(redis_->server()->Restart());
  }
  ASSERT_TRUE(StreamHas(1));
  EXPECT_EQ(StreamEvents()[0].event_id(), event_id);
  EXPECT_EQ(StreamEvents()[0].article().id(), id);

  // A restart that kept the stream (AOF replayed; on a cluster, a failover back to the old
  // master once it has rejoined as a replica and synced) re-sends nothing.
  const std::string before = RedisRunId();
  if (redis_->is_cluster()) {
    ASSERT_OK(redis_->cluster()->Restart(old_master));
    ASSERT_OK(redis_->cluster()->WaitHealthy(absl::Seconds(30)));
    ASSERT_OK(FailOverTheStream().status());
  } else {
    ASSERT_OK(redis_->server()->Restart());
  }
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

// The relay failover drill on a cluster: the relay publishes (a publish every 5 ms) while the
// master of the stream is SIGKILLed; once the replica took over and the relay drained the
// outbox, every published event is on the new master's stream. With `lagging_replica`, the
// replica is stopped and its link cut for 300 ms before the kill, so the old master, then
// without a connected replica (no WAIT), has acknowledged XADDs its replica never got:
// those are on the new master only because the relay re-sent them after the failover
// (new run_id, entries missing). WAIT itself: EventsCountAsSentOnlyOnce... above.
void ContentRelayTest::FailoverDrill(bool lagging_replica) {
  relay_->Start();
  std::atomic<bool> stop{false};
  std::vector<std::string> published;  // article ids, written by the publisher only
  std::thread publisher([&] {
    for (int i = 0; !stop.load(); ++i) {
      published.push_back(Publish(absl::StrCat("Drill ", i)));
      absl::SleepFor(absl::Milliseconds(5));
    }
  });
  auto join = absl::MakeCleanup([&] {
    stop = true;
    publisher.join();
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return StreamEvents().size() >= 20; }, absl::Seconds(15)));
  const int slot = KeySlot(keys::kEventStream);
  ASSERT_OK_AND_ASSIGN(const int master, StreamMaster());
  pid_t replica = 0;
  if (lagging_replica) {
    ASSERT_OK_AND_ASSIGN(const int node, ReplicaOf(master));
    RedisClient replica_client(redis_->cluster()->NodeOptions(node));
    ASSERT_OK_AND_ASSIGN(replica, PidOf(replica_client));
    ASSERT_EQ(kill(replica, SIGSTOP), 0);
    // The master drops the link too (what it had sent may still sit in the stopped
    // replica's socket): what it takes from now on is on no replica.
    RedisClient master_client(redis_->cluster()->NodeOptions(master));
    ASSERT_OK_AND_ASSIGN(RedisReply cut,
                         master_client.Command({"CLIENT", "KILL", "TYPE", "replica"}));
    ASSERT_EQ(cut.integer, 1);
    absl::SleepFor(absl::Milliseconds(300));  // below the node timeout: it stays eligible
  }
  const absl::Time killed = absl::Now();
  redis_->cluster()->Kill(master);
  if (lagging_replica) {
    ASSERT_EQ(kill(replica, SIGCONT), 0);
  }
  absl::StatusOr<int> new_master =
      redis_->cluster()->WaitForNewMaster(slot, master, absl::Seconds(20));
  const absl::Duration failover = absl::Now() - killed;
  absl::SleepFor(absl::Seconds(1));  // publishing on through the new master
  std::move(join).Invoke();
  ASSERT_OK(new_master.status());
  ASSERT_TRUE(
      testing::WaitUntil([&] { return store_->PendingEvents(10)->empty(); }, absl::Seconds(30)))
      << "the relay sends on to the new master";

  // Read from the new master itself: every published article's event is there.
  RedisClient on_new_master(redis_->cluster()->NodeOptions(*new_master));
  std::vector<events::v1::ArticleEvent> stream = StreamEventsOf(on_new_master);
  std::set<std::string> articles, event_ids;
  for (const events::v1::ArticleEvent& e : stream) {
    articles.insert(e.article().id());
    event_ids.insert(e.event_id());
  }
  int missing = 0;
  for (const std::string& id : published) {
    if (!articles.count(id)) ++missing;
  }
  EXPECT_EQ(missing, 0) << "of " << published.size() << " published";
  EXPECT_EQ(event_ids.size(), published.size()) << "one event per publish (copies aside)";
  std::fprintf(stderr,
               "relay failover drill%s: %zu events published, %zu entries on the new master "
               "(%zu copies), failover %.1f s\n",
               lagging_replica ? " (lagging replica)" : "", published.size(), stream.size(),
               stream.size() - event_ids.size(), absl::ToDoubleSeconds(failover));
}

TEST_F(ContentRelayTest, EveryEventIsOnTheNewMastersStreamAfterAFailover) {
  if (!redis_->is_cluster()) {
    GTEST_SKIP() << "a failover needs a cluster (one node: RedisRestartedEmpty... above)";
  }
  FailoverDrill(/*lagging_replica=*/false);
}

TEST_F(ContentRelayTest, EveryEventIsOnTheNewMastersStreamAfterAFailoverToALaggingReplica) {
  if (!redis_->is_cluster()) {
    GTEST_SKIP() << "a failover needs a cluster (one node: EventsCountAsSentOnlyOnce... above)";
  }
  FailoverDrill(/*lagging_replica=*/true);
}

}  // namespace
}  // namespace bulletin::content
