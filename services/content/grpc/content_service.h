// The gRPC adapter of bulletin.content.v1.ContentService: request proto -> ContentCore ->
// response proto, nothing else. Requests are decoded by DecodedService (a malformed one is
// INVALID_ARGUMENT naming the field); every method runs on a WorkerPool with the caller
// resolved once (a stale etag's trailer is sent by the base). Repeated public reads are
// answered from ReplyCache on the callback thread (reply_cache.h).
// Writes in content_service.cc, reads of many in content_service_reads.cc. Thread-safe.
#pragma once

#include "bulletin/content/v1/content.grpc.pb.h"  // service_full_name()
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "common/grpc/decoded_service.h"
#include "services/content/core/content_core.h"
#include "services/content/grpc/reply_cache.h"

namespace bulletin::content {

class ContentService final : public DecodedService {
 public:
  // All three must outlive the service.
  ContentService(ContentCore& core, const TokenStore& tokens, WorkerPool& pool);

  absl::Status CreateArticle(const Caller& caller, const v1::CreateArticleRequest* request,
                             v1::Article* response);
  absl::Status GetArticle(const Caller& caller, const v1::GetArticleRequest* request,
                          v1::Article* response);
  absl::Status PublishArticle(const Caller& caller, const v1::PublishArticleRequest* request,
                              v1::Article* response);
  absl::Status CreateCategory(const Caller& caller, const v1::CreateCategoryRequest* request,
                              v1::Category* response);
  absl::Status GetCategory(const Caller& caller, const v1::GetCategoryRequest* request,
                           v1::Category* response);

  absl::Status ListArticles(const Caller& caller, const v1::ListArticlesRequest* request,
                            v1::ListArticlesResponse* response);
  absl::Status UpdateArticle(const Caller& caller, const v1::UpdateArticleRequest* request,
                             v1::Article* response);
  absl::Status DeleteArticle(const Caller& caller, const v1::DeleteArticleRequest* request,
                             v1::Article* response);
  absl::Status UnpublishArticle(const Caller& caller, const v1::UnpublishArticleRequest* request,
                                v1::Article* response);
  absl::Status ArchiveArticle(const Caller& caller, const v1::ArchiveArticleRequest* request,
                              v1::Article* response);
  absl::Status ListArticleRevisions(const Caller& caller,
                                    const v1::ListArticleRevisionsRequest* request,
                                    v1::ListArticleRevisionsResponse* response);
  absl::Status SearchArticles(const Caller& caller, const v1::SearchArticlesRequest* request,
                              v1::SearchArticlesResponse* response);
  absl::Status ListRelatedArticles(const Caller& caller,
                                   const v1::ListRelatedArticlesRequest* request,
                                   v1::ListRelatedArticlesResponse* response);
  absl::Status CreatePreviewToken(const Caller& caller,
                                  const v1::CreatePreviewTokenRequest* request,
                                  v1::PreviewToken* response);
  absl::Status ListCategories(const Caller& caller, const v1::ListCategoriesRequest* request,
                              v1::ListCategoriesResponse* response);
  absl::Status UpdateCategory(const Caller& caller, const v1::UpdateCategoryRequest* request,
                              v1::Category* response);
  absl::Status DeleteCategory(const Caller& caller, const v1::DeleteCategoryRequest* request,
                              google::protobuf::Empty* response);

 private:
  template <typename Request>
  absl::Status StateChange(const Caller& caller, const Request* request, v1::Article* response,
                           absl::StatusOr<Article> (ContentCore::*method)(const Caller&,
                                                                          const StateCommand&));

  ContentCore& core_;
  // Public GetArticle, ListArticles (without category_id), ListRelatedArticles and
  // GetCategory replies, answered on the callback thread while their data is unchanged.
  ReplyCache replies_;
};

}  // namespace bulletin::content
