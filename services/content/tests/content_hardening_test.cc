// Tests of ContentCore against hostile input, on each store backend (store_backend.h):
// deeply nested bodies, control characters, oversized input quoted in errors, tampered
// page tokens, out-of-range times, SQLite's own error text and unknown categories. Each is
// answered with the documented code and a short message naming the field.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "services/content/core/search_query.h"
#include "services/content/tests/content_fixture.h"

namespace bulletin::content {
namespace {

using ContentHardeningTest = CoreFixture;
CONTENT_STORE_TEST_SUITE(ContentHardeningTest);

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

TEST_P(ContentHardeningTest, DeeplyNestedBodiesAreRefusedQuicklyNamingTheField) {
  for (const std::string& body :
       {Repeat("<b>", 30000) + "x", Repeat("<div>", 60000), Repeat("<div>", 100000)}) {
    Article a = Bilingual("Deep");
    a.translations["en"].body = body;
    const absl::Time start = absl::Now();
    EXPECT_THAT(core_->CreateArticle(kEditor, a, ""),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "article.translations[en].body: HTML nested deeper than 256 elements"));
    EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << body.size() << " bytes";
  }
  // Nesting up to the limit is kept as written.
  Article a = Bilingual("Nested");
  a.translations["en"].body = Repeat("<div>", 200) + "x" + Repeat("</div>", 200);
  Article created = Create(a);
  EXPECT_EQ(created.translations["en"].body, a.translations["en"].body);
  // An update is held to the same bound.
  UpdateCommand cmd;
  cmd.article.id = created.id;
  cmd.article.translations["en"] = Text("Nested", "", Repeat("<i>", 5000));
  cmd.paths = {"translations.en.body"};
  EXPECT_THAT(core_->UpdateArticle(kEditor, cmd),
              StatusIs(absl::StatusCode::kInvalidArgument, "article.translations[en].body:"));
}

TEST_P(ContentHardeningTest, ControlCharactersInAQueryAreRefusedNamingTheQuery) {
  Publish(Create(Bilingual("Searchable news")));
  for (const std::string& text : {std::string("news\0x", 6), std::string("news\x1b[31m"),
                                  std::string("\x07news"), std::string("news \xc2\x85")}) {
    SearchQuery q;
    q.query = text;
    EXPECT_THAT(core_->SearchArticles(q),
                StatusIs(absl::StatusCode::kInvalidArgument, "query: must not contain control"));
  }
  SearchQuery q;
  q.query = "\xff\xfe";
  EXPECT_THAT(core_->SearchArticles(q), StatusIs(absl::StatusCode::kInvalidArgument, "query:"));
  q.query = " \t ";
  EXPECT_THAT(core_->SearchArticles(q), StatusIs(absl::StatusCode::kInvalidArgument, "query:"));
  q.query = "searchable\tnews";  // tabs and line breaks separate words
  ASSERT_OK_AND_ASSIGN(SearchPage page, core_->SearchArticles(q));
  EXPECT_EQ(page.results.size(), 1u);
}

TEST_P(ContentHardeningTest, TheStoreSearchesPhrasesWithControlCharacters) {
  // A store called with a phrase the core would refuse answers, never with the search
  // engine's syntax error.
  Publish(Create(Bilingual("Harbour news")));
  TextQuery query;
  query.phrases = ParseSearchQuery(std::string("harbour\0\x1b news", 14));
  ASSERT_FALSE(query.phrases.empty());
  EXPECT_OK(articles().Search(query, "", {}, 10));
}

TEST_P(ContentHardeningTest, AnUnknownCategoryIsAFailedPreconditionNamingTheField) {
  Article a = Bilingual("Filed nowhere");
  a.category_id = "no-such-category";
  EXPECT_THAT(core_->CreateArticle(kEditor, a, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "article.category_id: no category with id \"no-such-category\""));
  Article created = Create(Bilingual("Filed later"));
  UpdateCommand cmd;
  cmd.article.id = created.id;
  cmd.article.category_id = "no-such-category";
  cmd.paths = {"category_id"};
  EXPECT_THAT(core_->UpdateArticle(kEditor, cmd),
              StatusIs(absl::StatusCode::kFailedPrecondition, "article.category_id:"));
  const Category news = MakeCategory("news");
  cmd.article.category_id = news.id;
  ASSERT_OK_AND_ASSIGN(Article filed, core_->UpdateArticle(kEditor, cmd));
  EXPECT_EQ(filed.category_id, news.id);
}

TEST_P(ContentHardeningTest, OneTextRuleForEveryTextField) {
  struct Case {
    std::function<void(Article&)> mutate;
    std::string message;
  };
  const std::string esc = "\x1b[2J", bel = "\x07", nul(1, '\0');
  const std::vector<Case> cases = {
      {[](Article& a) { a.translations["en"].title = "   "; },
       "article.translations[en].title: required"},
      {[&](Article& a) { a.translations["en"].title = "Breaking" + esc; },
       "article.translations[en].title: must not contain control characters"},
      {[](Article& a) { a.translations["en"].title = "Two\nlines"; },
       "article.translations[en].title: must not contain control characters"},
      {[&](Article& a) { a.translations["en"].summary = "Sum" + bel; },
       "article.translations[en].summary: must not contain control characters"},
      {[&](Article& a) { a.translations["zh-CN"].cover_image_caption = nul; },
       "article.translations[zh-CN].cover_image_caption: must not contain control characters"},
      {[](Article& a) { a.translations["en"].cover_image_alt = "\xc2\x9b"; },  // C1 CSI
       "article.translations[en].cover_image_alt: must not contain control characters"},
      {[&](Article& a) { a.translations["en"].body = "<p>x" + esc + "</p>"; },
       "article.translations[en].body: must not contain control characters"},
      {[&](Article& a) {
         a.tags = {"ok", "t" + bel};
       },
       "article.tags[1]: must not contain control characters"},
  };
  for (const Case& c : cases) {
    Article a = Bilingual("Valid");
    c.mutate(a);
    EXPECT_THAT(core_->CreateArticle(kEditor, a, ""),
                StatusIs(absl::StatusCode::kInvalidArgument, c.message));
  }
  // Line breaks stay allowed where text runs over lines.
  Article multi = Bilingual("Valid");
  multi.translations["en"].summary = "First line\nsecond line\twith a tab";
  EXPECT_OK(core_->CreateArticle(kEditor, multi, ""));

  Category cat;
  cat.slug = "c";
  cat.default_locale = "en";
  cat.translations["en"].name = "  ";
  EXPECT_THAT(
      core_->CreateCategory(kEditor, cat, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, "category.translations[en].name: required"));
  cat.translations["en"].name = "News" + esc;
  EXPECT_THAT(core_->CreateCategory(kEditor, cat, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "category.translations[en].name: must not contain control characters"));
  cat.translations["en"].name = "News";
  cat.translations["en"].description = "About" + bel;
  EXPECT_THAT(core_->CreateCategory(kEditor, cat, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "category.translations[en].description: must not contain control"));

  ListArticlesQuery list;
  list.tag = "news" + esc;
  EXPECT_THAT(core_->ListArticles(kAnonymous, list),
              StatusIs(absl::StatusCode::kInvalidArgument, "tag: must not contain control"));
  EXPECT_EQ(OutboxRows(), 0);
}

TEST_P(ContentHardeningTest, CoverImageUrlsAreHttpUrlsOrSitePaths) {
  for (const char* good :
       {"https://cdn.example.org/2018/02/a%20b.jpg?w=640#x", "http://example.org:8080/x.png",
        "https://[2001:db8::1]/x.jpg", "/media/2018/02/tripartite-meeting.jpg",
        "https://example.org/\xe5\x9b\xbe.jpg"}) {
    Article a = Bilingual(std::string("Good ") + good);
    a.translations["en"].cover_image_url = good;
    EXPECT_OK(core_->CreateArticle(kEditor, a, "")) << good;
  }
  for (const std::string& bad :
       {std::string("https://example.org/a b.jpg"), std::string("https://example.org/\"x\".jpg"),
        std::string("https://example.org/x.jpg' onerror='alert(1)"),
        std::string("https://example.org/<script>"), std::string("javascript:alert(1)"),
        std::string("data:image/png;base64,AAAA"), std::string("//evil.example/x.jpg"),
        std::string("https:///x.jpg"), std::string("https://user:pw@example.org/x.jpg"),
        std::string("https://example.org:http/x"), std::string("https://example.org/%zz"),
        std::string("https://example.org/x\x01.jpg"), std::string("media/x.jpg"),
        std::string("https://example.org/") + std::string(2100, 'a')}) {
    Article a = Bilingual("Bad");
    a.translations["en"].cover_image_url = bad;
    EXPECT_THAT(
        core_->CreateArticle(kEditor, a, ""),
        StatusIs(absl::StatusCode::kInvalidArgument, "article.translations[en].cover_image_url: "))
        << bad;
  }
}

TEST_P(ContentHardeningTest, ErrorMessagesQuoteAtMostAnExcerptOfTheInput) {
  const std::string huge(70000, 'q');
  const Article created = Create(Bilingual("Quoted"));
  const Category category = MakeCategory("quoted");
  std::vector<std::pair<std::string, absl::Status>> answers;
  auto answer = [&](const std::string& what, const absl::Status& status) {
    answers.emplace_back(what, status);
  };

  ArticleQuery by_slug;
  by_slug.slug = huge;
  answer("GetArticle slug", core_->GetArticle(kAnonymous, by_slug).status());
  ArticleQuery by_locale;
  by_locale.id = created.id;
  by_locale.locale = huge;
  answer("GetArticle locale", core_->GetArticle(kAnonymous, by_locale).status());
  Article keyed = Bilingual("Keyed");
  keyed.translations[huge] = Text("t");
  answer("translations key", core_->CreateArticle(kEditor, keyed, "").status());
  for (const std::string& path : {huge, "state." + huge, "translations." + huge + ".title",
                                  "translations.en." + huge, "translations.en.title." + huge}) {
    UpdateCommand cmd;
    cmd.article.id = created.id;
    cmd.paths = {path};
    answer("update_mask " + path.substr(0, 20), core_->UpdateArticle(kEditor, cmd).status());
  }
  UpdateCommand stale;
  stale.article.id = created.id;
  stale.article.etag = huge;
  stale.paths = {"featured"};
  answer("etag", core_->UpdateArticle(kEditor, stale).status());
  UpdateCommand relocale;
  relocale.article.id = created.id;
  relocale.article.default_locale = huge;
  relocale.paths = {"default_locale"};
  answer("default_locale", core_->UpdateArticle(kEditor, relocale).status());
  CategoryUpdate category_update;
  category_update.category.id = category.id;
  category_update.paths = {huge};
  answer("category update_mask", core_->UpdateCategory(kEditor, category_update).status());
  answer("DeleteCategory etag", core_->DeleteCategory(kAdmin, category.id, huge));
  answer("GetCategory slug", core_->GetCategory("", huge).status());
  ArticleQuery preview;
  preview.id = created.id;
  preview.preview_token = huge;
  answer("preview_token", core_->GetArticle(kAnonymous, preview).status());
  ListArticlesQuery list;
  list.page_token = huge;
  answer("page_token", core_->ListArticles(kAnonymous, list).status());
  SearchQuery search;
  search.query = huge;
  answer("query", core_->SearchArticles(search).status());
  // The stores quote what they are given the same way.
  answer("store slug", articles().GetArticleBySlug(huge).status());
  answer("store category slug", articles().GetCategoryBySlug(huge).status());
  answer("store category", articles().GetCategory(huge).status());

  for (const auto& [what, status] : answers) {
    EXPECT_FALSE(status.ok()) << what;
    EXPECT_LT(status.message().size(), 200u) << what << ": " << status.message().substr(0, 300);
  }
}

// `token` with the base64url character at `i` changed in its highest bit, so the bytes it
// encodes change (the low bits of a last character may be padding).
std::string Flipped(std::string token, size_t i) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t value = kAlphabet.find(token[i]);
  token[i] = value == std::string::npos ? 'A' : kAlphabet[value ^ 32];
  return token;
}

