// Tests of ContentCore's reads of many on each store backend: keyset pages with
// signed tokens, filters, search (Chinese bigrams, English stemming, BM25 order,
// snippets), related articles, and the category tree.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "services/content/tests/content_fixture.h"

namespace bulletin::content {
namespace {

using ContentListsTest = CoreFixture;
CONTENT_STORE_TEST_SUITE(ContentListsTest);

std::vector<std::string> Ids(const ArticlePage& page) {
  std::vector<std::string> ids;
  for (const ArticleRead& r : page.articles) ids.push_back(r.article.id);
  return ids;
}

TEST_P(ContentListsTest, KeysetPagesStayCorrectWhileArticlesArePublished) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    now_ += absl::Minutes(1);
    ids.push_back(Publish(Create(Bilingual("Story " + std::to_string(i)))).id);
  }
  ListArticlesQuery q;
  q.page_size = 2;
  auto p1 = core_->ListArticles(kAnonymous, q);
  ASSERT_OK(p1);
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(p1->total_size, 5);
  EXPECT_TRUE(p1->articles[0].article.translations.at("en").body.empty());  // BASIC
  // A newer article published between pages does not shift the next page.
  now_ += absl::Minutes(1);
  Publish(Create(Bilingual("Breaking")));
  q.page_token = p1->next_page_token;
  auto p2 = core_->ListArticles(kAnonymous, q);
  ASSERT_OK(p2);
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{ids[2], ids[1]}));
  q.page_token = p2->next_page_token;
  auto p3 = core_->ListArticles(kAnonymous, q);
  ASSERT_OK(p3);
  EXPECT_EQ(Ids(*p3), (std::vector<std::string>{ids[0]}));
  EXPECT_TRUE(p3->next_page_token.empty());

  // Tampered, garbage and mismatched tokens name page_token.
  std::string tampered = p1->next_page_token;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  for (const std::string& token : {tampered, std::string("garbage"), std::string("a.b")}) {
    q.page_token = token;
    auto r = core_->ListArticles(kAnonymous, q);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument)) << token;
    EXPECT_TRUE(absl::StartsWith(r.status().message(), "page_token:")) << r.status();
  }
  q.page_token = p1->next_page_token;
  q.tag = "other";
  EXPECT_TRUE(
      absl::StartsWith(core_->ListArticles(kAnonymous, q).status().message(), "page_token:"));
  q = ListArticlesQuery{};
  q.page_size = -1;
  EXPECT_TRUE(
      absl::StartsWith(core_->ListArticles(kAnonymous, q).status().message(), "page_size:"));
}

TEST_P(ContentListsTest, FiltersByCategoryTreeTagLocaleStateAndFeatured) {
  Category news = MakeCategory("news");
  Category local = MakeCategory("local", news.id);
  Article in_news = Bilingual("In news");
  in_news.category_id = news.id;
  Article in_local = Bilingual("In local");
  in_local.category_id = local.id;
  in_local.tags = {"Volunteers"};
  Article english_only;
  english_only.default_locale = "en";
  english_only.translations["en"] = Text("English only");
  english_only.featured = true;
  now_ += absl::Minutes(1);
  const std::string a = Publish(Create(in_news)).id;
  now_ += absl::Minutes(1);
  const std::string b = Publish(Create(in_local)).id;
  now_ += absl::Minutes(1);
  const std::string c = Publish(Create(english_only)).id;
  const std::string draft = Create(Bilingual("Draft")).id;

  ListArticlesQuery q;
  q.category_id = news.id;
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{a}));
  q.include_subcategories = true;
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{b, a}));
  q = ListArticlesQuery{};
  q.tag = "volunteers";
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{b}));
  q = ListArticlesQuery{};
  q.locale = "zh-CN";
  auto with_fallback = core_->ListArticles(kAnonymous, q);
  ASSERT_EQ(with_fallback->articles.size(), 3u);
  EXPECT_EQ(with_fallback->articles[0].returned_locale, "en");  // c falls back
  q.require_translation = true;
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{b, a}));
  q = ListArticlesQuery{};
  q.featured_first = true;
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{c, b, a}));
  q.page_size = 1;
  auto first = core_->ListArticles(kAnonymous, q);
  q.page_token = first->next_page_token;
  EXPECT_EQ(Ids(*core_->ListArticles(kAnonymous, q)), (std::vector<std::string>{b}));
  q = ListArticlesQuery{};
  q.state = ArticleState::kDraft;
  EXPECT_THAT(core_->ListArticles(kAnonymous, q), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(Ids(*core_->ListArticles(kEditor, q)), (std::vector<std::string>{draft}));
  q = ListArticlesQuery{};
  q.category_id = "no-such-category";
  EXPECT_THAT(core_->ListArticles(kAnonymous, q), StatusIs(absl::StatusCode::kNotFound));
}

