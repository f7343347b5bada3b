// Unit tests of the core's search tokenizer and Porter stemmer (no SQLite): CJK bigrams
// with byte offsets, words folded and stemmed, accents removed. Agreement with SQLite's
// own "porter unicode61 remove_diacritics 2" is tested in search_tokenizer_sqlite_test.cc.
#include "services/content/core/search_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/content/core/porter_stemmer.h"
#include "services/content/core/search_query.h"

namespace bulletin::content {
namespace {

// "text[start,end)" for each token.
std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  for (const SearchToken& t : TokenizeForSearch(text)) {
    out.push_back(t.text + "[" + std::to_string(t.start) + "," + std::to_string(t.end) + ")");
  }
  return out;
}

std::string Stem(std::string word) {
  PorterStem(word);
  return word;
}

TEST(ContentSearchTokenizerTest, CjkRunsBecomeOverlappingBigrams) {
  EXPECT_EQ(Tokens("志愿服务"), (std::vector<std::string>{"志愿[0,6)", "愿服[3,9)", "服务[6,12)"}));
  EXPECT_EQ(Tokens("年"), (std::vector<std::string>{"年[0,3)"}));
  EXPECT_EQ(
      Tokens("UN志愿者2018年"),
      (std::vector<std::string>{"un[0,2)", "志愿[2,8)", "愿者[5,11)", "2018[11,15)", "年[15,18)"}));
}

TEST(ContentSearchTokenizerTest, WordsAreFoldedStemmedAndStripped) {
  EXPECT_EQ(Tokens("Volunteers, VOLUNTEERING: volunteer!"),
            (std::vector<std::string>{"volunt[0,10)", "volunt[12,24)", "volunt[26,35)"}));
  EXPECT_EQ(Tokens("Café naïve e\xCC\x81"
                   "cole"),
            (std::vector<std::string>{"cafe[0,5)", "naiv[6,12)", "ecol[13,20)"}));
  EXPECT_EQ(Tokens("ΑΘΗΝΑ Москва"), (std::vector<std::string>{"αθηνα[0,10)", "москва[11,23)"}));
  EXPECT_TRUE(Tokens(" -- \xff ... ").empty());
}

TEST(ContentSearchTokenizerTest, PorterStemsAsPublished) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"caresses", "caress"},    {"ponies", "poni"},          {"relational", "relat"},
      {"conditional", "condit"}, {"generalization", "gener"}, {"hopping", "hop"},
      {"hoping", "hope"},        {"agreed", "agre"},          {"happy", "happi"},
      {"electrical", "electr"},  {"adjustable", "adjust"},    {"at", "at"},
  };
  for (const auto& [word, stem] : cases) EXPECT_EQ(Stem(word), stem) << word;
}

TEST(ContentSearchTokenizerTest, PhrasesMatchConsecutiveTokensAndPrefixes) {
  const std::vector<SearchToken> doc = TokenizeForSearch("北京志愿服务 volunteer service");
  const std::vector<QueryPhrase> phrases = ParseSearchQuery("志愿服务 志 volunteers");
  ASSERT_EQ(phrases.size(), 3u);
  EXPECT_FALSE(phrases[0].prefix);
  EXPECT_TRUE(phrases[1].prefix);
  EXPECT_TRUE(PhraseAt(doc, 2, phrases[0]));  // 志愿 愿服 服务
  EXPECT_FALSE(PhraseAt(doc, 1, phrases[0]));
  EXPECT_TRUE(PhraseAt(doc, 2, phrases[1]));  // 志* matches 志愿
  EXPECT_TRUE(PhraseAt(doc, 5, phrases[2]));  // volunt
  const TextQuery any = AnyTermOf("Volunteer volunteers 志愿", 32);
  EXPECT_FALSE(any.match_all);
  ASSERT_EQ(any.phrases.size(), 2u);  // distinct tokens only
  EXPECT_EQ(any.phrases[0].text, "Volunteer");
  EXPECT_EQ(any.phrases[1].tokens, std::vector<std::string>{"志愿"});
}

}  // namespace
}  // namespace bulletin::content
