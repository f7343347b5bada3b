// The escapers and date formats every feed document relies on.
#include "services/web/feeds/text_escape.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "services/web/feeds/feeds.h"

namespace bulletin::web::feeds {
namespace {

absl::Time At(absl::string_view rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

TEST(XmlEscapedTest, MarkupAndQuotesBecomeEntities) {
  EXPECT_EQ(XmlEscaped("<script>alert(1)</script> & \"a\" 'b'"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;a&quot; &#39;b&#39;");
}

TEST(XmlEscapedTest, DropsCharactersXmlCannotCarry) {
  // C0 controls, DEL, a C1 control (U+0085) and U+FFFE are dropped; tab and line breaks
  // survive as character references.
  EXPECT_EQ(XmlEscaped("a\x01"
                       "b\x1b"
                       "c\x7f"
                       "d\xc2\x85"
                       "e\xef\xbf\xbe"
                       "f"),
            "abcdef");
  EXPECT_EQ(XmlEscaped(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(XmlEscaped("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
}

TEST(XmlEscapedTest, KeepsChineseAndReplacesInvalidUtf8) {
  EXPECT_EQ(XmlEscaped("新闻 & 公告"), "新闻 &amp; 公告");
  EXPECT_EQ(XmlEscaped("a\xff"
                       "b"),
            "a\xef\xbf\xbd"
            "b");                                                 // U+FFFD
  EXPECT_EQ(XmlEscaped("\xe6\x96"), "\xef\xbf\xbd\xef\xbf\xbd");  // truncated character
}

TEST(JsonStringTest, EscapesQuotesControlsAndHtmlSignificantCharacters) {
  std::string out;
  AppendJsonString("<script>\"x\"\\ & \n\t\xe2\x80\xa8 新闻", &out);
  EXPECT_EQ(out, "\"\\u003cscript\\u003e\\\"x\\\"\\\\ \\u0026 \\n\\t\\u2028 新闻\"");
  out.clear();
  AppendJsonString(std::string("a\x01"
                               "b",
                               3),
                   &out);
  EXPECT_EQ(out, "\"ab\"");
}

TEST(DatesTest, Rfc822Rfc3339AndHttpDate) {
  const absl::Time t = At("2018-02-05T08:00:09Z");
  EXPECT_EQ(FormatRfc822(t), "Mon, 05 Feb 2018 08:00:09 +0000");
  EXPECT_EQ(FormatRfc3339(t), "2018-02-05T08:00:09Z");
  EXPECT_EQ(FormatHttpDate(t), "Mon, 05 Feb 2018 08:00:09 GMT");
  EXPECT_EQ(FormatRfc822(At("2026-12-27T23:59:59Z")), "Sun, 27 Dec 2026 23:59:59 +0000");
  EXPECT_EQ(FormatRfc3339(At("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
}

}  // namespace
}  // namespace bulletin::web::feeds
