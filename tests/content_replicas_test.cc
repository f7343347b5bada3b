// Two bulletin-content replicas on one PostgreSQL (label postgres), as an operator runs
// them: a real PostgreSQL 15 and redis-server, both binaries on free loopback ports.
//   - 200 concurrent creates, updates and publishes spread over both, with 20 scheduled
//     publishes falling due during the load: every event reaches the stream once, in
//     revision order per article, and each scheduled article is published exactly once;
//   - an update through one replica is read through the other within 1 s, though the
//     other had the article in its cache;
//   - the replica that sends the events is SIGKILLed mid-load: every acknowledged write is
//     in the database, every event of it reaches the stream (the other replica takes the
//     sending over), and the other replica goes on serving.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/proto/time.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace v1 = ::bulletin::content::v1;

// One replica: its process, address and client.
struct Replica {
  ChildProcess process;
  std::string address;
  std::string log;
  std::unique_ptr<v1::ContentService::Stub> stub;
};

// An acknowledged write of a published article: the revision the replica answered with.
struct Ack {
  std::string article_id;
  int64_t revision = 0;
};

class ContentReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(pg_, PostgresServer::Start());
    ASSERT_OK_AND_ASSIGN(uri_, pg_->CreateDatabase("content"));
    ASSERT_OK_AND_ASSIGN(redis_server_, RedisServer::Start());
    redis_ = std::make_unique<RedisClient>(redis_server_->options());
    std::ofstream(dir_.path() + "/tokens") << "editor " << kEditorToken << "\n";
    for (int i = 0; i < 2; ++i) ASSERT_NO_FATAL_FAILURE(StartReplica(i));
  }

  void StartReplica(int i) {
    Replica& r = replicas_[i];
    r.address = absl::StrCat("127.0.0.1:", FreePort());
    r.log = absl::StrCat(dir_.path(), "/content-", i, ".log");
    ASSERT_OK(r.process.Start(
        BinDir() + "/bulletin-content",
        {"--listen=" + r.address, "--db=" + uri_, "--db-pool-size=4",
         "--redis=" + redis_server_->url(), "--auth-tokens-file=" + dir_.path() + "/tokens",
         "--rate-token=0", "--rate-anonymous=0"},
        {}, r.log));
    ASSERT_TRUE(WaitUntil([&] { return IsServing(r.address); }, absl::Seconds(20)))
        << "replica " << i << " did not start; see " << r.log;
    r.stub = v1::ContentService::NewStub(
        grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials()));
  }

  v1::ContentService::Stub& stub(int i) { return *replicas_[i % 2].stub; }

  // The replica whose log says it took the relay lease (-1 if none yet).
  int Sender() {
    for (int i = 0; i < 2; ++i) {
      std::ifstream in(replicas_[i].log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.find("this replica now sends the outbox events") != std::string::npos) return i;
    }
    return -1;
  }

  absl::StatusOr<v1::Article> Create(int replica, const std::string& title) {
    v1::CreateArticleRequest req;
    req.mutable_article()->set_default_locale("en");
    auto& en = (*req.mutable_article()->mutable_translations())["en"];
    en.set_title(title);
    en.set_body("<p>" + title + "</p>");
    return Call(replica, [&](grpc::ClientContext* ctx, v1::Article* out) {
      return stub(replica).CreateArticle(ctx, req, out);
    });
  }

  absl::StatusOr<v1::Article> Publish(int replica, const std::string& id,
                                      absl::Duration delay = absl::ZeroDuration()) {
    v1::PublishArticleRequest req;
    req.set_id(id);
    if (delay > absl::ZeroDuration()) {
      *req.mutable_publish_time() = ToProtoTime(absl::Now() + delay);
    }
    return Call(replica, [&](grpc::ClientContext* ctx, v1::Article* out) {
      return stub(replica).PublishArticle(ctx, req, out);
    });
  }

  absl::StatusOr<v1::Article> Retitle(int replica, const std::string& id,
                                      const std::string& title) {
    v1::UpdateArticleRequest req;
    req.mutable_article()->set_id(id);
    (*req.mutable_article()->mutable_translations())["en"].set_title(title);
    req.mutable_update_mask()->add_paths("translations.en.title");
    return Call(replica, [&](grpc::ClientContext* ctx, v1::Article* out) {
      return stub(replica).UpdateArticle(ctx, req, out);
    });
  }

  absl::StatusOr<v1::Article> Read(int replica, const std::string& id) {
    v1::GetArticleRequest req;
    req.set_id(id);
    return Call(replica, [&](grpc::ClientContext* ctx, v1::Article* out) {
      return stub(replica).GetArticle(ctx, req, out);
    });
  }

  template <typename F>
  absl::StatusOr<v1::Article> Call(int replica, F rpc) {
    std::unique_ptr<grpc::ClientContext> ctx = Context(kEditorToken, absl::Seconds(10));
    v1::Article out;
    grpc::Status s = rpc(ctx.get(), &out);
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                          absl::StrCat("replica ", replica % 2, ": ", s.error_message()));
    }
    return out;
  }

  // Every event on the stream, oldest first.
  std::vector<events::v1::ArticleEvent> StreamEvents() {
    std::vector<events::v1::ArticleEvent> out;
    absl::StatusOr<RedisReply> r = redis_->Command({"XRANGE", keys::kEventStream, "-", "+"});
    EXPECT_OK(r);
    if (!r.ok()) return out;
    for (const RedisReply& entry : r->elements) {
      const std::vector<RedisReply>& fields = entry.elements[1].elements;
      for (size_t f = 0; f + 1 < fields.size(); f += 2) {
        if (fields[f].str == keys::kFieldEvent)
          out.emplace_back().ParseFromString(fields[f + 1].str);
      }
    }
    return out;
  }

  // Waits until the stream holds `n` events or more; returns them.
  std::vector<events::v1::ArticleEvent> WaitEvents(size_t n, absl::Duration timeout) {
    std::vector<events::v1::ArticleEvent> events;
    WaitUntil(
        [&] {
          events = StreamEvents();
          return events.size() >= n;
        },
        timeout);
    return events;
  }

  std::string Logs() {
    std::string out;
    for (const Replica& r : replicas_) {
      std::ifstream in(r.log);
      out += "---- " + r.log + "\n" +
             std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return out;
  }

  std::unique_ptr<PostgresServer> pg_;
  std::string uri_;
  std::unique_ptr<RedisServer> redis_server_;
  std::unique_ptr<RedisClient> redis_;
  TempDir dir_;
  Replica replicas_[2];
};