class ContentSearchTest : public CoreFixture {
 protected:
  void SetUp() override {
    CoreFixture::SetUp();
    Article volunteer;
    volunteer.default_locale = "zh-CN";
    volunteer.translations["zh-CN"] =
        Text("志愿服务合作项目三方会议召开", "三方就志愿服务合作交换了意见。",
             "<p>会议总结了志愿服务项目的进展，推动志愿服务走向世界。</p>");
    volunteer.translations["en"] =
        Text("Volunteers Meet on the Volunteer Service Cooperation Project",
             "Volunteer service partners met in Beijing.",
             "<p>The volunteers discussed the volunteer service programme.</p>");
    volunteer_ = Publish(Create(volunteer)).id;
    Article marathon;
    marathon.default_locale = "zh-CN";
    marathon.translations["zh-CN"] =
        Text("北京马拉松比赛圆满结束", "选手们实现了自己的愿望。", "<p>比赛在天安门广场开始。</p>");
    marathon.translations["en"] = Text("Beijing Marathon Ends", "Runners finished the race.",
                                       "<p>A volunteer handed out water to the runners.</p>");
    marathon_ = Publish(Create(marathon)).id;
    Article youth;
    youth.default_locale = "zh-CN";
    youth.translations["zh-CN"] =
        Text("青年活动报名启动", "", "<p>欢迎报名参加志愿者培训和其他活动。</p>");
    youth_ = Publish(Create(youth)).id;
    Create(Bilingual("Draft about volunteers", "志愿服务草稿"));  // never found: unpublished
  }

  std::vector<std::string> Find(const std::string& query, const std::string& locale = "") {
    SearchQuery q;
    q.query = query;
    q.locale = locale;
    auto page = core_->SearchArticles(q);
    EXPECT_OK(page);
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const SearchResult& r : page->results) ids.push_back(r.read.article.id);
    }
    return ids;
  }

  std::string volunteer_, marathon_, youth_;
};

CONTENT_STORE_TEST_SUITE(ContentSearchTest);

TEST_P(ContentSearchTest, ChineseBigramsFindWordsInsideUnspacedText) {
  std::vector<std::string> two = Find("志愿");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0], volunteer_);  // in the title, summary and body
  EXPECT_EQ(two[1], youth_);      // once, in the body (志愿者)
  EXPECT_EQ(Find("志愿服务"), (std::vector<std::string>{volunteer_}));
  EXPECT_EQ(Find("志愿 会议", "zh-CN"), (std::vector<std::string>{volunteer_}));
  EXPECT_TRUE(Find("愿望服务").empty());
  EXPECT_EQ(Find("愿望"), (std::vector<std::string>{marathon_}));  // 愿 alone is not 志愿
  std::vector<std::string> one_char = Find("赛");
  EXPECT_EQ(one_char, (std::vector<std::string>{marathon_}));
}

