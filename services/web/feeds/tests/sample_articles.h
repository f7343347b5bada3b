// Sample content for the feeds tests and the web_feeds_sample tool: a bilingual article
// (en + zh-CN) with a cover image and a site-relative image in its body, an English-only
// article whose title and summary are markup and ampersands, and their category. Fixed
// ids and times, so every run renders the same documents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/web/feeds/feeds.h"

namespace bulletin::web::feeds::testing {

inline constexpr char kPublicUrl[] = "https://news.example.org";
inline constexpr char kHubUrl[] = "https://hub.example.net/";
// The hostile article's title, as it must reach every reader: as text.
inline constexpr char kHostileTitle[] = "<script>alert(1)</script> & AT&T \"quoted\" 'single'";
inline constexpr char kBilingualTitleEn[] = "Bulletin launches its news site";
inline constexpr char kBilingualTitleZh[] = "公告：新闻网站上线";

// Newest first: the hostile article (2018-02-06), then the bilingual one (2018-02-05).
std::vector<Article> SampleArticles();
Category SampleCategory();

// `count` English articles whose text (title, summary, body, caption, alt, tags) is drawn
// from `seed` out of markup, quotes, ampersands, C0/C1 controls, U+FFFE, "]]>", invalid
// UTF-8 (stray bytes, surrogates, truncated sequences), CJK and plain words: whatever
// content lets through or not, the documents must stay well-formed. Titles start with
// "random-N " so a parser can match entries to articles.
std::vector<Article> RandomArticles(uint32_t seed, int count);

// A feed context for `locale` and `format`, with the hub; of the category when asked.
FeedContext SampleFeedContext(const std::string& locale, FeedFormat format, bool category);

}  // namespace bulletin::web::feeds::testing