TEST_F(ContentReplicasTest, ConcurrentWritesOverTwoReplicasReachTheStreamOnceAndInOrder) {
  // 20 articles scheduled to fall due during the load (2 to 4 s from now).
  std::vector<std::string> scheduled;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(v1::Article a, Create(i, absl::StrCat("Scheduled ", i)));
    ASSERT_OK(Publish(i + 1, a.id(), absl::Milliseconds(2000 + 100 * i)).status());
    scheduled.push_back(a.id());
  }
  // 8 threads x 20 articles: create, publish, retitle twice (through alternating
  // replicas): 160 writes, 120 of them emit an event.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string title = absl::StrCat("Story ", t, "-", i);
        absl::StatusOr<v1::Article> a = Create(t + i, title);
        if (!a.ok() || !Publish(t + i + 1, a->id()).ok() ||
            !Retitle(t + i, a->id(), title + " (edited)").ok() ||
            !Retitle(t + i + 1, a->id(), title + " (edited again)").ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0) << Logs();

  // 20 scheduled + 40 published + 80 retitles of published articles = 140 events.
  const std::vector<events::v1::ArticleEvent> events = WaitEvents(140, absl::Seconds(15));
  std::set<std::string> ids;
  std::map<std::string, int64_t> last_revision;
  std::map<std::string, int> published;
  for (const events::v1::ArticleEvent& e : events) {
    EXPECT_TRUE(ids.insert(e.event_id()).second) << "event sent twice: " << e.event_id();
    int64_t& last = last_revision[e.article().id()];
    EXPECT_GT(e.article().revision(), last) << "out of order for " << e.article().id();
    last = e.article().revision();
    if (e.type() == events::v1::ARTICLE_EVENT_TYPE_PUBLISHED) ++published[e.article().id()];
  }
  EXPECT_EQ(events.size(), 140u) << Logs();
  for (const std::string& id : scheduled) {
    EXPECT_EQ(published[id], 1) << "scheduled article " << id;
    ASSERT_OK_AND_ASSIGN(v1::Article a, Read(0, id));
    EXPECT_EQ(a.state(), v1::ARTICLE_STATE_PUBLISHED);
  }
}

