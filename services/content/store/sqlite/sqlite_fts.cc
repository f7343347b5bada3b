#include "services/content/store/sqlite/sqlite_fts.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/content/core/search_tokenizer.h"

namespace bulletin::content {
namespace {

using TokenFn = int (*)(void*, int, const char*, int, int, int);

// The tokenizer keeps no state: every instance is this one object.
Fts5Tokenizer* Instance() {
  static int instance = 0;
  return reinterpret_cast<Fts5Tokenizer*>(&instance);
}

int XCreate(void*, const char**, int, Fts5Tokenizer** out) {
  *out = Instance();
  return SQLITE_OK;
}

void XDelete(Fts5Tokenizer*) {}

int XTokenize(Fts5Tokenizer*, void* context, int, const char* text, int n, TokenFn token) {
  const absl::string_view view(text == nullptr ? "" : text, text == nullptr ? 0 : n);
  for (const SearchToken& t : TokenizeForSearch(view)) {
    const int rc = token(context, 0, t.text.data(), static_cast<int>(t.text.size()),
                         static_cast<int>(t.start), static_cast<int>(t.end));
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

// An FTS5 string: '"' doubled, and control characters (which FTS5's query parser refuses,
// and which never belong to a token) as spaces.
std::string Quoted(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') {
      out += "\"\"";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

absl::Status RegisterSearchTokenizer(sqlite3* db) {
  fts5_api* fts = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, &fts, "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (fts == nullptr) return absl::InternalError("SQLite was built without FTS5");
  fts5_tokenizer tokenizer{XCreate, XDelete, XTokenize};
  rc = fts->xCreateTokenizer(fts, kSearchTokenizerName, nullptr, &tokenizer, nullptr);
  if (rc != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("registering the search tokenizer failed: ", rc));
  }
  return absl::OkStatus();
}

std::string FtsExpression(const TextQuery& query) {
  std::vector<std::string> parts;
  for (const QueryPhrase& p : query.phrases) {
    parts.push_back(p.prefix ? absl::StrCat(Quoted(p.text), "*") : Quoted(p.text));
  }
  return absl::StrJoin(parts, query.match_all ? " AND " : " OR ");
}

}  // namespace bulletin::content
