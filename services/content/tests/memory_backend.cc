// StoreBackends() of the unit tier: the in-memory fake (store/memory), no file, no server.
#include <memory>

#include "services/content/store/memory/memory_article_store.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

class MemoryStore : public StoreUnderTest {
 public:
  ArticleStore& articles() override { return store_; }
  OutboxStore& outbox() override { return store_; }
  absl::StatusOr<ArticleStore*> SecondHandle() override { return &store_; }

 private:
  MemoryArticleStore store_;
};

}  // namespace

std::vector<StoreBackend> StoreBackends() {
  return {{"memory", []() -> absl::StatusOr<std::unique_ptr<StoreUnderTest>> {
             return std::make_unique<MemoryStore>();
           }}};
}

}  // namespace bulletin::content
