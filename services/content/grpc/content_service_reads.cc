// ContentServiceImpl: the reads of many — lists, revisions, search, related articles and
// categories.
#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "services/content/grpc/content_convert.h"
#include "services/content/grpc/content_service.h"

namespace bulletin::content {
namespace {

bool BasicView(v1::ArticleView view, bool basic_by_default) {
  return view == v1::ARTICLE_VIEW_UNSPECIFIED ? basic_by_default : view == v1::ARTICLE_VIEW_BASIC;
}

}  // namespace

grpc::ServerUnaryReactor* ContentServiceImpl::ListArticles(grpc::CallbackServerContext* context,
                                                           const v1::ListArticlesRequest* request,
                                                           v1::ListArticlesResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    ListArticlesQuery q;
    q.page_size = request->page_size();
    q.page_token = request->page_token();
    q.category_id = request->category_id();
    q.include_subcategories = request->include_subcategories();
    q.tag = request->tag();
    q.locale = request->locale();
    q.require_translation = request->require_translation();
    if (request->state() != v1::ARTICLE_STATE_UNSPECIFIED) {
      if (!v1::ArticleState_IsValid(request->state())) {
        return absl::InvalidArgumentError("state: unknown value");
      }
      q.state = static_cast<ArticleState>(request->state());
    }
    q.basic_view = BasicView(request->view(), true);
    q.featured_first = request->featured_first();
    q.featured_only = request->featured_only();
    q.show_deleted = request->show_deleted();
    absl::StatusOr<ArticlePage> page = core_->ListArticles(*caller, std::move(q));
    if (!page.ok()) return page.status();
    for (const ArticleRead& read : page->articles) ToProto(read, response->add_articles());
    response->set_next_page_token(page->next_page_token);
    response->set_total_size(static_cast<int32_t>(page->total_size));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::ListArticleRevisions(
    grpc::CallbackServerContext* context, const v1::ListArticleRevisionsRequest* request,
    v1::ListArticleRevisionsResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    RevisionsQuery q{request->article_id(), request->page_size(), request->page_token(),
                     BasicView(request->view(), true)};
    absl::StatusOr<RevisionPage> page = core_->ListArticleRevisions(*caller, std::move(q));
    if (!page.ok()) return page.status();
    for (const ArticleRevision& r : page->revisions) {
      v1::ArticleRevision* out = response->add_revisions();
      out->set_revision(r.revision);
      ToProto(r.article, out->mutable_article());
      ToProtoTime(r.create_time, out->mutable_create_time());
      out->set_author(r.author);
      for (const std::string& path : r.changed_fields) out->mutable_changed_fields()->add_paths(path);
    }
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::SearchArticles(
    grpc::CallbackServerContext* context, const v1::SearchArticlesRequest* request,
    v1::SearchArticlesResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    SearchQuery q{request->query(),         request->locale(),    request->category_id(),
                  request->include_subcategories(), request->page_size(), request->page_token()};
    absl::StatusOr<SearchPage> page = core_->SearchArticles(std::move(q));
    if (!page.ok()) return page.status();
    for (const SearchResult& r : page->results) {
      v1::SearchResult* out = response->add_results();
      ToProto(r.read, out->mutable_article());
      out->set_score(r.score);
      for (const Snippet& s : r.snippets) {
        v1::Snippet* snippet = out->add_snippets();
        snippet->set_field(s.field);
        snippet->set_text(s.text);
        snippet->set_html(s.html);
        for (const auto& [start, end] : s.highlights) {
          v1::TextRange* range = snippet->add_highlights();
          range->set_start(start);
          range->set_end(end);
        }
      }
    }
    response->set_next_page_token(page->next_page_token);
    response->set_total_size(static_cast<int32_t>(page->total_size));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::ListRelatedArticles(
    grpc::CallbackServerContext* context, const v1::ListRelatedArticlesRequest* request,
    v1::ListRelatedArticlesResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    RelatedQuery q{request->article_id(), request->locale(), request->page_size()};
    absl::StatusOr<std::vector<ArticleRead>> related =
        core_->ListRelatedArticles(*caller, std::move(q));
    if (!related.ok()) return related.status();
    for (const ArticleRead& read : *related) ToProto(read, response->add_articles());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ContentServiceImpl::ListCategories(
    grpc::CallbackServerContext* context, const v1::ListCategoriesRequest* request,
    v1::ListCategoriesResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    CategoryListQuery q{request->page_size(), request->page_token(), request->parent_id()};
    absl::StatusOr<CategoryPage> page = core_->ListCategories(q);
    if (!page.ok()) return page.status();
    for (const Category& c : page->categories) ToProto(c, response->add_categories());
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace bulletin::content
