// The gRPC adapter of bulletin.content.v1.ContentService: request proto -> ContentCore ->
// response proto, nothing else. Implemented methods run on a WorkerPool (callback API,
// one Finish per call); the rest answer UNIMPLEMENTED naming issue #3. Thread-safe.
#pragma once

#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "services/content/content_core.h"

namespace bulletin::content {

class ContentServiceImpl final : public v1::ContentService::CallbackService {
 public:
  // All three must outlive the service.
  ContentServiceImpl(ContentCore* core, const TokenStore* tokens, WorkerPool* pool)
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

  // Not implemented yet (issue #3): UNIMPLEMENTED.
  grpc::ServerUnaryReactor* ListArticles(grpc::CallbackServerContext* context,
                                         const v1::ListArticlesRequest*,
                                         v1::ListArticlesResponse*) override;
  grpc::ServerUnaryReactor* UpdateArticle(grpc::CallbackServerContext* context,
                                          const v1::UpdateArticleRequest*, v1::Article*) override;
  grpc::ServerUnaryReactor* DeleteArticle(grpc::CallbackServerContext* context,
                                          const v1::DeleteArticleRequest*, v1::Article*) override;
  grpc::ServerUnaryReactor* UnpublishArticle(grpc::CallbackServerContext* context,
                                             const v1::UnpublishArticleRequest*,
                                             v1::Article*) override;
  grpc::ServerUnaryReactor* ArchiveArticle(grpc::CallbackServerContext* context,
                                           const v1::ArchiveArticleRequest*, v1::Article*) override;
  grpc::ServerUnaryReactor* ListArticleRevisions(grpc::CallbackServerContext* context,
                                                 const v1::ListArticleRevisionsRequest*,
                                                 v1::ListArticleRevisionsResponse*) override;
  grpc::ServerUnaryReactor* SearchArticles(grpc::CallbackServerContext* context,
                                           const v1::SearchArticlesRequest*,
                                           v1::SearchArticlesResponse*) override;
  grpc::ServerUnaryReactor* ListRelatedArticles(grpc::CallbackServerContext* context,
                                                const v1::ListRelatedArticlesRequest*,
                                                v1::ListRelatedArticlesResponse*) override;
  grpc::ServerUnaryReactor* CreatePreviewToken(grpc::CallbackServerContext* context,
                                               const v1::CreatePreviewTokenRequest*,
                                               v1::PreviewToken*) override;
  grpc::ServerUnaryReactor* ListCategories(grpc::CallbackServerContext* context,
                                           const v1::ListCategoriesRequest*,
                                           v1::ListCategoriesResponse*) override;
  grpc::ServerUnaryReactor* UpdateCategory(grpc::CallbackServerContext* context,
                                           const v1::UpdateCategoryRequest*,
                                           v1::Category*) override;
  grpc::ServerUnaryReactor* DeleteCategory(grpc::CallbackServerContext* context,
                                           const v1::DeleteCategoryRequest*,
                                           google::protobuf::Empty*) override;

 private:
  ContentCore* const core_;
  const TokenStore* const tokens_;
  WorkerPool* const pool_;
};

}  // namespace bulletin::content
