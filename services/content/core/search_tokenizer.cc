#include "services/content/core/search_tokenizer.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

// SQLite's porter tokenizer, found once through the FTS5 API of a private in-memory
// connection that stays open for the life of the process (porter's context points into it).
struct Porter {
  fts5_tokenizer api{};
  void* context = nullptr;
  bool ok = false;
};

const Porter& GetPorter() {
  static const Porter* porter = [] {
    auto* p = new Porter;
    sqlite3* db = nullptr;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return p;
    fts5_api* fts = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, &fts, "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    p->ok = fts != nullptr && fts->xFindTokenizer(fts, "porter", &p->context, &p->api) == SQLITE_OK;
    return p;
  }();
  return *porter;
}

// One porter instance ("porter unicode61 remove_diacritics 2"). Not thread-safe: porter
// stems into a buffer inside the instance.
class PorterInstance {
 public:
  PorterInstance() {
    const Porter& p = GetPorter();
    const char* args[] = {"unicode61", "remove_diacritics", "2"};
    if (p.ok && p.api.xCreate(p.context, args, 3, &instance_) != SQLITE_OK) instance_ = nullptr;
  }
  ~PorterInstance() {
    if (instance_ != nullptr) GetPorter().api.xDelete(instance_);
  }
  PorterInstance(const PorterInstance&) = delete;
  PorterInstance& operator=(const PorterInstance&) = delete;

  Fts5Tokenizer* get() const { return instance_; }

 private:
  Fts5Tokenizer* instance_ = nullptr;
};

using TokenFn = int (*)(void*, int, const char*, int, int, int);

struct Shifted {
  void* context;
  TokenFn token;
  int offset;
};

int ShiftedToken(void* ctx, int flags, const char* token, int n, int start, int end) {
  auto* s = static_cast<Shifted*>(ctx);
  return s->token(s->context, flags, token, n, start + s->offset, end + s->offset);
}

// Splits `text` into CJK and other runs; bigrams the former, hands the latter to porter.
int Tokenize(Fts5Tokenizer* porter, void* context, int flags, absl::string_view text,
             TokenFn token) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t run_start = pos;
    size_t probe = pos;
    const bool cjk = IsCjk(NextCodePoint(text, &probe));
    std::vector<size_t> bounds = {run_start};  // code point boundaries of a CJK run
    pos = probe;
    if (cjk) bounds.push_back(pos);
    while (pos < text.size()) {
      probe = pos;
      if (IsCjk(NextCodePoint(text, &probe)) != cjk) break;
      pos = probe;
      if (cjk) bounds.push_back(pos);
    }
    int rc = SQLITE_OK;
    if (!cjk) {
      if (porter == nullptr) return SQLITE_ERROR;
      Shifted shifted{context, token, static_cast<int>(run_start)};
      rc = GetPorter().api.xTokenize(porter, &shifted, flags, text.data() + run_start,
                                     static_cast<int>(pos - run_start), ShiftedToken);
    } else if (bounds.size() == 2) {
      rc = token(context, 0, text.data() + bounds[0], static_cast<int>(bounds[1] - bounds[0]),
                 static_cast<int>(bounds[0]), static_cast<int>(bounds[1]));
    } else {
      for (size_t i = 0; i + 2 < bounds.size() && rc == SQLITE_OK; ++i) {
        rc = token(context, 0, text.data() + bounds[i], static_cast<int>(bounds[i + 2] - bounds[i]),
                   static_cast<int>(bounds[i]), static_cast<int>(bounds[i + 2]));
      }
    }
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

// ---- the FTS5 tokenizer "bulletin" -------------------------------------------------------

int XCreate(void*, const char**, int, Fts5Tokenizer** out) {
  auto* instance = new PorterInstance;
  if (instance->get() == nullptr) {
    delete instance;
    return SQLITE_ERROR;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(instance);
  return SQLITE_OK;
}

void XDelete(Fts5Tokenizer* t) { delete reinterpret_cast<PorterInstance*>(t); }

int XTokenize(Fts5Tokenizer* t, void* context, int flags, const char* text, int n, TokenFn token) {
  return Tokenize(reinterpret_cast<PorterInstance*>(t)->get(), context, flags,
                  absl::string_view(text == nullptr ? "" : text, text == nullptr ? 0 : n), token);
}

int Collect(void* ctx, int, const char* token, int n, int start, int end) {
  static_cast<std::vector<SearchToken>*>(ctx)->push_back(
      {std::string(token, n), static_cast<size_t>(start), static_cast<size_t>(end)});
  return SQLITE_OK;
}

}  // namespace

absl::Status RegisterSearchTokenizer(sqlite3* db) {
  if (!GetPorter().ok) return absl::InternalError("SQLite has no FTS5 porter tokenizer");
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

std::vector<SearchToken> TokenizeForSearch(absl::string_view text) {
  thread_local PorterInstance porter;
  std::vector<SearchToken> tokens;
  Tokenize(porter.get(), &tokens, FTS5_TOKENIZE_DOCUMENT, text, Collect);
  return tokens;
}

}  // namespace bulletin::content
