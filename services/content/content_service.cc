#include "services/content/content_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "services/content/content_convert.h"

namespace bulletin::content {
namespace {

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, const char* method) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat(method, " is not implemented yet (issue #3)")));
  return reactor;
}

// Sends the current etag of an ABORTED status as trailing metadata (content.proto).
absl::Status WithEtagTrailer(grpc::CallbackServerContext* context, absl::Status status) {
  if (absl::optional<absl::Cord> etag = status.GetPayload(kCurrentEtagKey)) {
    context->AddTrailingMetadata(kCurrentEtagKey, std::string(*etag));
  }
  return status;
}

}  // namespace

grpc::ServerUnaryReactor* ContentServiceImpl::CreateArticle(grpc::CallbackServerContext* context,
                                                            const v1::CreateArticleRequest* request,
                                                            v1::Article* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    if (!request->has_article()) {
      if (absl::Status s = RequireRole(*caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
      return absl::InvalidArgumentError("article: required");
    }
    absl::StatusOr<Article> a =
        core_->CreateArticle(*caller, FromProto(request->article()), request->request_id());
    if (!a.ok()) return a.status();
    ToProto(*a, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::GetArticle(grpc::CallbackServerContext* context,
                                                         const v1::GetArticleRequest* request,
                                                         v1::Article* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    ArticleQuery q;
    q.id = request->id();
    q.slug = request->slug();
    q.locale = request->locale();
    q.preview_token = request->preview_token();
    q.basic_view = request->view() == v1::ARTICLE_VIEW_BASIC;
    q.show_deleted = request->show_deleted();
    absl::StatusOr<ArticleRead> read = core_->GetArticle(*caller, std::move(q));
    if (!read.ok()) return read.status();
    ToProto(*read, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::PublishArticle(
    grpc::CallbackServerContext* context, const v1::PublishArticleRequest* request,
    v1::Article* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    PublishCommand cmd;
    cmd.id = request->id();
    cmd.etag = request->etag();
    if (request->has_publish_time()) {
      absl::StatusOr<absl::Time> t = FromProtoTime(request->publish_time(), "publish_time");
      if (!t.ok()) {
        if (absl::Status s = RequireRole(*caller, {Role::kEditor, Role::kAdmin}); !s.ok()) {
          return s;
        }
        return t.status();
      }
      cmd.publish_time = *t;
    }
    absl::StatusOr<Article> a = core_->PublishArticle(*caller, cmd);
    if (!a.ok()) return WithEtagTrailer(context, a.status());
    ToProto(*a, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::CreateCategory(
    grpc::CallbackServerContext* context, const v1::CreateCategoryRequest* request,
    v1::Category* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    if (!request->has_category()) {
      if (absl::Status s = RequireRole(*caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
      return absl::InvalidArgumentError("category: required");
    }
    absl::StatusOr<Category> c =
        core_->CreateCategory(*caller, FromProto(request->category()), request->request_id());
    if (!c.ok()) return c.status();
    ToProto(*c, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::GetCategory(grpc::CallbackServerContext* context,
                                                          const v1::GetCategoryRequest* request,
                                                          v1::Category* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<CategoryRead> c = core_->GetCategory(request->id(), request->slug());
    if (!c.ok()) return c.status();
    ToProto(*c, response);
    return absl::OkStatus();
  });
}

#define BULLETIN_UNIMPLEMENTED(Method, Request, Response)                                    \
  grpc::ServerUnaryReactor* ContentServiceImpl::Method(grpc::CallbackServerContext* context, \
                                                       const Request*, Response*) {          \
    return Unimplemented(context, #Method);                                                  \
  }

BULLETIN_UNIMPLEMENTED(ListArticles, v1::ListArticlesRequest, v1::ListArticlesResponse)
BULLETIN_UNIMPLEMENTED(UpdateArticle, v1::UpdateArticleRequest, v1::Article)
BULLETIN_UNIMPLEMENTED(DeleteArticle, v1::DeleteArticleRequest, v1::Article)
BULLETIN_UNIMPLEMENTED(UnpublishArticle, v1::UnpublishArticleRequest, v1::Article)
BULLETIN_UNIMPLEMENTED(ArchiveArticle, v1::ArchiveArticleRequest, v1::Article)
BULLETIN_UNIMPLEMENTED(ListArticleRevisions, v1::ListArticleRevisionsRequest,
                       v1::ListArticleRevisionsResponse)
BULLETIN_UNIMPLEMENTED(SearchArticles, v1::SearchArticlesRequest, v1::SearchArticlesResponse)
BULLETIN_UNIMPLEMENTED(ListRelatedArticles, v1::ListRelatedArticlesRequest,
                       v1::ListRelatedArticlesResponse)
BULLETIN_UNIMPLEMENTED(CreatePreviewToken, v1::CreatePreviewTokenRequest, v1::PreviewToken)
BULLETIN_UNIMPLEMENTED(ListCategories, v1::ListCategoriesRequest, v1::ListCategoriesResponse)
BULLETIN_UNIMPLEMENTED(UpdateCategory, v1::UpdateCategoryRequest, v1::Category)
BULLETIN_UNIMPLEMENTED(DeleteCategory, v1::DeleteCategoryRequest, google::protobuf::Empty)

#undef BULLETIN_UNIMPLEMENTED

}  // namespace bulletin::content
