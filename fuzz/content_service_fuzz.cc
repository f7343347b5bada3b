// Fuzz target content_service: every method of content's gRPC adapter
// (services/content/grpc ContentService), called as DecodedService calls it: the request
// bytes decoded (common/grpc/decode.h), then the handler with the caller, over a
// ContentCore on a fresh in-memory store per input with a fixed clock. Besides not
// crashing: every answer passes CheckAnswer (no INTERNAL/UNKNOWN, short UTF-8 messages)
// and every response parses back. Input: an options byte (bit 0: start from the demo
// article), then up to 24 calls, each a method byte, a caller byte and a chunk (the
// request); "@N"/"@" in id, etag and token fields name what earlier calls answered.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bulletin/content/v1/content.pb.h"
#include "fuzz/decode_request.h"
#include "fuzz/fuzz_support.h"
#include "services/content/core/content_core.h"
#include "services/content/grpc/content_service.h"
#include "services/content/seed_demo.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::fuzz {
namespace {

namespace v1 = content::v1;
using content::ContentService;

class Session {
 public:
  Session() : core_(store_, Options()), service_(core_, auth_, NoPool()) {}

  void SeedDemo() {
    absl::StatusOr<content::Article> demo = content::SeedDemo(core_, store_);
    FUZZ_CHECK(demo.ok(), demo.status().ToString());
    articles_.push_back(demo->id);
    etags_.push_back(demo->etag);
  }

  void Call(uint8_t method, const Caller& caller, absl::string_view bytes);

 private:
  content::ContentOptions Options() {
    content::ContentOptions options;
    options.site_base_url = "https://news.example.org";
    options.clock = [this] { return now_; };
    options.token_key = "fuzz-key-0123456789abcdef";
    options.cache_entries = 16;
    return options;
  }
  // The handlers are called directly, never through the pool: no thread.
  static WorkerPool& NoPool() {
    static WorkerPool* pool = new WorkerPool(0, 0);
    return *pool;
  }

  // Decodes, lets `fix` resolve references, calls `handler`, checks the answer.
  template <typename Req, typename Resp, typename Fix>
  std::optional<Resp> Run(const char* name,
                          absl::Status (ContentService::*handler)(const Caller&, const Req*, Resp*),
                          const Caller& caller, absl::string_view bytes, Fix fix) {
    Req request;
    if (!DecodeRequest(bytes, &request)) return std::nullopt;
    fix(request);
    Resp response;
    const absl::Status status = (service_.*handler)(caller, &request, &response);
    CheckAnswer(status, name);
    if (!status.ok()) return std::nullopt;
    CheckResponse(response, name);
    return response;
  }

  void Remember(const std::optional<v1::Article>& a) {
    if (!a) return;
    articles_.push_back(a->id());
    etags_.push_back(a->etag());
  }
  void Remember(const std::optional<v1::Category>& c) {
    if (!c) return;
    categories_.push_back(c->id());
    etags_.push_back(c->etag());
  }
  template <typename Page>
  void Token(const std::optional<Page>& page) {
    if (page && !page->next_page_token().empty()) tokens_.push_back(page->next_page_token());
  }
  // DeleteArticle, UnpublishArticle, ArchiveArticle: id and etag.
  template <typename Req>
  void State(const char* name,
             absl::Status (ContentService::*handler)(const Caller&, const Req*, v1::Article*),
             const Caller& caller, absl::string_view bytes) {
    Remember(Run(name, handler, caller, bytes, [this](Req& r) {
      Resolve(articles_, r.mutable_id());
      Resolve(etags_, r.mutable_etag());
    }));
  }

