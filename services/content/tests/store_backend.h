// The store a parameterised content test runs on. A test binary links exactly one
// definition of StoreBackends(): memory_backend.cc (the in-memory fake: the unit tier, no
// database file) or sqlite_backend.cc (a SQLite file in a temporary directory: the sqlite
// tier), so the same test files hold both stores to the same behaviour.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/content/core/article_store.h"

namespace bulletin::content {

class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual ArticleStore& articles() = 0;
  virtual OutboxStore& outbox() = 0;
  // Another handle on the same data, as a second replica has: a second connection to the
  // same file (SQLite), the same store (memory).
  virtual absl::StatusOr<ArticleStore*> SecondHandle() = 0;
};

struct StoreBackend {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<StoreUnderTest>>()> open;
};

// The backends of this test binary.
std::vector<StoreBackend> StoreBackends();

// The parameter name of a backend in test names ("memory", "sqlite").
inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// Instantiates the value-parameterised `suite` once per backend of the binary.
#define CONTENT_STORE_TEST_SUITE(suite) \
  INSTANTIATE_TEST_SUITE_P(Stores, suite, ::testing::ValuesIn(StoreBackends()), BackendName)

}  // namespace bulletin::content
