// Tests of the body sanitiser's bounds (html_nesting.h, html_sanitizer.h): deeply nested
// bodies are refused in linear time before parsing and never crash, ordinary and sloppy
// HTML is accepted, and the nesting estimate stays above the depth the parser really
// builds, for crafted and for random tag soup.
#include "services/content/core/html_sanitizer.h"

#include <gtest/gtest.h>
#include <gumbo.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/text_rules.h"
#include "common/testing/status_matchers.h"
#include "services/content/core/html_nesting.h"
#include "services/content/core/html_parse.h"

namespace bulletin::content {
namespace {

using ::bulletin::testing::StatusIs;

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

// The depth below <body> of the tree gumbo builds (walked without recursion).
int ParsedDepth(const std::string& html) {
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  int deepest = 0;
  std::vector<std::pair<const GumboNode*, int>> stack = {{output->root, -1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    deepest = std::max(deepest, depth);
    const bool body = node->v.element.tag == GUMBO_TAG_BODY;
    const bool above_body = node->v.element.tag == GUMBO_TAG_HTML;
    for (unsigned i = 0; i < node->v.element.children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(node->v.element.children.data[i]);
      stack.push_back({child, above_body ? -1 : (body ? 1 : depth + 1)});
    }
  }
  // Deep trees are not handed to gumbo_destroy_output (it recurses); a test leak is fine.
  if (deepest < 5000) gumbo_destroy_output(&kGumboDefaultOptions, output);
  return deepest;
}

TEST(HtmlNestingTest, TheBodiesThatCrashedOrStalledAreRefusedQuickly) {
  const std::vector<std::string> bodies = {Repeat("<b>", 30000) + "x", Repeat("<div>", 60000),
                                           Repeat("<div>", 100000),
                                           Repeat("<i><b><u>", 200000) + "deep"};
  for (const std::string& body : bodies) {
    const absl::Time start = absl::Now();
    EXPECT_THAT(CheckHtmlNesting(body), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 "HTML nested deeper than 256 elements"));
    EXPECT_EQ(SanitizeHtml(body), "");
    EXPECT_TRUE(HtmlToText(body).find("x") != std::string::npos || body.back() != 'x');
    EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << body.size() << " bytes";
  }
}

TEST(HtmlNestingTest, TheLimitIs256Elements) {
  for (const char* tag : {"div", "b", "span", "blockquote", "ol"}) {
    const std::string open = absl::StrCat("<", tag, ">");
    EXPECT_OK(CheckHtmlNesting(Repeat(open, kMaxHtmlDepth - 2) + "x")) << tag;
    EXPECT_THAT(CheckHtmlNesting(Repeat(open, kMaxHtmlDepth + 1) + "x"),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << tag;
  }
  const std::string nested = Repeat("<div>", 200) + "x" + Repeat("</div>", 200);
  EXPECT_OK(CheckHtmlNesting(Repeat(nested, 50)));
  EXPECT_EQ(SanitizeHtml(nested), nested);
}

TEST(HtmlNestingTest, OrdinaryAndSloppyHtmlStaysShallow) {
  const std::vector<std::pair<std::string, int>> cases = {
      {Repeat("<p>Para <a href=\"https://e.org/x\">link</a> <b>bold</b>", 2000), 3},
      {"<ul>" + Repeat("<li>item <i>x</i>", 2000) + "</ul>", 4},
      {"<table>" + Repeat("<tr><td>a<td>b<th>c", 2000) + "</table>", 6},
      {Repeat("<p><b>x</p>", 2000), 6},
      {Repeat("<p><a href=x1>one<p><a href=x2>two", 1000), 8},
      {Repeat("<li><p>item", 1000), 3},
      {Repeat("<div><p>a<div>b</div></div>", 1000), 4},
      {Repeat("<p>x<!-- <div><div> --><br><img src=a.jpg>", 1000), 3},
      {Repeat("<font face=\"Arial\"><p>x</font>", 1000), 12},
      {"<script>for (i = 0; i<n; i++) {}</script>" + Repeat("<p>x</p>", 1000), 2},
      {Repeat("<div title=\"<div><div><div>\">x</div>", 1000), 2},
      {Repeat("<p><svg viewBox=\"0 0 1 1\"/><span>x</span></p>", 1000), 3},
  };
  for (const auto& [html, most] : cases) {
    const int estimate = EstimateHtmlDepth(html);
    EXPECT_LE(estimate, most) << html.substr(0, 80);
    EXPECT_LE(ParsedDepth(html), std::max(estimate, 1)) << html.substr(0, 80);
    EXPECT_OK(CheckHtmlNesting(html));
  }
}

TEST(HtmlNestingTest, TheEstimateIsAtLeastTheParsedDepthForCraftedNesting) {
  // Each piece deepens the tree in a way the tree builder handles differently.
  const std::vector<std::string> pieces = {
      "<div><b id=1></div>x",              // formatting reopened after its parent closed
      "<span><div></span>",                // </span> does not close past a <div>
      "<div><table></div>",                // </div> does not close past a table
      "<p><b>x<div>",                      // <div> closes the <p> (and the <b>)
      "<table><td><table><td>",            // implied <tbody> and <tr>
      "<ul><li><ul><li>",                  // <li> does not close an outer <li>
      "<a href=1><div><a href=2><div>",    // a second <a> closes the first
      "<select><div></select>",            // select ignores most tags
      "<svg><g><div>",                     // foreign content broken out of
      "<b><div></b>",                      // adoption agency with a furthest block
      "<div title=\"</div>\">",            // an end tag inside a quoted value
      "<div><!-- </div> -->",              // an end tag inside a comment
      "<div><textarea></div></textarea>",  // an end tag inside raw text
      "<div><svg><style></div></style>",   // raw text that is markup in svg
      "<div><script><!--<script></div>",   // a double-escaped script
      "<font size=1><center>",             // formatting inside a block, unclosed
  };
  for (const std::string& piece : pieces) {
    const std::string html = Repeat(piece, 200);
    const int estimate = EstimateHtmlDepth(html, 100000);
    EXPECT_GE(estimate, ParsedDepth(html)) << piece;
  }
}

// Random tag soup, and random pieces repeated (where a misjudged construct would add up):
// the estimate may fall short on crafted misnesting, but only by a small factor.
TEST(HtmlNestingTest, TheEstimateBoundsRandomTagSoup) {
  const std::vector<std::string> tokens = {
      "<div>",       "</div>",   "<p>",        "</p>",        "<b>",        "</b>",
      "<i>",         "</i>",     "<a href=1>", "<a href=2>",  "</a>",       "<span>",
      "</span>",     "<table>",  "</table>",   "<tr>",        "</tr>",      "<td>",
      "</td>",       "<ul>",     "</ul>",      "<li>",        "</li>",      "<select>",
      "</select>",   "<option>", "<svg>",      "</svg>",      "<math>",     "<textarea>",
      "</textarea>", "<!--",     "-->",        "<script>",    "</script>",  "\"",
      "x",           "<h1>",     "</h1>",      "<button>",    "</button>",  "<font color=red>",
      "</font>",     "<nobr>",   "<template>", "</template>", "<caption>",  "<col>",
      "<br>",        "</br>",    "<object>",   "</object>",   "<form>",     "</form>",
      "<dd>",        "<dt>",     "<pre>",      "<center>",    "<title>",    "<u>",
      "</u>",        "<s>",      "</body>",    "<html>",      "<frameset>", "<plaintext>",
      "<![CDATA[",   "]]>"};
  std::mt19937 random(20240613);
  auto soup = [&](int length) {
    std::string html;
    for (int i = 0; i < length; ++i) html += tokens[random() % tokens.size()];
    return html;
  };
  for (int round = 0; round < 1500; ++round) {
    const std::string html = soup(20 + static_cast<int>(random() % 400));
    const int estimate = EstimateHtmlDepth(html, 100000);
    EXPECT_LE(ParsedDepth(html), 2 * estimate + 4) << html;
  }
  for (int round = 0; round < 1500; ++round) {
    const std::string piece = soup(2 + static_cast<int>(random() % 14));
    const std::string html = Repeat(piece, 100);
    const int estimate = EstimateHtmlDepth(html, 100000);
    EXPECT_LE(ParsedDepth(html), 2 * estimate + 4) << piece << " repeated";
  }
}

// Behind the estimate, a parse that outlives its budget is abandoned, not waited for.
TEST(HtmlParseTest, AParsePastItsBudgetIsAbandoned) {
  const std::string body = Repeat("<p>Some <b>text</b> and <a href=\"/x\">a link</a>.</p>", 2000);
  int bodies = 0;
  EXPECT_OK(ParseHtmlBody(body, absl::Seconds(10), [&](const GumboNode*) { ++bodies; }));
  EXPECT_EQ(bodies, 1);
  EXPECT_THAT(ParseHtmlBody(body, absl::ZeroDuration(), [&](const GumboNode*) { ++bodies; }),
              StatusIs(absl::StatusCode::kInvalidArgument, "HTML too complex to parse"));
  EXPECT_EQ(bodies, 1);
  EXPECT_GE(ParseBudget(2000000), absl::Seconds(1));
}

// The sanitiser's own walks keep no recursion: a tree as deep as the parser allows at the
// limit serialises with the allow-listed nesting cut at kMaxHtmlDepth.
TEST(HtmlSanitizerTest, OutputNestsAtMostTheLimit) {
  const std::string deep = Repeat("<div>", kMaxHtmlDepth - 1) + "x";
  ASSERT_OK_AND_ASSIGN(const std::string safe, SanitizeBody(deep));
  EXPECT_EQ(safe, Repeat("<div>", kMaxHtmlDepth - 1) + "x" + Repeat("</div>", kMaxHtmlDepth - 1));
  EXPECT_THAT(SanitizeBody(deep + "<div><div>"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(HtmlToText(Repeat("<b>", 30000) + "deep &amp; text"), "deep &amp; text");
}

}  // namespace
}  // namespace bulletin::content

namespace bulletin::content {
namespace {

// libgumbo writes a character reference beyond U+10FFFF as a lone byte (found by the
// html_sanitizer fuzzer): the sanitised body must still be UTF-8.
TEST(HtmlSanitizerTest, OutputIsValidUtf8EvenForOutOfRangeCharacterReferences) {
  for (const char* body : {"<p>&#xdddddddd;</p>", "&#x110000;x", "<b>&#99999999999;</b>"}) {
    const std::string out = SanitizeHtml(body);
    EXPECT_TRUE(IsValidUtf8(out)) << body;
    EXPECT_TRUE(IsValidUtf8(HtmlToText(body))) << body;
  }
}

}  // namespace
}  // namespace bulletin::content
