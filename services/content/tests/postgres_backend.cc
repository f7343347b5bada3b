// StoreBackends() of the postgres tier: PostgresArticleStore on a fresh database per test,
// all on one PostgreSQL server per test binary run (started by the first test, stopped by
// its PID at exit). Without PostgreSQL 15 installed every test fails, saying so.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/testing/postgres_server.h"
#include "services/content/store/postgres/postgres_article_store.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

// The binary's server, or why it could not start (asked once).
absl::StatusOr<testing::PostgresServer*> Server() {
  static absl::StatusOr<std::unique_ptr<testing::PostgresServer>> server =
      testing::PostgresServer::Start();
  if (!server.ok()) return server.status();
  return server->get();
}

class PostgresStore : public StoreUnderTest {
 public:
  static absl::StatusOr<std::unique_ptr<StoreUnderTest>> Open() {
    static int databases = 0;
    ASSIGN_OR_RETURN(testing::PostgresServer * server, Server());
    auto store = std::unique_ptr<PostgresStore>(new PostgresStore());
    ASSIGN_OR_RETURN(store->options_.uri,
                     server->CreateDatabase(absl::StrCat("test_", ++databases)));
    store->options_.pool_size = 4;
    ASSIGN_OR_RETURN(store->store_, PostgresArticleStore::Open(store->options_));
    return store;
  }

  ArticleStore& articles() override { return *store_; }
  OutboxStore& outbox() override { return *store_; }
  // A second replica's store: its own pool on the same database.
  absl::StatusOr<ArticleStore*> SecondHandle() override {
    if (second_ == nullptr) {
      ASSIGN_OR_RETURN(second_, PostgresArticleStore::Open(options_));
    }
    return second_.get();
  }

 private:
  PostgresStore() = default;

  PostgresStoreOptions options_;
  std::unique_ptr<PostgresArticleStore> store_;
  std::unique_ptr<PostgresArticleStore> second_;
};

}  // namespace

std::vector<StoreBackend> StoreBackends() { return {{"postgres", &PostgresStore::Open}}; }

}  // namespace bulletin::content
