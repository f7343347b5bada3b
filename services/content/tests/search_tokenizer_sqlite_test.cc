// The core's search tokenizer (no SQLite) against SQLite's own FTS5 tokenizer "porter
// unicode61 remove_diacritics 2", which the index used before the core had its own: for
// text outside CJK runs both must give the same tokens at the same offsets, so searches
// behave as they did. Runs in the sqlite tier (it needs SQLite, not a file).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "services/content/core/search_tokenizer.h"

namespace bulletin::content {
namespace {

// The tokens of `text` by SQLite's porter tokenizer over unicode61.
class SqlitePorter {
 public:
  SqlitePorter() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) return;
    fts5_api* fts = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, &fts, "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    void* context = nullptr;
    const char* args[] = {"unicode61", "remove_diacritics", "2"};
    if (fts != nullptr && fts->xFindTokenizer(fts, "porter", &context, &api_) == SQLITE_OK &&
        api_.xCreate(context, args, 3, &instance_) != SQLITE_OK) {
      instance_ = nullptr;
    }
  }
  ~SqlitePorter() {
    if (instance_ != nullptr) api_.xDelete(instance_);
    sqlite3_close(db_);
  }

  bool ok() const { return instance_ != nullptr; }

  std::vector<std::string> Tokens(const std::string& text) const {
    std::vector<std::string> out;
    api_.xTokenize(
        instance_, &out, FTS5_TOKENIZE_DOCUMENT, text.data(), static_cast<int>(text.size()),
        [](void* ctx, int, const char* token, int n, int start, int end) {
          static_cast<std::vector<std::string>*>(ctx)->push_back(std::string(token, n) + "[" +
                                                                 std::to_string(start) + "," +
                                                                 std::to_string(end) + ")");
          return SQLITE_OK;
        });
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
  fts5_tokenizer api_{};
  Fts5Tokenizer* instance_ = nullptr;
};

std::vector<std::string> CoreTokens(const std::string& text) {
  std::vector<std::string> out;
  for (const SearchToken& t : TokenizeForSearch(text)) {
    out.push_back(t.text + "[" + std::to_string(t.start) + "," + std::to_string(t.end) + ")");
  }
  return out;
}

TEST(ContentSearchTokenizerSqliteTest, AgreesWithSqlitePorterUnicode61OutsideCjk) {
  SqlitePorter sqlite;
  ASSERT_TRUE(sqlite.ok()) << "SQLite has no FTS5 porter tokenizer";
  const std::vector<std::string> texts = {
      "The tripartite meeting of the first quarter in 2018 on International Volunteer "
      "Service Cooperation Project Training was held in Beijing Youth League.",
      "Officials attending the meeting include the Deputy Secretary General; project "
      "managers discussed concrete problems involved in the implementation of project.BVF",
      "caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated "
      "troubled sized hopping tanned falling hissing fizzed failing filing happy sky",
      "relational conditional rational valenci hesitanci digitizer conformabli radicalli "
      "differentli vileli analogousli vietnamization predication operator feudalism "
      "decisiveness hopefulness callousness formaliti sensitiviti sensibiliti",
      "triplicate formative formalize electriciti electrical hopeful goodness revival "
      "allowance inference airliner gyroscopic adjustable defensible irritant replacement "
      "adjustment dependent adoption homologou communism activate angulariti homologous "
      "effective bowdlerize probate rate cease controll roll",
      "Café naïve résumé Ærøskøbing façade Ångström ŒUVRE straße İstanbul déjà-vu coöperate "
      "e\xCC\x81"
      "cole ΑΘΗΝΑ Ῥόδος Москва Ёлка ﬁle ſ K Å",
      "don't rock'n'roll e-mail user_name 3.14 1,000,000 x86_64 C++ #hashtag @mention",
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(CoreTokens(text), sqlite.Tokens(text)) << text;
  }
}

}  // namespace
}  // namespace bulletin::content
