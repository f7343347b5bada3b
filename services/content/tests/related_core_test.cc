// ContentCore::ListRelatedArticles loads only the candidates that can reach the page, also
// with a requested locale (whose bonus could lift a candidate past the page): the core
// runs over FaultyArticleStore on the memory fake, the page's articles are cached, and
// GetArticle fails, so a call succeeds only if no other candidate is loaded.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/testing/status_matchers.h"
#include "services/content/core/content_core.h"
#include "services/content/store/memory/faulty_article_store.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

const Caller kEditor = Principal{Role::kEditor, ""};
const Caller kAnonymous = std::nullopt;

class RelatedCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ContentOptions options;
    options.clock = [this] { return now_; };
    core_ = std::make_unique<ContentCore>(faulty_, options);
    Category c;
    c.slug = "news";
    c.default_locale = "en";
    c.translations["en"].name = "News";
    ASSERT_OK_AND_ASSIGN(news_, core_->CreateCategory(kEditor, c, ""));
  }

  // A published article of the category with the tag "t", in `locales` (the first is
  // its default), published now; the clock then moves a minute on.
  Article MustPublish(const std::string& title, const std::vector<std::string>& locales) {
    Article a;
    a.default_locale = locales[0];
    a.category_id = news_.id;
    a.tags = {"t"};
    for (const std::string& locale : locales) {
      a.translations[locale].title = title + " " + locale;
      a.translations[locale].body = "<p>" + title + "</p>";
    }
    absl::StatusOr<Article> created = core_->CreateArticle(kEditor, a, "");
    EXPECT_OK(created);
    absl::StatusOr<Article> published =
        core_->PublishArticle(kEditor, {created.value_or(Article{}).id, "", std::nullopt});
    EXPECT_OK(published);
    now_ += absl::Minutes(1);
    return published.value_or(Article{});
  }

  void Cache(const Article& a) {
    ArticleQuery q;
    q.id = a.id;
    ASSERT_OK(core_->GetArticle(kAnonymous, q));
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  MemoryArticleStore store_;
  FaultyArticleStore faulty_{store_, store_};
  std::unique_ptr<ContentCore> core_;
  Category news_;
};

// Both candidates share the tag and the category (same score) and have the locale: the
// newer one makes the page of one; the older one, even with the bonus, ties and loses on
// recency, so it is never loaded (it was, while only scores were compared).
TEST_F(RelatedCoreTest, ACandidateTiedPastThePageIsNotLoaded) {
  const Article self = MustPublish("Alpha", {"en"});
  MustPublish("Bravo", {"en"});  // older
  const Article newer = MustPublish("Charlie", {"en"});
  Cache(self);
  Cache(newer);
  faulty_.Fail(StoreCall::kGetArticle);
  ASSERT_OK_AND_ASSIGN(std::vector<ArticleRead> related,
                       core_->ListRelatedArticles(kAnonymous, {self.id, "en", 1}));
  ASSERT_EQ(related.size(), 1u);
  EXPECT_EQ(related[0].article.id, newer.id);
}

// The newer candidate lacks the requested locale: the older one, which has it, is loaded
// and takes the page.
TEST_F(RelatedCoreTest, TheBonusStillLiftsACandidatePastAPageWithoutTheLocale) {
  const Article self = MustPublish("Alpha", {"en", "zh-CN"});
  const Article older = MustPublish("Bravo", {"en", "zh-CN"});
  const Article newer = MustPublish("Charlie", {"en"});
  Cache(self);
  Cache(newer);
  faulty_.Fail(StoreCall::kGetArticle);
  EXPECT_THAT(core_->ListRelatedArticles(kAnonymous, {self.id, "zh-CN", 1}),
              StatusIs(absl::StatusCode::kUnavailable));
  faulty_.Heal();
  ASSERT_OK_AND_ASSIGN(std::vector<ArticleRead> related,
                       core_->ListRelatedArticles(kAnonymous, {self.id, "zh-CN", 1}));
  ASSERT_EQ(related.size(), 1u);
  EXPECT_EQ(related[0].article.id, older.id);
}

}  // namespace
}  // namespace bulletin::content