TEST_P(ContentHardeningTest, EveryPageTokenIsSignedAndBoundToItsList) {
  const Category parent = MakeCategory("parent");
  for (int i = 0; i < 3; ++i) {
    now_ += absl::Minutes(1);
    MakeCategory("child-" + std::to_string(i), parent.id);
    Article a = Publish(Create(Bilingual("Harbour story " + std::to_string(i))));
    UpdateCommand cmd;
    cmd.article.id = a.id;
    cmd.article.featured = true;
    cmd.paths = {"featured"};
    ASSERT_OK(core_->UpdateArticle(kEditor, cmd));
  }
  const std::string article_id = Create(Bilingual("Revised")).id;
  for (int i = 0; i < 3; ++i) {
    UpdateCommand cmd;
    cmd.article.id = article_id;
    cmd.article.featured = i % 2 == 0;
    cmd.paths = {"featured"};
    ASSERT_OK(core_->UpdateArticle(kEditor, cmd));
  }

  ListArticlesQuery list;
  list.page_size = 1;
  SearchQuery search;
  search.query = "harbour";
  search.page_size = 1;
  RevisionsQuery revisions;
  revisions.article_id = article_id;
  revisions.page_size = 1;
  CategoryListQuery categories;
  categories.page_size = 1;
  // Each list's call with a page token, and its first page's next token.
  struct Lister {
    std::string name;
    std::function<absl::Status(const std::string&)> call;
    std::string token;
  };
  std::vector<Lister> listers = {
      {"ListArticles",
       [&](const std::string& t) {
         ListArticlesQuery q = list;
         q.page_token = t;
         return core_->ListArticles(kAnonymous, q).status();
       },
       ""},
      {"SearchArticles",
       [&](const std::string& t) {
         SearchQuery q = search;
         q.page_token = t;
         return core_->SearchArticles(q).status();
       },
       ""},
      {"ListArticleRevisions",
       [&](const std::string& t) {
         RevisionsQuery q = revisions;
         q.page_token = t;
         return core_->ListArticleRevisions(kEditor, q).status();
       },
       ""},
      {"ListCategories",
       [&](const std::string& t) {
         CategoryListQuery q = categories;
         q.page_token = t;
         return core_->ListCategories(q).status();
       },
       ""},
  };
  ASSERT_OK_AND_ASSIGN(ArticlePage articles_page, core_->ListArticles(kAnonymous, list));
  listers[0].token = articles_page.next_page_token;
  ASSERT_OK_AND_ASSIGN(SearchPage search_page, core_->SearchArticles(search));
  listers[1].token = search_page.next_page_token;
  ASSERT_OK_AND_ASSIGN(RevisionPage revision_page, core_->ListArticleRevisions(kEditor, revisions));
  listers[2].token = revision_page.next_page_token;
  ASSERT_OK_AND_ASSIGN(CategoryPage category_page, core_->ListCategories(categories));
  listers[3].token = category_page.next_page_token;

  for (const Lister& l : listers) {
    ASSERT_FALSE(l.token.empty()) << l.name;
    EXPECT_OK(l.call(l.token)) << l.name;
    for (size_t i = 0; i < l.token.size(); ++i) {
      EXPECT_THAT(l.call(Flipped(l.token, i)),
                  StatusIs(absl::StatusCode::kInvalidArgument, "page_token: "))
          << l.name << " accepted a token altered at " << i;
    }
    for (const std::string& forged :
         {std::string("a.b"), l.token + "A", l.token.substr(1), std::string(70000, 'A')}) {
      EXPECT_THAT(l.call(forged), StatusIs(absl::StatusCode::kInvalidArgument, "page_token: "))
          << l.name;
    }
    // A token made for one list is refused by every other one.
    for (const Lister& other : listers) {
      if (other.name == l.name) continue;
      EXPECT_THAT(other.call(l.token), StatusIs(absl::StatusCode::kInvalidArgument, "page_token: "))
          << l.name << "'s token accepted by " << other.name;
    }
  }
}

