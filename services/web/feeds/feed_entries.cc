// Entries are derived once and shared by the formats, so RSS, Atom and JSON Feed always
// agree on ids, URLs and dates.
#include "services/web/feeds/feed_entries.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/base/crypto.h"
#include "services/web/feeds/text_escape.h"

namespace bulletin::web::feeds {
namespace {

using ::bulletin::content::v1::ARTICLE_STATE_PUBLISHED;
using ::bulletin::content::v1::ARTICLE_STATE_UNSPECIFIED;
using ::bulletin::content::v1::ArticleTranslation;
using ::google::protobuf::Timestamp;

absl::Time TimeOf(const Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// "news.example.org" from "https://news.example.org:8443/x".
absl::string_view HostOf(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme != absl::string_view::npos) url.remove_prefix(scheme + 3);
  const size_t end = url.find_first_of(":/?#");
  return end == absl::string_view::npos ? url : url.substr(0, end);
}

// The sanitiser writes every attribute as name="value", so a site-relative link or image
// source in the body is exactly ` href="/` or ` src="/` (not followed by another '/').
std::string AbsoluteBodyUrls(absl::string_view public_url, absl::string_view body) {
  std::string out;
  out.reserve(body.size() + 16 * public_url.size());
  size_t copied = 0;
  for (size_t pos = body.find("=\"/"); pos != absl::string_view::npos;
       pos = body.find("=\"/", pos + 3)) {
    const absl::string_view before = body.substr(0, pos);
    if (!absl::EndsWith(before, " href") && !absl::EndsWith(before, " src")) continue;
    if (pos + 3 < body.size() && body[pos + 3] == '/') continue;  // "//host/...": absolute
    out.append(body.data() + copied, pos + 2 - copied);           // up to and with `="`
    out.append(public_url.data(), public_url.size());
    copied = pos + 2;
  }
  out.append(body.data() + copied, body.size() - copied);
  return out;
}

std::string CoverFigure(absl::string_view image_url, const ArticleTranslation& t) {
  if (image_url.empty()) return "";
  std::string out = absl::StrCat("<figure><img src=\"", XmlEscaped(image_url), "\" alt=\"",
                                 XmlEscaped(t.cover_image_alt()), "\">");
  if (!t.cover_image_caption().empty()) {
    absl::StrAppend(&out, "<figcaption>", XmlEscaped(t.cover_image_caption()), "</figcaption>");
  }
  out.append("</figure>");
  return out;
}

bool Shown(const Article& a) {
  if (a.has_delete_time()) return false;
  return a.state() == ARTICLE_STATE_PUBLISHED || a.state() == ARTICLE_STATE_UNSPECIFIED;
}

}  // namespace

std::string AbsoluteUrl(absl::string_view public_url, absl::string_view url) {
  if (absl::StartsWith(url, "/") && !absl::StartsWith(url, "//")) {
    return absl::StrCat(public_url, url);
  }
  return std::string(url);
}

std::vector<FeedEntry> FeedEntries(const FeedContext& ctx, absl::Span<const Article> articles) {
  std::vector<FeedEntry> entries;
  const absl::string_view host = HostOf(ctx.public_url);
  for (const Article& a : articles) {
    auto it = a.translations().find(ctx.locale);
    if (it == a.translations().end() || !Shown(a)) continue;
    const ArticleTranslation& t = it->second;
    FeedEntry e;
    const std::string& slug = t.slug().empty() ? a.slug() : t.slug();
    e.url = absl::StrCat(ctx.public_url, ArticlePath(ctx.locale, slug));
    const Timestamp& minted = a.has_create_time() ? a.create_time() : a.publish_time();
    e.id = absl::StrCat("tag:", host, ",",
                        absl::FormatTime("%Y-%m-%d", TimeOf(minted), absl::UTCTimeZone()),
                        ":articles/", a.id(), "/", ctx.locale);
    e.title = t.title();
    e.summary = t.summary();
    e.image_url =
        t.cover_image_url().empty() ? "" : AbsoluteUrl(ctx.public_url, t.cover_image_url());
    e.content_html =
        absl::StrCat(CoverFigure(e.image_url, t), AbsoluteBodyUrls(ctx.public_url, t.body()));
    const Timestamp& updated = a.has_update_time() ? a.update_time() : t.update_time();
    e.updated = TimeOf(updated);
    e.published = a.has_publish_time() ? TimeOf(a.publish_time()) : e.updated;
    if (!a.has_update_time() && !t.has_update_time()) e.updated = e.published;
    e.tags.assign(a.tags().begin(), a.tags().end());
    entries.push_back(std::move(e));
  }
  return entries;
}

std::string FeedHomeUrl(const FeedContext& ctx) {
  if (ctx.category.has_value()) {
    return absl::StrCat(ctx.public_url, CategoryPath(ctx.locale, ctx.category->slug()));
  }
  return absl::StrCat(ctx.public_url, "/", ctx.locale, "/");
}

std::string FeedSelfUrl(const FeedContext& ctx) {
  return AbsoluteUrl(ctx.public_url, ctx.self_path);
}

FeedVersion FeedVersionOf(const FeedContext& ctx, absl::Span<const Article> articles) {
  FeedVersion v;
  v.last_modified = absl::UnixEpoch();
  // Field separators no field can hold (ids, slugs, locales and URLs have no control
  // characters), so two different inputs never hash the same text.
  std::string basis = absl::StrCat(ctx.public_url, "\x1f", ctx.locale, "\x1f", ctx.title, "\x1f",
                                   ctx.subtitle, "\x1f", ctx.self_path, "\x1f", ctx.hub_url);
  if (ctx.category.has_value()) {
    const absl::Time t = TimeOf(ctx.category->update_time());
    if (t > v.last_modified) v.last_modified = t;
    absl::StrAppend(&basis, "\x1e", ctx.category->id(), "\x1f", ctx.category->etag(), "\x1f",
                    ctx.category->update_time().seconds(), ".",
                    ctx.category->update_time().nanos());
  }
  for (const Article& a : articles) {
    if (!a.translations().contains(ctx.locale) || !Shown(a)) continue;
    const absl::Time t = TimeOf(a.update_time());
    if (t > v.last_modified) v.last_modified = t;
    absl::StrAppend(&basis, "\x1e", a.id(), "\x1f", a.etag(), "\x1f", a.revision(), "\x1f",
                    a.update_time().seconds(), ".", a.update_time().nanos());
  }
  v.etag = absl::StrCat("\"f-", absl::BytesToHexString(Sha256(basis).substr(0, 16)), "\"");
  return v;
}

}  // namespace bulletin::web::feeds
