// ContentService: the writes and the single reads.
#include "services/content/grpc/content_service.h"

#include <algorithm>
#include <string>

#include "common/base/status_macros.h"
#include "common/proto/time.h"
#include "services/content/grpc/content_convert.h"

namespace bulletin::content {

ContentService::ContentService(ContentCore& core, const TokenStore& tokens, WorkerPool& pool)
    : DecodedService(v1::ContentService::service_full_name(), tokens, pool),
      core_(core),
      replies_(ReplyCacheOptions{core.options().cache_entries, 32 << 20, core.options().cache_ttl,
                                 [&core] {
                                   // Both only grow: the sum changes when either does.
                                   return core.cache().Generation() + core.category_generation();
                                 },
                                 core.options().clock}) {
  // Only replies made of articles alone: a preview token expires with time, a category's
  // subtree changes without an article event.
  Unary("GetArticle", &ContentService::GetArticle,
        replies_.ForMethod([](const google::protobuf::Message& m) {
          const auto& r = static_cast<const v1::GetArticleRequest&>(m);
          return r.preview_token().empty() && !r.show_deleted();
        }));
  Unary("ListArticles", &ContentService::ListArticles,
        replies_.ForMethod([](const google::protobuf::Message& m) {
          const auto& r = static_cast<const v1::ListArticlesRequest&>(m);
          return r.category_id().empty() && !r.show_deleted() &&
                 (r.state() == v1::ARTICLE_STATE_UNSPECIFIED ||
                  r.state() == v1::ARTICLE_STATE_PUBLISHED);
        }));
  Unary("ListRelatedArticles", &ContentService::ListRelatedArticles,
        replies_.ForMethod([](const google::protobuf::Message&) { return true; }));
  // A category's own change has no event: another replica's is read here within 1 s.
  Unary("GetCategory", &ContentService::GetCategory,
        replies_.ForMethod([](const google::protobuf::Message&) { return true; },
                           std::min(absl::Seconds(1), core.options().cache_ttl)));
  Unary("CreateArticle", &ContentService::CreateArticle);
  Unary("UpdateArticle", &ContentService::UpdateArticle);
  Unary("DeleteArticle", &ContentService::DeleteArticle);
  Unary("PublishArticle", &ContentService::PublishArticle);
  Unary("UnpublishArticle", &ContentService::UnpublishArticle);
  Unary("ArchiveArticle", &ContentService::ArchiveArticle);
  Unary("ListArticleRevisions", &ContentService::ListArticleRevisions);
  Unary("SearchArticles", &ContentService::SearchArticles);
  Unary("CreatePreviewToken", &ContentService::CreatePreviewToken);
  Unary("CreateCategory", &ContentService::CreateCategory);
  Unary("ListCategories", &ContentService::ListCategories);
  Unary("UpdateCategory", &ContentService::UpdateCategory);
  Unary("DeleteCategory", &ContentService::DeleteCategory);
}

absl::Status ContentService::CreateArticle(const Caller& caller,
                                           const v1::CreateArticleRequest* request,
                                           v1::Article* response) {
  if (!request->has_article()) {
    RETURN_IF_ERROR(ContentCore::RequireEditor(caller));
    return absl::InvalidArgumentError("article: required");
  }
  ASSIGN_OR_RETURN(const Article a, core_.CreateArticle(caller, FromProto(request->article()),
                                                        request->request_id()));
  ToProto(a, response);
  return absl::OkStatus();
}

absl::Status ContentService::GetArticle(const Caller& caller, const v1::GetArticleRequest* request,
                                        v1::Article* response) {
  ArticleQuery q;
  q.id = request->id();
  q.slug = request->slug();
  q.locale = request->locale();
  q.preview_token = request->preview_token();
  q.basic_view = IsBasicView(request->view(), /*basic_by_default=*/false);
  q.show_deleted = request->show_deleted();
  ASSIGN_OR_RETURN(const ArticleRead read, core_.GetArticle(caller, std::move(q)));
  ToProto(read, response);
  return absl::OkStatus();
}

absl::Status ContentService::PublishArticle(const Caller& caller,
                                            const v1::PublishArticleRequest* request,
                                            v1::Article* response) {
  PublishCommand cmd;
  cmd.id = request->id();
  cmd.etag = request->etag();
  if (request->has_publish_time()) {
    absl::StatusOr<absl::Time> t = FromProtoTime(request->publish_time(), "publish_time");
    if (!t.ok()) {
      RETURN_IF_ERROR(ContentCore::RequireEditor(caller));
    }
    ASSIGN_OR_RETURN(cmd.publish_time, std::move(t));
  }
  ASSIGN_OR_RETURN(const Article a, core_.PublishArticle(caller, cmd));
  ToProto(a, response);
  return absl::OkStatus();
}

absl::Status ContentService::CreateCategory(const Caller& caller,
                                            const v1::CreateCategoryRequest* request,
                                            v1::Category* response) {
  if (!request->has_category()) {
    RETURN_IF_ERROR(ContentCore::RequireEditor(caller));
    return absl::InvalidArgumentError("category: required");
  }
  ASSIGN_OR_RETURN(const Category c, core_.CreateCategory(caller, FromProto(request->category()),
                                                          request->request_id()));
  ToProto(c, response);
  return absl::OkStatus();
}

absl::Status ContentService::GetCategory(const Caller&, const v1::GetCategoryRequest* request,
                                         v1::Category* response) {
  // Public, but a malformed or unknown token is still refused (DecodedService).

  ASSIGN_OR_RETURN(const CategoryRead c, core_.GetCategory(request->id(), request->slug()));
  ToProto(c, response);
  return absl::OkStatus();
}

absl::Status ContentService::UpdateArticle(const Caller& caller,
                                           const v1::UpdateArticleRequest* request,
                                           v1::Article* response) {
  UpdateCommand cmd;
  cmd.article = FromProto(request->article());
  cmd.article.id = request->article().id();
  cmd.paths.assign(request->update_mask().paths().begin(), request->update_mask().paths().end());
  ASSIGN_OR_RETURN(const Article a, core_.UpdateArticle(caller, std::move(cmd)));
  ToProto(a, response);
  return absl::OkStatus();
}

// Delete, Unpublish and Archive: the same request shape, a different core method.
template <typename Request>
absl::Status ContentService::StateChange(
    const Caller& caller, const Request* request, v1::Article* response,
    absl::StatusOr<Article> (ContentCore::*method)(const Caller&, const StateCommand&)) {
  ASSIGN_OR_RETURN(const Article a, (core_.*method)(caller, {request->id(), request->etag()}));
  ToProto(a, response);
  return absl::OkStatus();
}

absl::Status ContentService::DeleteArticle(const Caller& caller,
                                           const v1::DeleteArticleRequest* request,
                                           v1::Article* response) {
  return StateChange(caller, request, response, &ContentCore::DeleteArticle);
}

absl::Status ContentService::UnpublishArticle(const Caller& caller,
                                              const v1::UnpublishArticleRequest* request,
                                              v1::Article* response) {
  return StateChange(caller, request, response, &ContentCore::UnpublishArticle);
}

absl::Status ContentService::ArchiveArticle(const Caller& caller,
                                            const v1::ArchiveArticleRequest* request,
                                            v1::Article* response) {
  return StateChange(caller, request, response, &ContentCore::ArchiveArticle);
}

absl::Status ContentService::CreatePreviewToken(const Caller& caller,
                                                const v1::CreatePreviewTokenRequest* request,
                                                v1::PreviewToken* response) {
  absl::Duration ttl = absl::ZeroDuration();
  if (request->has_ttl()) {
    absl::StatusOr<absl::Duration> d =
        FromProtoDuration(request->ttl(), "ttl", absl::ZeroDuration(), absl::Hours(24));
    if (!d.ok()) {
      RETURN_IF_ERROR(ContentCore::RequireEditor(caller));
    }
    ASSIGN_OR_RETURN(ttl, std::move(d));
  }
  ASSIGN_OR_RETURN(const PreviewGrant grant,
                   core_.CreatePreviewToken(caller, request->article_id(), ttl));
  response->set_token(grant.token);
  response->set_article_id(grant.article_id);
  ToProtoTime(grant.expire_time, response->mutable_expire_time());
  return absl::OkStatus();
}

absl::Status ContentService::UpdateCategory(const Caller& caller,
                                            const v1::UpdateCategoryRequest* request,
                                            v1::Category* response) {
  CategoryUpdate update;
  update.category = FromProto(request->category());
  update.category.id = request->category().id();
  update.paths.assign(request->update_mask().paths().begin(), request->update_mask().paths().end());
  ASSIGN_OR_RETURN(const Category c, core_.UpdateCategory(caller, std::move(update)));
  ToProto(c, response);
  return absl::OkStatus();
}

absl::Status ContentService::DeleteCategory(const Caller& caller,
                                            const v1::DeleteCategoryRequest* request,
                                            google::protobuf::Empty*) {
  return core_.DeleteCategory(caller, request->id(), request->etag());
}

}  // namespace bulletin::content
