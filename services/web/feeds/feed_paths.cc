// The URL shapes of feeds.h and the format dispatch: one place that spells each path, so
// the web service's routes, the feeds' links and the sitemap cannot disagree.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/web/feeds/feeds.h"

namespace bulletin::web::feeds {
namespace {

absl::string_view FileName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kRss:
      return "feed.rss";
    case FeedFormat::kAtom:
      return "feed.atom";
    case FeedFormat::kJson:
      return "feed.json";
  }
  return "feed.atom";
}

}  // namespace

std::string RenderFeed(FeedFormat format, const FeedContext& ctx,
                       absl::Span<const Article> articles) {
  switch (format) {
    case FeedFormat::kRss:
      return RenderRssFeed(ctx, articles);
    case FeedFormat::kAtom:
      return RenderAtomFeed(ctx, articles);
    case FeedFormat::kJson:
      return RenderJsonFeed(ctx, articles);
  }
  return RenderAtomFeed(ctx, articles);
}

absl::string_view FeedContentType(FeedFormat format) {
  switch (format) {
    case FeedFormat::kRss:
      return "application/rss+xml; charset=utf-8";
    case FeedFormat::kAtom:
      return "application/atom+xml; charset=utf-8";
    case FeedFormat::kJson:
      return "application/feed+json; charset=utf-8";
  }
  return "application/octet-stream";
}

std::optional<FeedFormat> FeedFormatFromFileName(absl::string_view file_name) {
  for (FeedFormat f : {FeedFormat::kRss, FeedFormat::kAtom, FeedFormat::kJson}) {
    if (file_name == FileName(f)) return f;
  }
  return std::nullopt;
}

std::string FeedPath(absl::string_view locale, absl::string_view category_slug, FeedFormat format) {
  if (category_slug.empty()) return absl::StrCat("/", locale, "/", FileName(format));
  return absl::StrCat(CategoryPath(locale, category_slug), "/", FileName(format));
}

std::string ArticlePath(absl::string_view locale, absl::string_view slug) {
  return absl::StrCat("/", locale, "/articles/", slug);
}

std::string CategoryPath(absl::string_view locale, absl::string_view slug) {
  return absl::StrCat("/", locale, "/categories/", slug);
}

std::vector<std::string> FeedPathsOf(absl::Span<const std::string> locales,
                                     absl::Span<const std::string> category_slugs) {
  std::vector<std::string> paths;
  auto add = [&paths](std::string path) {
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) {
      paths.push_back(std::move(path));
    }
  };
  for (const std::string& locale : locales) {
    for (FeedFormat f : {FeedFormat::kRss, FeedFormat::kAtom, FeedFormat::kJson}) {
      add(FeedPath(locale, "", f));
      for (const std::string& slug : category_slugs) add(FeedPath(locale, slug, f));
    }
  }
  return paths;
}

std::string WebSubPublishBody(absl::string_view public_url,
                              absl::Span<const std::string> feed_paths) {
  std::string out = "hub.mode=publish";
  for (const std::string& path : feed_paths) {
    out.append("&hub.url=");
    for (char c : absl::StrCat(public_url, path)) {
      // RFC 3986 unreserved characters stay; everything else is %XX.
      if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out.push_back(c);
      } else {
        absl::StrAppendFormat(&out, "%%%02X", static_cast<unsigned char>(c));
      }
    }
  }
  return out;
}

}  // namespace bulletin::web::feeds
