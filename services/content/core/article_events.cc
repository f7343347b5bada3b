#include "services/content/core/article_events.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto/time.h"

namespace bulletin::content {

std::string CanonicalUrl(const std::string& base_url, const std::string& locale,
                         const std::string& slug) {
  if (base_url.empty()) return "";
  return absl::StrCat(base_url, "/", locale, "/articles/", slug);
}

std::vector<std::string> LocaleOrder(const Article& article) {
  std::vector<std::string> order;
  if (article.translations.count(article.default_locale)) order.push_back(article.default_locale);
  for (const auto& [locale, tr] : article.translations) {  // std::map: byte order
    if (locale != article.default_locale) order.push_back(locale);
  }
  return order;
}

std::string LocaleSlug(const Article& article, const std::string& locale) {
  auto it = article.translations.find(locale);
  return it != article.translations.end() && !it->second.slug.empty() ? it->second.slug
                                                                      : article.slug;
}

std::vector<LocaleLink> LocaleLinks(const Article& article, const std::string& base_url) {
  std::vector<LocaleLink> links;
  for (const std::string& locale : LocaleOrder(article)) {
    std::string slug = LocaleSlug(article, locale);
    links.push_back({locale, slug, article.translations.at(locale).title,
                     CanonicalUrl(base_url, locale, slug)});
  }
  return links;
}

events::v1::ArticleEvent BuildArticleEvent(const Article& article,
                                           events::v1::ArticleEventType type,
                                           const std::vector<std::string>& category_ancestor_ids,
                                           const std::string& base_url, const std::string& event_id,
                                           absl::Time occur_time) {
  events::v1::ArticleEvent event;
  event.set_event_id(event_id);
  event.set_type(type);
  ToProtoTime(occur_time, event.mutable_occur_time());
  events::v1::ArticleSnapshot* s = event.mutable_article();
  s->set_id(article.id);
  s->set_slug(article.slug);
  s->set_category_id(article.category_id);
  for (const std::string& tag : article.tags) s->add_tags(tag);
  for (const LocaleLink& link : LocaleLinks(article, base_url)) {
    const Translation& tr = article.translations.at(link.locale);
    events::v1::LocalizedSummary* out = s->add_translations();
    out->set_locale(link.locale);
    out->set_title(tr.title);
    out->set_summary(tr.summary);
    out->set_slug(link.slug);
    out->set_canonical_url(link.canonical_url);
    out->set_cover_image_url(tr.cover_image_url);
  }
  s->set_default_locale(article.default_locale);
  if (article.publish_time) ToProtoTime(*article.publish_time, s->mutable_publish_time());
  s->set_canonical_url(
      CanonicalUrl(base_url, article.default_locale, LocaleSlug(article, article.default_locale)));
  s->set_revision(article.revision);
  for (const std::string& id : category_ancestor_ids) s->add_category_ancestor_ids(id);
  s->set_featured(article.featured);
  ToProtoTime(article.update_time, s->mutable_update_time());
  return event;
}

OutboxEvent ToOutboxEvent(const events::v1::ArticleEvent& event, absl::Time now) {
  OutboxEvent row;
  row.event_id = event.event_id();
  row.type = events::v1::ArticleEventType_Name(event.type());
  row.article_id = event.article().id();
  row.payload = event.SerializeAsString();
  row.create_time = now;
  return row;
}

}  // namespace bulletin::content
