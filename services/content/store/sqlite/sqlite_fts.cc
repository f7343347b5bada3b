#include "services/content/store/sqlite/sqlite_fts.h"

#include <cmath>
#include <cstring>
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

// bulletin_match(table, weights...): a blob of doubles, {rows, total tokens, the row's
// tokens, the weighted frequency of each phrase}, read as bm25() reads them.
void MatchFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context,
                   int weights, sqlite3_value** weight) {
  const int phrases = api->xPhraseCount(fts);
  std::vector<double> out(3 + static_cast<size_t>(phrases), 0.0);
  sqlite3_int64 rows = 0, total = 0;
  int tokens = 0, instances = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &total);
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &tokens);
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase >= 0 && phrase < phrases) {
      out[3 + static_cast<size_t>(phrase)] +=
          column < weights ? sqlite3_value_double(weight[column]) : 1.0;
    }
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(context, rc);
    return;
  }
  out[0] = static_cast<double>(rows);
  out[1] = static_cast<double>(total);
  out[2] = tokens;
  sqlite3_result_blob(context, out.data(), static_cast<int>(out.size() * sizeof(double)),
                      SQLITE_TRANSIENT);
}

}  // namespace

bool DecodeFtsMatch(const void* blob, int bytes, FtsMatch* out) {
  if (blob == nullptr || bytes < 3 * static_cast<int>(sizeof(double)) ||
      bytes % sizeof(double) != 0) {
    return false;
  }
  std::vector<double> values(static_cast<size_t>(bytes) / sizeof(double));
  std::memcpy(values.data(), blob, static_cast<size_t>(bytes));
  out->rows = values[0];
  out->total_tokens = values[1];
  out->tokens = values[2];
  out->frequency.assign(values.begin() + 3, values.end());
  return true;
}

double Bm25Rank(const FtsMatch& match, const std::vector<int64_t>& hits) {
  // As SQLite's fts5Bm25Function, operation for operation, so the ranks are bm25()'s.
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;
  const double average = match.rows > 0 ? match.total_tokens / match.rows : 0;
  double score = 0.0;
  for (size_t i = 0; i < match.frequency.size() && i < hits.size(); ++i) {
    const double n = static_cast<double>(hits[i]);
    double idf = std::log((match.rows - n + 0.5) / (n + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    const double f = match.frequency[i];
    score += idf * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * match.tokens / average)));
  }
  return -1.0 * score;
}

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
  rc = fts->xCreateFunction(fts, "bulletin_match", nullptr, &MatchFunction, nullptr);
  if (rc != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("registering bulletin_match failed: ", rc));
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