TEST_P(ContentSearchTest, EnglishIsStemmedAndRankedByBm25WithSnippets) {
  std::vector<std::string> hits = Find("volunteers", "en");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0], volunteer_);
  EXPECT_EQ(hits[1], marathon_);  // "volunteer" in the body only
  EXPECT_EQ(Find("VOLUNTEERING", "en")[0], volunteer_);

  SearchQuery q;
  q.query = "志愿";
  q.locale = "zh-CN";
  auto page = core_->SearchArticles(q);
  ASSERT_OK(page);
  const SearchResult& top = page->results[0];
  EXPECT_EQ(top.read.returned_locale, "zh-CN");
  EXPECT_TRUE(top.read.article.translations.at("zh-CN").body.empty());
  ASSERT_GE(top.snippets.size(), 2u);
  EXPECT_EQ(top.snippets[0].field, "title");
  EXPECT_EQ(top.snippets[0].highlights, (std::vector<std::pair<int, int>>{{0, 2}}));
  EXPECT_TRUE(absl::StartsWith(top.snippets[0].html, "<mark>志愿</mark>服务"))
      << top.snippets[0].html;
  EXPECT_GT(top.score, page->results[1].score);
  EXPECT_EQ(page->total_size, 2);

  q.page_size = 1;
  auto first = core_->SearchArticles(q);
  ASSERT_FALSE(first->next_page_token.empty());
  q.page_token = first->next_page_token;
  auto second = core_->SearchArticles(q);
  ASSERT_OK(second);
  EXPECT_EQ(second->results[0].read.article.id, youth_);
  q.page_token = "x" + first->next_page_token;
  EXPECT_TRUE(absl::StartsWith(core_->SearchArticles(q).status().message(), "page_token:"));
  q = SearchQuery{};
  q.query = "  ";
  EXPECT_TRUE(absl::StartsWith(core_->SearchArticles(q).status().message(), "query:"));
  q.query = std::string(201, 'a');
  EXPECT_TRUE(absl::StartsWith(core_->SearchArticles(q).status().message(), "query:"));
}

TEST_P(ContentSearchTest, TheSameWordTypedTwoWaysFindsTheSameArticle) {
  Article cafe;
  cafe.default_locale = "en";
  cafe.translations["en"] = Text("Caf\xC3\xA9 opens for volunteers");  // precomposed
  const std::string id = Publish(Create(cafe)).id;
  EXPECT_EQ(Find("Cafe\xCC\x81"), (std::vector<std::string>{id}));  // e + combining accent
  EXPECT_EQ(Find("cafe"), (std::vector<std::string>{id}));          // accents folded
  // Unpublished and deleted articles leave the index.
  ASSERT_OK(core_->DeleteArticle(kEditor, {id, ""}));
  EXPECT_TRUE(Find("cafe").empty());
}