  content::MemoryArticleStore store_;
  absl::Time now_ = absl::FromUnixSeconds(1709294400);  // 2024-03-01 12:00 UTC
  content::ContentCore core_;
  TokenStore auth_;  // unused: the caller is given
  ContentService service_;
  std::vector<std::string> articles_, categories_, etags_, tokens_;
};

void Session::Call(uint8_t method, const Caller& caller, absl::string_view bytes) {
  switch (method % 18) {
    case 0:
      Remember(Run("CreateArticle", &ContentService::CreateArticle, caller, bytes,
                   [this](v1::CreateArticleRequest& r) {
                     if (r.has_article())
                       Resolve(categories_, r.mutable_article()->mutable_category_id());
                   }));
      return;
    case 1:
      Run("GetArticle", &ContentService::GetArticle, caller, bytes,
          [this](v1::GetArticleRequest& r) {
            if (r.key_case() == v1::GetArticleRequest::kId) Resolve(articles_, r.mutable_id());
            Resolve(tokens_, r.mutable_preview_token());
          });
      return;
    case 2:
      Remember(Run("UpdateArticle", &ContentService::UpdateArticle, caller, bytes,
                   [this](v1::UpdateArticleRequest& r) {
                     Resolve(articles_, r.mutable_article()->mutable_id());
                     Resolve(etags_, r.mutable_article()->mutable_etag());
                     Resolve(categories_, r.mutable_article()->mutable_category_id());
                   }));
      return;
    case 3:
      Remember(Run("PublishArticle", &ContentService::PublishArticle, caller, bytes,
                   [this](v1::PublishArticleRequest& r) {
                     Resolve(articles_, r.mutable_id());
                     Resolve(etags_, r.mutable_etag());
                   }));
      return;
    case 4:
      State("UnpublishArticle", &ContentService::UnpublishArticle, caller, bytes);
      return;
    case 5:
      State("ArchiveArticle", &ContentService::ArchiveArticle, caller, bytes);
      return;
    case 6:
      State("DeleteArticle", &ContentService::DeleteArticle, caller, bytes);
      return;
    case 7: {
      auto grant = Run(
          "CreatePreviewToken", &ContentService::CreatePreviewToken, caller, bytes,
          [this](v1::CreatePreviewTokenRequest& r) { Resolve(articles_, r.mutable_article_id()); });
      if (grant) tokens_.push_back(grant->token());
      return;
    }
    case 8:
      Token(Run("ListArticles", &ContentService::ListArticles, caller, bytes,
                [this](v1::ListArticlesRequest& r) {
                  Resolve(tokens_, r.mutable_page_token());
                  Resolve(categories_, r.mutable_category_id());
                }));
      return;
    case 9:
      Token(Run("ListArticleRevisions", &ContentService::ListArticleRevisions, caller, bytes,
                [this](v1::ListArticleRevisionsRequest& r) {
                  Resolve(articles_, r.mutable_article_id());
                  Resolve(tokens_, r.mutable_page_token());
                }));
      return;
    case 10:
      Token(Run("SearchArticles", &ContentService::SearchArticles, caller, bytes,
                [this](v1::SearchArticlesRequest& r) {
                  Resolve(categories_, r.mutable_category_id());
                  Resolve(tokens_, r.mutable_page_token());
                }));
      return;
    case 11:
      Run("ListRelatedArticles", &ContentService::ListRelatedArticles, caller, bytes,
          [this](v1::ListRelatedArticlesRequest& r) {
            Resolve(articles_, r.mutable_article_id());
          });
      return;
    case 12:
      Remember(Run("CreateCategory", &ContentService::CreateCategory, caller, bytes,
                   [this](v1::CreateCategoryRequest& r) {
                     if (r.has_category())
                       Resolve(categories_, r.mutable_category()->mutable_parent_id());
                   }));
      return;
    case 13:
      Run("GetCategory", &ContentService::GetCategory, caller, bytes,
          [this](v1::GetCategoryRequest& r) {
            if (r.key_case() == v1::GetCategoryRequest::kId) Resolve(categories_, r.mutable_id());
          });
      return;
    case 14:
      Token(Run("ListCategories", &ContentService::ListCategories, caller, bytes,
                [this](v1::ListCategoriesRequest& r) {
                  Resolve(tokens_, r.mutable_page_token());
                  Resolve(categories_, r.mutable_parent_id());
                }));
      return;
    case 15:
      Remember(Run("UpdateCategory", &ContentService::UpdateCategory, caller, bytes,
                   [this](v1::UpdateCategoryRequest& r) {
                     Resolve(categories_, r.mutable_category()->mutable_id());
                     Resolve(etags_, r.mutable_category()->mutable_etag());
                     Resolve(categories_, r.mutable_category()->mutable_parent_id());
                   }));
      return;
    case 16:
      Run("DeleteCategory", &ContentService::DeleteCategory, caller, bytes,
          [this](v1::DeleteCategoryRequest& r) {
            Resolve(categories_, r.mutable_id());
            Resolve(etags_, r.mutable_etag());
          });
      return;
    default:
      // Not a method: time passes (up to ~18 h) and the scheduler runs.
      now_ += absl::Seconds(bytes.empty() ? 3600 : static_cast<uint8_t>(bytes[0]) * 256);
      CheckAnswer(core_.PublishDueArticles().status(), "PublishDueArticles");
      return;
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  Session session;
  if (in.Byte() & 1) session.SeedDemo();
  for (int calls = 0; calls < 24 && !in.empty(); ++calls) {
    const uint8_t method = in.Byte();
    const bulletin::Caller caller = CallerOf(in.Byte());
    session.Call(method, caller, in.Chunk());
  }
  return 0;
}
