// StoreBackends() of the sqlite tier: SqliteArticleStore on a file in a fresh temporary
// directory per test.
#include <memory>

#include "common/base/status_macros.h"
#include "common/testing/process.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

class SqliteStore : public StoreUnderTest {
 public:
  static absl::StatusOr<std::unique_ptr<StoreUnderTest>> Open() {
    auto store = std::unique_ptr<SqliteStore>(new SqliteStore());
    ASSIGN_OR_RETURN(store->store_, SqliteArticleStore::Open(store->path()));
    return store;
  }

  ArticleStore& articles() override { return *store_; }
  OutboxStore& outbox() override { return *store_; }
  absl::StatusOr<ArticleStore*> SecondHandle() override {
    if (second_ == nullptr) {
      ASSIGN_OR_RETURN(second_, SqliteArticleStore::Open(path()));
    }
    return second_.get();
  }

 private:
  SqliteStore() = default;
  std::string path() const { return dir_.path() + "/content.db"; }

  testing::TempDir dir_;
  std::unique_ptr<SqliteArticleStore> store_;
  std::unique_ptr<SqliteArticleStore> second_;
};

}  // namespace

std::vector<StoreBackend> StoreBackends() { return {{"sqlite", &SqliteStore::Open}}; }

}  // namespace bulletin::content
