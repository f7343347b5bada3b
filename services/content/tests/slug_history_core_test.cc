// Slug history through ContentCore, with its article cache on, on every backend of the
// binary (store_backend.h): after a rename (of the article slug or a translation slug), a
// read by any former slug -- by a reader, cached or not -- answers the article with its
// current slugs and language links, the current slug reads the same, and no other article
// can take a former slug (given: ALREADY_EXISTS; derived from a title: the next suffix).
#include <gtest/gtest.h>

#include <string>

#include "services/content/tests/content_fixture.h"

namespace bulletin::content {
namespace {

class SlugHistoryCoreTest : public CoreFixture {
 protected:
  ArticleRead Read(const std::string& slug, const std::string& locale = "") {
    ArticleQuery q;
    q.slug = slug;
    q.locale = locale;
    absl::StatusOr<ArticleRead> read = core_->GetArticle(kAnonymous, q);
    EXPECT_OK(read) << slug;
    return read.ok() ? *read : ArticleRead{};
  }

  Article Rename(const std::string& id, const std::string& path, const std::string& slug) {
    UpdateCommand cmd;
    cmd.article.id = id;
    cmd.article.slug = slug;
    cmd.article.translations["zh-CN"].slug = slug;
    cmd.paths = {path};
    absl::StatusOr<Article> updated = core_->UpdateArticle(kEditor, cmd);
    EXPECT_OK(updated);
    return updated.ok() ? *updated : Article{};
  }
};

CONTENT_STORE_TEST_SUITE(SlugHistoryCoreTest);

TEST_P(SlugHistoryCoreTest, AFormerSlugReadsTheArticleWithItsCurrentSlugsCachedOrNot) {
  Article a = Bilingual("Volunteers meet", "志愿者会面");
  a.slug = "volunteers-meet";
  a.translations["zh-CN"].slug = "zhi-yuan-zhe";
  const Article created = Publish(Create(a));
  // Both slugs read (and now sit in the cache).
  EXPECT_EQ(Read("volunteers-meet").article.id, created.id);
  EXPECT_EQ(Read("zhi-yuan-zhe", "zh-CN").article.id, created.id);

  Rename(created.id, "slug", "volunteers-met");
  Rename(created.id, "translations.zh-CN.slug", "zhi-yuan-zhe-hui-mian");
  for (int pass = 0; pass < 2; ++pass) {
    // The second pass is answered from the cache where it can be.
    if (pass == 1) {
      ASSERT_EQ(core_->cache().size(), 1u);
    }
    for (const std::string slug :
         {"volunteers-meet", "volunteers-met", "zhi-yuan-zhe", "zhi-yuan-zhe-hui-mian"}) {
      SCOPED_TRACE(slug);
      const ArticleRead read = Read(slug, "zh-CN");
      EXPECT_EQ(read.article.id, created.id);
      EXPECT_EQ(read.article.slug, "volunteers-met");
      EXPECT_EQ(read.article.translations.at("zh-CN").slug, "zhi-yuan-zhe-hui-mian");
      ASSERT_EQ(read.published_locales.size(), 2u);
      for (const LocaleLink& link : read.published_locales) {
        EXPECT_EQ(link.slug, link.locale == "en" ? "volunteers-met" : "zhi-yuan-zhe-hui-mian");
      }
    }
  }

  // Nobody else may have a former slug.
  Article other = Bilingual("Another story");
  other.slug = "volunteers-meet";
  EXPECT_THAT(core_->CreateArticle(kEditor, other, ""),
              StatusIs(absl::StatusCode::kAlreadyExists, "article.slug"));
  other.slug = "";
  other.translations["en"].title = "Volunteers meet";  // derives "volunteers-meet"
  const Article derived = Create(other);
  EXPECT_EQ(derived.slug, "volunteers-meet-2");
  // ... but the article may take its own former slug back.
  EXPECT_EQ(Rename(created.id, "slug", "volunteers-meet").slug, "volunteers-meet");
  EXPECT_EQ(Read("volunteers-met").article.slug, "volunteers-meet");
}

}  // namespace
}  // namespace bulletin::content
