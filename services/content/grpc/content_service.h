// The gRPC adapter of bulletin.content.v1.ContentService: request proto -> ContentCore ->
// response proto, nothing else. Every method runs on a WorkerPool with the caller resolved
// once (common/grpc/call.h RunUnaryAs; a stale etag's trailer is sent by RunUnary).
// Writes in content_service.cc, reads of many in content_service_reads.cc. Thread-safe.
#pragma once

#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "services/content/core/content_core.h"

namespace bulletin::content {

class ContentService final : public v1::ContentService::CallbackService {
 public:
  // All three must outlive the service.
  ContentService(ContentCore& core, const TokenStore& tokens, WorkerPool& pool)
      : core_(core), tokens_(tokens), pool_(pool) {}

  grpc::ServerUnaryReactor* CreateArticle(grpc::CallbackServerContext* context,
                                          const v1::CreateArticleRequest* request,
                                          v1::Article* response) override;
  grpc::ServerUnaryReactor* GetArticle(grpc::CallbackServerContext* context,
                                       const v1::GetArticleRequest* request,
                                       v1::Article* response) override;
  grpc::ServerUnaryReactor* PublishArticle(grpc::CallbackServerContext* context,
                                           const v1::PublishArticleRequest* request,
                                           v1::Article* response) override;
  grpc::ServerUnaryReactor* CreateCategory(grpc::CallbackServerContext* context,
                                           const v1::CreateCategoryRequest* request,
                                           v1::Category* response) override;
  grpc::ServerUnaryReactor* GetCategory(grpc::CallbackServerContext* context,
                                        const v1::GetCategoryRequest* request,
                                        v1::Category* response) override;

  grpc::ServerUnaryReactor* ListArticles(grpc::CallbackServerContext* context,
                                         const v1::ListArticlesRequest* request,
                                         v1::ListArticlesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateArticle(grpc::CallbackServerContext* context,
                                          const v1::UpdateArticleRequest* request,
                                          v1::Article* response) override;
  grpc::ServerUnaryReactor* DeleteArticle(grpc::CallbackServerContext* context,
                                          const v1::DeleteArticleRequest* request,
                                          v1::Article* response) override;
  grpc::ServerUnaryReactor* UnpublishArticle(grpc::CallbackServerContext* context,
                                             const v1::UnpublishArticleRequest* request,
                                             v1::Article* response) override;
  grpc::ServerUnaryReactor* ArchiveArticle(grpc::CallbackServerContext* context,
                                           const v1::ArchiveArticleRequest* request,
                                           v1::Article* response) override;
  grpc::ServerUnaryReactor* ListArticleRevisions(
      grpc::CallbackServerContext* context, const v1::ListArticleRevisionsRequest* request,
      v1::ListArticleRevisionsResponse* response) override;
  grpc::ServerUnaryReactor* SearchArticles(grpc::CallbackServerContext* context,
                                           const v1::SearchArticlesRequest* request,
                                           v1::SearchArticlesResponse* response) override;
  grpc::ServerUnaryReactor* ListRelatedArticles(grpc::CallbackServerContext* context,
                                                const v1::ListRelatedArticlesRequest* request,
                                                v1::ListRelatedArticlesResponse* response) override;
  grpc::ServerUnaryReactor* CreatePreviewToken(grpc::CallbackServerContext* context,
                                               const v1::CreatePreviewTokenRequest* request,
                                               v1::PreviewToken* response) override;
  grpc::ServerUnaryReactor* ListCategories(grpc::CallbackServerContext* context,
                                           const v1::ListCategoriesRequest* request,
                                           v1::ListCategoriesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCategory(grpc::CallbackServerContext* context,
                                           const v1::UpdateCategoryRequest* request,
                                           v1::Category* response) override;
  grpc::ServerUnaryReactor* DeleteCategory(grpc::CallbackServerContext* context,
                                           const v1::DeleteCategoryRequest* request,
                                           google::protobuf::Empty* response) override;

 private:
  template <typename Request>
  grpc::ServerUnaryReactor* StateChange(
      grpc::CallbackServerContext* context, const Request* request, v1::Article* response,
      absl::StatusOr<Article> (ContentCore::*method)(const Caller&, const StateCommand&));

  ContentCore& core_;
  const TokenStore& tokens_;
  WorkerPool& pool_;
};

}  // namespace bulletin::content