TEST_P(ContentHardeningTest, TimesFromCallersAreRangeChecked) {
  // A caller of the core need not have gone through the Timestamp conversion.
  const Article a = Create(Bilingual("Timely"));
  const absl::Time year_one =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  for (const absl::Time bad :
       {absl::InfinitePast(), year_one - absl::Seconds(1), absl::FromUnixSeconds(-70000000000)}) {
    EXPECT_THAT(core_->PublishArticle(kEditor, {a.id, "", bad}),
                StatusIs(absl::StatusCode::kInvalidArgument, "publish_time: "));
  }
  EXPECT_THAT(core_->PublishArticle(kEditor, {a.id, "", absl::InfiniteFuture()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "publish_time: more than 1 year ahead"));
  ASSERT_OK_AND_ASSIGN(Article published, core_->PublishArticle(kEditor, {a.id, "", year_one}));
  EXPECT_EQ(published.publish_time, year_one);
  ASSERT_OK_AND_ASSIGN(Article stored, articles().GetArticle(a.id));
  EXPECT_EQ(stored.publish_time, year_one);

  // A translation's update_time is the server's, whatever the request carried.
  now_ += absl::Hours(1);
  UpdateCommand same;
  same.article.id = a.id;
  same.article.translations["en"] = stored.translations.at("en");
  same.article.translations["en"].update_time = absl::InfinitePast();
  same.paths = {"translations.en"};
  ASSERT_OK_AND_ASSIGN(Article unchanged, core_->UpdateArticle(kEditor, same));
  EXPECT_EQ(unchanged.translations.at("en").update_time, stored.translations.at("en").update_time);
  same.article.translations["en"].title = "Timely, edited";
  ASSERT_OK_AND_ASSIGN(Article edited, core_->UpdateArticle(kEditor, same));
  EXPECT_EQ(edited.translations.at("en").update_time, now_);
}

}  // namespace
}  // namespace bulletin::content
