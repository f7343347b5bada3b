// The relay lease of replicas on one PostgreSQL (label postgres): one replica holds it at a
// time and keeps it; when the holder goes, another takes it over; when the database
// restarts, the holder's session is gone and the lease is taken again on a new one. And an
// OutboxRelay whose store does not hold the lease sends nothing.
#include <gtest/gtest.h>

#include <memory>

#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/testing/postgres_server.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/events/outbox_relay.h"
#include "services/content/store/postgres/pg_relay_lease.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace {

class RelayLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::PostgresServer::Start());
    ASSERT_OK_AND_ASSIGN(uri_, server_->CreateDatabase("lease"));
  }
  std::unique_ptr<testing::PostgresServer> server_;
  std::string uri_;
};

TEST_F(RelayLeaseTest, OneHolderAtATimeAndATakeOverWhenItGoes) {
  auto first = std::make_unique<PgRelayLease>(uri_);
  PgRelayLease second(uri_);
  ASSERT_OK_AND_ASSIGN(bool held, first->Hold());
  EXPECT_TRUE(held);
  ASSERT_OK_AND_ASSIGN(held, second.Hold());
  EXPECT_FALSE(held);
  ASSERT_OK_AND_ASSIGN(held, first->Hold());
  EXPECT_TRUE(held) << "the holder keeps the lease";
  ASSERT_OK_AND_ASSIGN(held, second.Hold());
  EXPECT_FALSE(held);

  first.reset();  // the holder's process ends: its session, and the lock, go with it
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  held = false;
  while (!held && absl::Now() < deadline) {
    ASSERT_OK_AND_ASSIGN(held, second.Hold());
    if (!held) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(held) << "the other replica takes the lease over";
}

TEST_F(RelayLeaseTest, TheLeaseIsTakenAgainAfterTheDatabaseRestarted) {
  PgRelayLease lease(uri_);
  ASSERT_OK_AND_ASSIGN(bool held, lease.Hold());
  ASSERT_TRUE(held);
  server_->Stop();
  EXPECT_FALSE(lease.Hold().ok()) << "no database, no lease";
  ASSERT_OK(server_->Restart());
  ASSERT_OK_AND_ASSIGN(held, lease.Hold());
  EXPECT_TRUE(held);
  // And a second session cannot take it from the new one.
  PgRelayLease other(uri_);
  ASSERT_OK_AND_ASSIGN(held, other.Hold());
  EXPECT_FALSE(held);
}

TEST_F(RelayLeaseTest, OnlyTheHoldersRelaySends) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::RedisServer> redis_server,
                       testing::RedisServer::Start());
  RedisClient redis(redis_server->options());
  PostgresStoreOptions options;
  options.uri = uri_;
  options.pool_size = 2;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresArticleStore> one,
                       PostgresArticleStore::Open(options));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresArticleStore> two,
                       PostgresArticleStore::Open(options));
  // Three events, written through the second replica's core.
  ContentCore core(*two, ContentOptions());
  const Caller editor = Principal{Role::kEditor, "editor"};
  for (int i = 0; i < 3; ++i) {
    Article a;
    a.slug = "story-" + std::to_string(i);
    a.default_locale = "en";
    a.translations["en"].title = "Story " + std::to_string(i);
    a.translations["en"].body = "<p>Body</p>";
    ASSERT_OK_AND_ASSIGN(Article created, core.CreateArticle(editor, a, ""));
    PublishCommand publish;
    publish.id = created.id;
    ASSERT_OK(core.PublishArticle(editor, publish).status());
  }
  OutboxRelay holder(*one, redis, RelayOptions());
  OutboxRelay waiting(*two, redis, RelayOptions());
  ASSERT_OK_AND_ASSIGN(const bool held, one->HoldRelayLease());
  ASSERT_TRUE(held);
  ASSERT_OK_AND_ASSIGN(int sent, waiting.RunOnce());
  EXPECT_EQ(sent, 0) << "the replica without the lease sends nothing";
  ASSERT_OK_AND_ASSIGN(sent, holder.RunOnce());
  EXPECT_EQ(sent, 3);
  ASSERT_OK_AND_ASSIGN(RedisReply len, redis.Command({"XLEN", keys::kEventStream}));
  EXPECT_EQ(len.integer, 3);
}

}  // namespace
}  // namespace bulletin::content
