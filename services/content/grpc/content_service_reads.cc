// ContentService: the reads of many — lists, revisions, search, related articles and
// categories.
#include "common/base/status_macros.h"
#include "common/grpc/call.h"
#include "services/content/grpc/content_convert.h"
#include "services/content/grpc/content_service.h"

namespace bulletin::content {

absl::Status ContentService::ListArticles(const Caller& caller,
                                          const v1::ListArticlesRequest* request,
                                          v1::ListArticlesResponse* response) {
  ListArticlesQuery q;
  q.page_size = request->page_size();
  q.page_token = request->page_token();
  q.category_id = request->category_id();
  q.include_subcategories = request->include_subcategories();
  q.tag = request->tag();
  q.locale = request->locale();
  q.require_translation = request->require_translation();
  ASSIGN_OR_RETURN(q.state, StateFilterFromProto(request->state(), "state"));
  q.basic_view = IsBasicView(request->view(), /*basic_by_default=*/true);
  q.featured_first = request->featured_first();
  q.featured_only = request->featured_only();
  q.show_deleted = request->show_deleted();
  ASSIGN_OR_RETURN(const ArticlePage page, core_.ListArticles(caller, std::move(q)));
  for (const ArticleRead& read : page.articles) ToProto(read, response->add_articles());
  response->set_next_page_token(page.next_page_token);
  response->set_total_size(static_cast<int32_t>(page.total_size));
  return absl::OkStatus();
}

absl::Status ContentService::ListArticleRevisions(const Caller& caller,
                                                  const v1::ListArticleRevisionsRequest* request,
                                                  v1::ListArticleRevisionsResponse* response) {
  RevisionsQuery q{request->article_id(), request->page_size(), request->page_token(),
                   IsBasicView(request->view(), /*basic_by_default=*/true)};
  ASSIGN_OR_RETURN(const RevisionPage page, core_.ListArticleRevisions(caller, std::move(q)));
  for (const ArticleRevision& r : page.revisions) ToProto(r, response->add_revisions());
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

absl::Status ContentService::SearchArticles(const Caller&, const v1::SearchArticlesRequest* request,
                                            v1::SearchArticlesResponse* response) {
  SearchQuery q{request->query(),       request->locale(),
                request->category_id(), request->include_subcategories(),
                request->page_size(),   request->page_token()};
  ASSIGN_OR_RETURN(const SearchPage page, core_.SearchArticles(std::move(q)));
  for (const SearchResult& r : page.results) ToProto(r, response->add_results());
  response->set_next_page_token(page.next_page_token);
  response->set_total_size(static_cast<int32_t>(page.total_size));
  return absl::OkStatus();
}

absl::Status ContentService::ListRelatedArticles(const Caller& caller,
                                                 const v1::ListRelatedArticlesRequest* request,
                                                 v1::ListRelatedArticlesResponse* response) {
  RelatedQuery q{request->article_id(), request->locale(), request->page_size()};
  ASSIGN_OR_RETURN(const std::vector<ArticleRead> related,
                   core_.ListRelatedArticles(caller, std::move(q)));
  for (const ArticleRead& read : related) ToProto(read, response->add_articles());
  return absl::OkStatus();
}

absl::Status ContentService::ListCategories(const Caller&, const v1::ListCategoriesRequest* request,
                                            v1::ListCategoriesResponse* response) {
  CategoryListQuery q{request->page_size(), request->page_token(), request->parent_id()};
  ASSIGN_OR_RETURN(const CategoryPage page, core_.ListCategories(q));
  for (const Category& c : page.categories) ToProto(c, response->add_categories());
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

}  // namespace bulletin::content
