#include "services/content/grpc/content_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "services/content/grpc/content_convert.h"

namespace bulletin::content {
// Sends the current etag of an ABORTED status as trailing metadata (content.proto).
absl::Status WithEtagTrailer(grpc::CallbackServerContext* context, absl::Status status) {
  if (absl::optional<absl::Cord> etag = status.GetPayload(kCurrentEtagKey)) {
    context->AddTrailingMetadata(kCurrentEtagKey, std::string(*etag));
  }
  return status;
}

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

grpc::ServerUnaryReactor* ContentServiceImpl::UpdateArticle(grpc::CallbackServerContext* context,
                                                            const v1::UpdateArticleRequest* request,
                                                            v1::Article* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    UpdateCommand cmd;
    cmd.article = FromProto(request->article());
    cmd.article.id = request->article().id();
    cmd.paths.assign(request->update_mask().paths().begin(), request->update_mask().paths().end());
    absl::StatusOr<Article> a = core_->UpdateArticle(*caller, std::move(cmd));
    if (!a.ok()) return WithEtagTrailer(context, a.status());
    ToProto(*a, response);
    return absl::OkStatus();
  });
}

// Delete, Unpublish and Archive: the same request shape, a different core method.
template <typename Request>
grpc::ServerUnaryReactor* ContentServiceImpl::StateChange(
    grpc::CallbackServerContext* context, const Request* request, v1::Article* response,
    absl::StatusOr<Article> (ContentCore::*method)(const Caller&, const StateCommand&)) {
  return RunUnary(context, *pool_, [this, context, request, response, method]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Article> a = (core_->*method)(*caller, {request->id(), request->etag()});
    if (!a.ok()) return WithEtagTrailer(context, a.status());
    ToProto(*a, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::DeleteArticle(grpc::CallbackServerContext* context,
                                                            const v1::DeleteArticleRequest* request,
                                                            v1::Article* response) {
  return StateChange(context, request, response, &ContentCore::DeleteArticle);
}

grpc::ServerUnaryReactor* ContentServiceImpl::UnpublishArticle(
    grpc::CallbackServerContext* context, const v1::UnpublishArticleRequest* request,
    v1::Article* response) {
  return StateChange(context, request, response, &ContentCore::UnpublishArticle);
}

grpc::ServerUnaryReactor* ContentServiceImpl::ArchiveArticle(
    grpc::CallbackServerContext* context, const v1::ArchiveArticleRequest* request,
    v1::Article* response) {
  return StateChange(context, request, response, &ContentCore::ArchiveArticle);
}

grpc::ServerUnaryReactor* ContentServiceImpl::CreatePreviewToken(
    grpc::CallbackServerContext* context, const v1::CreatePreviewTokenRequest* request,
    v1::PreviewToken* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::Duration ttl = absl::ZeroDuration();
    if (request->has_ttl()) {
      const auto& d = request->ttl();
      if (d.seconds() < 0 || d.nanos() < 0 || d.seconds() > 24 * 3600) {
        if (absl::Status s = RequireRole(*caller, {Role::kEditor, Role::kAdmin}); !s.ok()) return s;
        return absl::InvalidArgumentError("ttl: must be between 0 and 24 hours");
      }
      ttl = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
    }
    absl::StatusOr<PreviewGrant> grant =
        core_->CreatePreviewToken(*caller, request->article_id(), ttl);
    if (!grant.ok()) return grant.status();
    response->set_token(grant->token);
    response->set_article_id(grant->article_id);
    ToProtoTime(grant->expire_time, response->mutable_expire_time());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::UpdateCategory(
    grpc::CallbackServerContext* context, const v1::UpdateCategoryRequest* request,
    v1::Category* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    CategoryUpdate update;
    update.category = FromProto(request->category());
    update.category.id = request->category().id();
    update.paths.assign(request->update_mask().paths().begin(),
                        request->update_mask().paths().end());
    absl::StatusOr<Category> c = core_->UpdateCategory(*caller, std::move(update));
    if (!c.ok()) return WithEtagTrailer(context, c.status());
    ToProto(*c, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::DeleteCategory(
    grpc::CallbackServerContext* context, const v1::DeleteCategoryRequest* request,
    google::protobuf::Empty*) {
  return RunUnary(context, *pool_, [this, context, request]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    return WithEtagTrailer(context,
                           core_->DeleteCategory(*caller, request->id(), request->etag()));
  });
}

}  // namespace bulletin::content
