// ArticleStore::RelatedCandidates as articles change, on every backend of the binary
// (store_backend.h). The SQLite and PostgreSQL stores read a tag's newest holders from
// listed_tags (schema migration 5), which triggers keep to the tags of the published, not
// deleted articles with their sort times: these tests change an article's state, publish
// time, deletion and tags after its tags were written, and check that the candidates (and
// their sort times) follow, as the memory store's do by construction.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/article_store.h"
#include "services/content/core/search_query.h"
#include "services/content/tests/store_backend.h"

namespace bulletin::content {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

Article MakeArticle(const std::string& id, const std::vector<std::string>& tags) {
  Article a;
  a.id = id;
  a.slug = "slug-" + id;
  a.default_locale = "en";
  a.translations["en"].title = "Title of " + id;
  a.translations["en"].body = "<p>Body of " + id + "</p>";
  a.create_time = a.update_time = kT0;
  a.revision = 1;
  a.etag = "etag-" + id;
  a.tags = tags;
  a.category_id = "c1";
  return a;
}

// Applies `change` to the article as one store mutation.
ArticleMutation Change(std::function<void(Article&)> change) {
  return [change](Article& a, const AncestorLookup&) -> absl::StatusOr<ArticleChange> {
    a.revision += 1;
    change(a);
    return ArticleChange{std::nullopt, "editor", {"test"}};
  };
}

class RelatedStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, GetParam().open());
    Category c;
    c.id = "c1";
    c.slug = "slug-c1";
    c.default_locale = "en";
    c.translations["en"].name = "Name c1";
    c.create_time = c.update_time = kT0;
    c.etag = "etag-c1";
    ASSERT_OK(articles().CreateCategory(c, "", kT0));
  }

  ArticleStore& articles() { return store_->articles(); }

  void Create(const Article& a) {
    ASSERT_OK(articles().CreateArticle(a, {"", "editor", false, a.create_time}));
  }
  void Update(const std::string& id, std::function<void(Article&)> change) {
    ASSERT_OK(articles().UpdateArticle(id, Change(std::move(change))));
  }
  void Publish(const std::string& id, absl::Time when) {
    Update(id, [when](Article& a) {
      a.state = ArticleState::kPublished;
      a.publish_time = when;
    });
  }

  // The candidates of `self` (tags and category only, at most `limit` of each) by id.
  std::map<std::string, RelatedCandidate> Candidates(const Article& self, int limit = 50) {
    std::map<std::string, RelatedCandidate> out;
    absl::StatusOr<std::vector<RelatedCandidate>> found =
        articles().RelatedCandidates(self, TextQuery{}, limit);
    EXPECT_OK(found);
    if (!found.ok()) return out;
    for (RelatedCandidate& c : *found) out[c.article_id] = std::move(c);
    return out;
  }

  std::unique_ptr<StoreUnderTest> store_;
};

CONTENT_STORE_TEST_SUITE(RelatedStoreTest);

// A holder leaves the candidates when it is archived or deleted and comes back when it is
// published again; its sort time follows its publish time.
TEST_P(RelatedStoreTest, TagHoldersFollowStateDeletionAndPublishTime) {
  const Article self = MakeArticle("self", {"t"});
  for (const char* id : {"h1", "h2", "h3"}) {
    Create(MakeArticle(id, {"t"}));
  }
  Create(self);
  Publish("self", kT0);
  Publish("h1", kT0 + absl::Minutes(1));
  Publish("h2", kT0 + absl::Minutes(2));
  Publish("h3", kT0 + absl::Minutes(3));

  std::map<std::string, RelatedCandidate> found = Candidates(self);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found["h1"].shared_tags, 1);
  EXPECT_TRUE(found["h1"].same_category);
  EXPECT_EQ(found["h1"].sort_time, kT0 + absl::Minutes(1));
  EXPECT_EQ(found["h3"].sort_time, kT0 + absl::Minutes(3));

  Update("h1", [](Article& a) { a.state = ArticleState::kArchived; });
  Update("h2", [](Article& a) { a.delete_time = kT0 + absl::Hours(1); });
  Publish("h3", kT0 + absl::Hours(2));
  found = Candidates(self);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found["h3"].shared_tags, 1);
  EXPECT_EQ(found["h3"].sort_time, kT0 + absl::Hours(2));

  Publish("h1", kT0 + absl::Hours(3));
  found = Candidates(self);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found["h1"].shared_tags, 1);
  EXPECT_EQ(found["h1"].sort_time, kT0 + absl::Hours(3));
}

// The `limit` newest holders of a tag, after publish times moved: the order is the
// current one, not the one the tags were written in.
TEST_P(RelatedStoreTest, TheNewestHoldersAfterPublishTimesMoved) {
  const Article self = MakeArticle("self", {"t"});
  Create(self);
  Publish("self", kT0);
  for (int i = 0; i < 6; ++i) {
    const std::string id = absl::StrCat("h", i);
    Create(MakeArticle(id, {"t"}));
    Publish(id, kT0 + absl::Minutes(1 + i));
  }
  // h0 and h1, the oldest, become the newest.
  Publish("h0", kT0 + absl::Hours(1));
  Publish("h1", kT0 + absl::Hours(2));
  std::map<std::string, RelatedCandidate> found = Candidates(self, 3);
  std::vector<std::string> by_tag;
  for (const auto& [id, c] : found) {
    if (c.shared_tags > 0) by_tag.push_back(id);
  }
  EXPECT_EQ(by_tag, (std::vector<std::string>{"h0", "h1", "h5"}));
}

// Tags changed on a published article: the removed tag no longer finds it, the added one
// does; an unpublished holder of the tag is never a candidate.
TEST_P(RelatedStoreTest, ChangedTagsAndDraftHolders) {
  const Article self = MakeArticle("self", {"t", "u"});
  Create(self);
  Publish("self", kT0);
  Article other = MakeArticle("other", {"t"});
  other.category_id.clear();
  Create(other);
  Publish("other", kT0 + absl::Minutes(1));
  Article draft = MakeArticle("draft", {"t", "u"});
  Create(draft);

  std::map<std::string, RelatedCandidate> found = Candidates(self);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found["other"].shared_tags, 1);

  Update("other", [](Article& a) { a.tags = {"u", "t"}; });
  found = Candidates(self);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found["other"].shared_tags, 2);
  EXPECT_EQ(found["other"].sort_time, kT0 + absl::Minutes(1));

  Update("other", [](Article& a) { a.tags = {"v"}; });
  EXPECT_TRUE(Candidates(self).empty());

  Publish("draft", kT0 + absl::Minutes(5));
  found = Candidates(self);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found["draft"].shared_tags, 2);
  EXPECT_TRUE(found["draft"].same_category);
  EXPECT_EQ(found["draft"].sort_time, kT0 + absl::Minutes(5));
}

}  // namespace
}  // namespace bulletin::content