TEST_F(ContentReplicasTest, AnEditThroughOneReplicaIsReadThroughTheOtherWithinASecond) {
  ASSERT_OK_AND_ASSIGN(v1::Article a, Create(0, "Before"));
  ASSERT_OK(Publish(0, a.id()).status());
  for (int round = 0; round < 5; ++round) {
    const int writer = round % 2, reader = 1 - writer;
    // The reader caches the published article...
    ASSERT_OK_AND_ASSIGN(v1::Article cached, Read(reader, a.id()));
    ASSERT_OK_AND_ASSIGN(cached, Read(reader, a.id()));
    // ... and sees the other replica's edit within a second.
    const std::string title = absl::StrCat("After ", round);
    ASSERT_OK(Retitle(writer, a.id(), title).status());
    const absl::Time edited = absl::Now();
    bool seen = false;
    while (!seen && absl::Now() - edited < absl::Seconds(3)) {
      ASSERT_OK_AND_ASSIGN(v1::Article read, Read(reader, a.id()));
      seen = read.translations().at("en").title() == title;
      if (!seen) absl::SleepFor(absl::Milliseconds(10));
    }
    const absl::Duration took = absl::Now() - edited;
    EXPECT_TRUE(seen) << "round " << round;
    EXPECT_LE(took, absl::Seconds(1)) << "round " << round;
  }
}

TEST_F(ContentReplicasTest, TheSenderKilledMidLoadLosesNoAcknowledgedWriteOrEvent) {
  // Make sure a sender exists, then know which replica it is.
  ASSERT_OK_AND_ASSIGN(v1::Article first, Create(0, "Warm up"));
  ASSERT_OK(Publish(0, first.id()).status());
  WaitEvents(1, absl::Seconds(5));
  const int sender = Sender();
  ASSERT_NE(sender, -1) << Logs();
  const int survivor = 1 - sender;

  absl::Mutex mu;
  std::vector<Ack> acks;
  std::atomic<bool> stop{false};
  std::atomic<int> survivor_failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load() && i < 40; ++i) {
        const int replica = t + i;
        const bool to_survivor = replica % 2 == survivor;
        absl::StatusOr<v1::Article> a = Create(replica, absl::StrCat("Load ", t, "-", i));
        if (a.ok()) a = Publish(replica, a->id());
        if (a.ok()) a = Retitle(replica, a->id(), absl::StrCat("Load ", t, "-", i, " edited"));
        if (!a.ok()) {
          if (to_survivor) ++survivor_failures;
          continue;
        }
        absl::MutexLock lock(&mu);
        acks.push_back({a->id(), a->revision()});
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(700));
  replicas_[sender].process.Stop(SIGKILL);
  absl::SleepFor(absl::Milliseconds(1000));
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(survivor_failures.load(), 0) << "the other replica went on serving\n" << Logs();

  absl::MutexLock lock(&mu);
  ASSERT_GT(acks.size(), 10u);
  // Every acknowledged write is in the database (read through the survivor) ...
  for (const Ack& ack : acks) {
    ASSERT_OK_AND_ASSIGN(v1::Article a, Read(survivor, ack.article_id));
    EXPECT_GE(a.revision(), ack.revision) << ack.article_id;
  }
  // ... and each one's event reaches the stream: the survivor takes the sending over.
  auto all_delivered = [&] {
    std::set<std::pair<std::string, int64_t>> seen;
    for (const events::v1::ArticleEvent& e : StreamEvents()) {
      seen.insert({e.article().id(), e.article().revision()});
    }
    for (const Ack& ack : acks) {
      if (seen.count({ack.article_id, ack.revision}) == 0) return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitUntil(all_delivered, absl::Seconds(15))) << Logs();
  std::ifstream in(replicas_[survivor].log);
  std::string survivor_log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(survivor_log.find("this replica now sends the outbox events"), std::string::npos);
}

}  // namespace
}  // namespace bulletin::testing
