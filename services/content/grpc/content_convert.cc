#include "services/content/grpc/content_convert.h"

#include "absl/strings/str_cat.h"

namespace bulletin::content {

absl::StatusOr<absl::Time> FromProtoTime(const google::protobuf::Timestamp& ts, const char* field) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (ts.nanos() < 0 || ts.nanos() > 999999999 || ts.seconds() < kMinSeconds ||
      ts.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid timestamp"));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out) {
  const absl::Time seconds = absl::FromUnixSeconds(absl::ToUnixSeconds(t));
  absl::Duration rest = t - seconds;
  int64_t s = absl::ToUnixSeconds(t);
  if (rest < absl::ZeroDuration()) {
    rest += absl::Seconds(1);
    --s;
  }
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
}

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

void ToProto(const Article& in, v1::Article* out) {
  out->set_id(in.id);
  out->set_slug(in.slug);
  out->set_category_id(in.category_id);
  for (const std::string& tag : in.tags) out->add_tags(tag);
  out->set_state(static_cast<v1::ArticleState>(in.state));
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

}  // namespace bulletin::content
