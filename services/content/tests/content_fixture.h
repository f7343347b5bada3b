// Shared by the ContentCore unit tests: a core over a real SQLite file in a temporary
// directory, an injected clock, and helpers to create, publish and read outbox events.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bulletin/events/v1/events.pb.h"
#include "common/testing/process.h"
#include "services/content/core/content_core.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace bulletin::content {

inline const Caller kEditor = Principal{Role::kEditor, ""};
inline const Caller kAdmin = Principal{Role::kAdmin, ""};
inline const Caller kFrontend = Principal{Role::kFrontend, ""};
inline const Caller kAnonymous = std::nullopt;

class CoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteArticleStore::Open(dir_.path() + "/content.db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    core_ = std::make_unique<ContentCore>(*store_, Options());
  }

  ContentOptions Options() {
    ContentOptions options;
    options.site_base_url = "https://news.example.org";
    options.clock = [this] { return now_; };
    options.token_key = "test-key-0123456789abcdef";
    return options;
  }

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

  Article Create(const Article& a) {
    auto created = core_->CreateArticle(kEditor, a, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : Article{};
  }

  Article Publish(const Article& a) {
    auto published = core_->PublishArticle(kEditor, {a.id, "", std::nullopt});
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : Article{};
  }

  Category MakeCategory(const std::string& slug, const std::string& parent_id = "") {
    Category c;
    c.slug = slug;
    c.parent_id = parent_id;
    c.default_locale = "en";
    c.translations["en"].name = slug;
    auto created = core_->CreateCategory(kEditor, c, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : Category{};
  }

  // Every outbox event so far, oldest first, parsed.
  std::vector<events::v1::ArticleEvent> Events() {
    std::vector<events::v1::ArticleEvent> out;
    auto pending = store_->PendingEvents(1000);
    EXPECT_TRUE(pending.ok());
    for (const OutboxEvent& e : *pending) {
      events::v1::ArticleEvent event;
      EXPECT_TRUE(event.ParseFromString(e.payload));
      out.push_back(event);
    }
    return out;
  }

  testing::TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<SqliteArticleStore> store_;
  std::unique_ptr<ContentCore> core_;
};

}  // namespace bulletin::content
