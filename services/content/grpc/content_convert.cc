#include "services/content/grpc/content_convert.h"

#include "absl/strings/str_cat.h"
#include "common/proto/time.h"

namespace bulletin::content {

Article FromProto(const v1::Article& in) {
  Article a;
  a.slug = in.slug();
  a.category_id = in.category_id();
  a.tags.assign(in.tags().begin(), in.tags().end());
  for (const auto& [locale, t] : in.translations()) {
    Translation& tr = a.translations[locale];
    tr.title = t.title();
    tr.summary = t.summary();
    tr.body = t.body();
    tr.cover_image_url = t.cover_image_url();
    tr.cover_image_caption = t.cover_image_caption();
    tr.cover_image_alt = t.cover_image_alt();
    tr.slug = t.slug();
    tr.outdated = t.outdated();  // read only by update_mask "translations.<locale>.outdated"
  }
  a.default_locale = in.default_locale();
  a.featured = in.featured();
  a.etag = in.etag();
  return a;
}

Category FromProto(const v1::Category& in) {
  Category c;
  c.slug = in.slug();
  c.parent_id = in.parent_id();
  for (const auto& [locale, t] : in.translations()) {
    c.translations[locale] = CategoryTranslation{t.name(), t.description()};
  }
  c.default_locale = in.default_locale();
  c.sort_order = in.sort_order();
  c.etag = in.etag();
  return c;
}

v1::ArticleState ToProto(ArticleState state) {
  switch (state) {
    case ArticleState::kDraft:
      return v1::ARTICLE_STATE_DRAFT;
    case ArticleState::kScheduled:
      return v1::ARTICLE_STATE_SCHEDULED;
    case ArticleState::kPublished:
      return v1::ARTICLE_STATE_PUBLISHED;
    case ArticleState::kArchived:
      return v1::ARTICLE_STATE_ARCHIVED;
  }
  return v1::ARTICLE_STATE_UNSPECIFIED;
}

absl::StatusOr<std::optional<ArticleState>> StateFilterFromProto(v1::ArticleState state,
                                                                 absl::string_view field) {
  switch (state) {
    case v1::ARTICLE_STATE_UNSPECIFIED:
      return std::optional<ArticleState>();
    case v1::ARTICLE_STATE_DRAFT:
      return ArticleState::kDraft;
    case v1::ARTICLE_STATE_SCHEDULED:
      return ArticleState::kScheduled;
    case v1::ARTICLE_STATE_PUBLISHED:
      return ArticleState::kPublished;
    case v1::ARTICLE_STATE_ARCHIVED:
      return ArticleState::kArchived;
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value"));
  }
}

bool IsBasicView(v1::ArticleView view, bool basic_by_default) {
  return view == v1::ARTICLE_VIEW_UNSPECIFIED ? basic_by_default : view == v1::ARTICLE_VIEW_BASIC;
}

void ToProto(const Article& in, v1::Article* out) {
  out->set_id(in.id);
  out->set_slug(in.slug);
  out->set_category_id(in.category_id);
  for (const std::string& tag : in.tags) out->add_tags(tag);
  out->set_state(ToProto(in.state));
  for (const auto& [locale, tr] : in.translations) {
    v1::ArticleTranslation& t = (*out->mutable_translations())[locale];
    t.set_title(tr.title);
    t.set_summary(tr.summary);
    t.set_body(tr.body);
    t.set_cover_image_url(tr.cover_image_url);
    t.set_cover_image_caption(tr.cover_image_caption);
    t.set_cover_image_alt(tr.cover_image_alt);
    t.set_slug(tr.slug);
    t.set_outdated(tr.outdated);
    ToProtoTime(tr.update_time, t.mutable_update_time());
  }
  out->set_default_locale(in.default_locale);
  if (in.publish_time) ToProtoTime(*in.publish_time, out->mutable_publish_time());
  ToProtoTime(in.create_time, out->mutable_create_time());
  ToProtoTime(in.update_time, out->mutable_update_time());
  out->set_revision(in.revision);
  out->set_etag(in.etag);
  out->set_featured(in.featured);
  if (in.delete_time) ToProtoTime(*in.delete_time, out->mutable_delete_time());
}

void ToProto(const ArticleRead& in, v1::Article* out) {
  ToProto(in.article, out);
  out->set_returned_locale(in.returned_locale);
  for (const LocaleLink& link : in.published_locales) {
    v1::LocaleLink* l = out->add_published_locales();
    l->set_locale(link.locale);
    l->set_slug(link.slug);
    l->set_title(link.title);
    l->set_canonical_url(link.canonical_url);
  }
}

void ToProto(const Category& in, v1::Category* out) {
  out->set_id(in.id);
  out->set_slug(in.slug);
  out->set_parent_id(in.parent_id);
  for (const auto& [locale, tr] : in.translations) {
    v1::CategoryTranslation& t = (*out->mutable_translations())[locale];
    t.set_name(tr.name);
    t.set_description(tr.description);
  }
  out->set_default_locale(in.default_locale);
  out->set_sort_order(in.sort_order);
  ToProtoTime(in.create_time, out->mutable_create_time());
  ToProtoTime(in.update_time, out->mutable_update_time());
  out->set_etag(in.etag);
}

void ToProto(const CategoryRead& in, v1::Category* out) {
  ToProto(in.category, out);
  for (const Category& ancestor : in.ancestors) ToProto(ancestor, out->add_ancestors());
}

void ToProto(const ArticleRevision& in, v1::ArticleRevision* out) {
  out->set_revision(in.revision);
  ToProto(in.article, out->mutable_article());
  ToProtoTime(in.create_time, out->mutable_create_time());
  out->set_author(in.author);
  for (const std::string& path : in.changed_fields) out->mutable_changed_fields()->add_paths(path);
}

void ToProto(const SearchResult& in, v1::SearchResult* out) {
  ToProto(in.read, out->mutable_article());
  out->set_score(in.score);
  for (const Snippet& s : in.snippets) {
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

}  // namespace bulletin::content
