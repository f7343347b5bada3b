// Shared by the ContentCore tests: a core over the store of the test's backend
// (store_backend.h: the memory fake or a SQLite file), an injected clock, and helpers to
// create, publish and read outbox events.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bulletin/events/v1/events.pb.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {

inline const Caller kEditor = Principal{Role::kEditor, ""};
inline const Caller kAdmin = Principal{Role::kAdmin, ""};
inline const Caller kFrontend = Principal{Role::kFrontend, ""};
inline const Caller kAnonymous = std::nullopt;

using ::bulletin::testing::StatusIs;

class CoreFixture : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, GetParam().open());
    core_ = std::make_unique<ContentCore>(store_->articles(), Options());
  }

  ContentOptions Options() {
    ContentOptions options;
    options.site_base_url = "https://news.example.org";
    options.clock = [this] { return now_; };
    options.token_key = "test-key-0123456789abcdef";
    options.on_event_committed = [this] { ++commits_; };
    return options;
  }

  ArticleStore& articles() { return store_->articles(); }
  OutboxStore& outbox() { return store_->outbox(); }

  static Translation Text(const std::string& title, const std::string& summary = "",
                          const std::string& body = "<p>Body</p>") {
    Translation t;
    t.title = title;
    t.summary = summary;
    t.body = body;
    return t;
  }

  static Article Bilingual(const std::string& en_title, const std::string& zh_title = "中文标题") {
    Article a;
    a.default_locale = "en";
    a.translations["en"] = Text(en_title, "Summary");
    a.translations["zh-CN"] = Text(zh_title, "摘要", "<p>正文</p>");
    return a;
  }

  Article Create(const Article& a, const std::string& request_id = "") {
    absl::StatusOr<Article> created = core_->CreateArticle(kEditor, a, request_id);
    EXPECT_OK(created);
    return created.ok() ? *created : Article{};
  }

  Article Publish(const Article& a) {
    absl::StatusOr<Article> published = core_->PublishArticle(kEditor, {a.id, "", std::nullopt});
    EXPECT_OK(published);
    return published.ok() ? *published : Article{};
  }

  Category MakeCategory(const std::string& slug, const std::string& parent_id = "") {
    Category c;
    c.slug = slug;
    c.parent_id = parent_id;
    c.default_locale = "en";
    c.translations["en"].name = slug;
    absl::StatusOr<Category> created = core_->CreateCategory(kEditor, c, "");
    EXPECT_OK(created);
    return created.ok() ? *created : Category{};
  }

  // Every outbox event not yet relayed, oldest first, parsed.
  std::vector<events::v1::ArticleEvent> Events() {
    std::vector<events::v1::ArticleEvent> out;
    absl::StatusOr<std::vector<OutboxEvent>> pending = outbox().PendingEvents(1000);
    EXPECT_OK(pending);
    if (!pending.ok()) return out;
    for (const OutboxEvent& e : *pending) {
      events::v1::ArticleEvent event;
      EXPECT_TRUE(event.ParseFromString(e.payload));
      out.push_back(event);
    }
    return out;
  }

  int64_t OutboxRows() {
    absl::StatusOr<int64_t> rows = outbox().CountOutboxEvents();
    EXPECT_OK(rows);
    return rows.value_or(-1);
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  int commits_ = 0;
  std::unique_ptr<StoreUnderTest> store_;
  std::unique_ptr<ContentCore> core_;
};

}  // namespace bulletin::content