TEST_P(ContentListsTest, RelatedArticlesShareTagsCategoryAndTextNeverThemselves) {
  Category news = MakeCategory("news");
  Article base = Bilingual("Volunteer service meeting", "志愿服务会议");
  base.tags = {"volunteers", "un"};
  base.category_id = news.id;
  Article same_tags = Bilingual("Other topic entirely", "其他话题");
  same_tags.tags = {"volunteers", "un"};
  Article same_category = Bilingual("Sports day", "运动会");
  same_category.category_id = news.id;
  Article same_words = Bilingual("Volunteer service awards", "志愿服务奖");
  Article unrelated = Bilingual("Weather forecast", "天气预报");
  const std::string self = Publish(Create(base)).id;
  const std::string by_tags = Publish(Create(same_tags)).id;
  const std::string by_category = Publish(Create(same_category)).id;
  const std::string by_text = Publish(Create(same_words)).id;
  const std::string other = Publish(Create(unrelated)).id;
  auto related = core_->ListRelatedArticles(kAnonymous, {self, "zh-CN", 0});
  ASSERT_OK(related);
  std::vector<std::string> ids;
  for (const ArticleRead& r : *related) {
    ids.push_back(r.article.id);
    EXPECT_EQ(r.returned_locale, "zh-CN");
    EXPECT_TRUE(r.article.translations.at("zh-CN").body.empty());
  }
  ASSERT_EQ(ids.size(), 3u) << "unrelated articles are left out";
  EXPECT_EQ(ids[0], by_tags);
  EXPECT_EQ(std::set<std::string>(ids.begin() + 1, ids.end()),
            (std::set<std::string>{by_category, by_text}));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), self), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), other), 0);
  EXPECT_THAT(core_->ListRelatedArticles(kAnonymous, {"missing", "", 0}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ContentListsTest, CategoryTreeListsUpdatesMovesAndRefusesDeletingUsedCategories) {
  Category home = MakeCategory("home");
  Category news = MakeCategory("news", home.id);
  Category sports = MakeCategory("sports", home.id);
  Category local = MakeCategory("local", news.id);
  auto all = core_->ListCategories({});
  ASSERT_OK(all);
  std::vector<std::string> slugs;
  for (const Category& c : all->categories) slugs.push_back(c.slug);
  EXPECT_EQ(slugs, (std::vector<std::string>{"home", "news", "local", "sports"}));
  auto children = core_->ListCategories({0, "", home.id});
  ASSERT_EQ(children->categories.size(), 2u);
  auto paged = core_->ListCategories({1, "", ""});
  auto next = core_->ListCategories({1, paged->next_page_token, ""});
  EXPECT_EQ(next->categories[0].slug, "news");

  Article in = Bilingual("Local story");
  in.category_id = local.id;
  const std::string article_id = Publish(Create(in)).id;
  const size_t events_before = Events().size();
  // Move "news" (with "local" below it) under "sports": its published articles announce it.
  CategoryUpdate move;
  move.category.id = news.id;
  move.category.parent_id = sports.id;
  move.category.etag = news.etag;
  move.paths = {"parent_id"};
  auto moved = core_->UpdateCategory(kEditor, move);
  ASSERT_OK(moved);
  auto events = Events();
  ASSERT_EQ(events.size(), events_before + 1);
  EXPECT_EQ(events.back().type(), events::v1::ARTICLE_EVENT_TYPE_UPDATED);
  EXPECT_EQ(events.back().article().id(), article_id);
  EXPECT_EQ(events.back().article().category_ancestor_ids_size(), 3);
  EXPECT_THAT(core_->UpdateCategory(kEditor, move), StatusIs(absl::StatusCode::kAborted));
  move.category.etag = "";
  move.category.parent_id = local.id;  // below itself
  EXPECT_TRUE(absl::StartsWith(core_->UpdateCategory(kEditor, move).status().message(),
                               "category.parent_id:"));
  CategoryUpdate rename;
  rename.category.id = sports.id;
  rename.category.translations["zh-cn"].name = "体育";
  rename.paths = {"translations.zh-CN.name"};
  auto renamed = core_->UpdateCategory(kEditor, rename);
  ASSERT_OK(renamed);
  EXPECT_EQ(renamed->translations.at("zh-CN").name, "体育");

  EXPECT_THAT(core_->DeleteCategory(kEditor, local.id, ""),
              StatusIs(absl::StatusCode::kPermissionDenied));
  absl::Status refused = core_->DeleteCategory(kAdmin, local.id, "");
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(absl::StrContains(refused.message(), "1 article")) << refused;
  ASSERT_OK(core_->DeleteArticle(kEditor, {article_id, ""}));
  EXPECT_THAT(core_->DeleteCategory(kAdmin, local.id, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition));  // soft-deleted articles count
  Category empty = MakeCategory("empty");
  EXPECT_THAT(core_->DeleteCategory(kAdmin, empty.id, "stale"),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_OK(core_->DeleteCategory(kAdmin, empty.id, empty.etag));
  EXPECT_THAT(core_->GetCategory(empty.id, ""), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace bulletin::content
