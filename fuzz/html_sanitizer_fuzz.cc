// Fuzz target html_sanitizer: content's body sanitiser (services/content/core
// html_sanitizer.h, with the nesting bound of html_nesting.h) on any bytes. Besides not
// crashing, an accepted body is parsed again with gumbo, as a browser would, and must hold
// only allow-listed elements and attributes, nested at most kMaxHtmlDepth deep, with every
// URL relative or http(s)/mailto (mutation XSS: what the sanitiser writes must not become
// something else when parsed), and so must sanitising it again; the output of valid UTF-8
// is valid UTF-8; a refusal is a short INVALID_ARGUMENT; EscapeHtml leaves no markup character.
// Input: the HTML.
#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "fuzz/fuzz_support.h"
#include "services/content/core/html_nesting.h"
#include "services/content/core/html_sanitizer.h"

namespace bulletin::fuzz {
namespace {

const std::set<std::string>& AllowedElements() {
  static const auto* names = new std::set<std::string>{
      "html", "head",   "body",  // the document a re-parse wraps the fragment in
      "p",    "br",     "hr",         "h1",         "h2",      "h3",    "h4",    "h5",
      "h6",   "strong", "b",          "em",         "i",       "u",     "s",     "sub",
      "sup",  "small",  "mark",       "blockquote", "q",       "cite",  "abbr",  "pre",
      "code", "ul",     "ol",         "li",         "dl",      "dt",    "dd",    "a",
      "img",  "figure", "figcaption", "table",      "caption", "thead", "tbody", "tfoot",
      "tr",   "th",     "td",         "span",       "div",     "time",  "del",   "ins"};
  return *names;
}

const std::set<std::string>& AllowedAttributes() {
  static const auto* names = new std::set<std::string>{
      "title",  "lang",    "dir",     "href",  "target", "rel",      "src",      "alt", "width",
      "height", "colspan", "rowspan", "scope", "start",  "reversed", "datetime", "cite"};
  return *names;
}

// The browser's view of a URL attribute: relative, or a scheme the sanitiser allows.
bool SafeUrl(absl::string_view url) {
  std::string compact;
  for (char c : url) {
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7F) compact.push_back(c);
  }
  absl::AsciiStrToLower(&compact);
  const size_t colon = compact.find(':');
  const size_t path = compact.find_first_of("/?#");
  if (colon == std::string::npos || (path != std::string::npos && path < colon)) return true;
  const std::string scheme = compact.substr(0, colon);
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

void CheckNode(const GumboNode* node, const std::string& html, int depth) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
  const GumboElement& e = node->v.element;
  const std::string name = e.tag == GUMBO_TAG_UNKNOWN ? "?" : gumbo_normalized_tagname(e.tag);
  FUZZ_CHECK(AllowedElements().count(name) > 0,
             absl::StrCat("sanitised output parses to <", name, ">: ", Excerpt(html, 300)));
  for (unsigned i = 0; i < e.attributes.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(e.attributes.data[i]);
    const std::string attr_name = absl::AsciiStrToLower(attr->name);
    FUZZ_CHECK(
        AllowedAttributes().count(attr_name) > 0,
        absl::StrCat("sanitised output has attribute ", attr_name, ": ", Excerpt(html, 300)));
    if (attr_name == "href" || attr_name == "src" || attr_name == "cite") {
      FUZZ_CHECK(SafeUrl(attr->value),
                 absl::StrCat("sanitised output has URL ", Excerpt(attr->value, 100)));
    }
  }
  // html, body and a table's implied tbody come on top of what the sanitiser nests.
  FUZZ_CHECK(depth <= content::kMaxHtmlDepth + 4,
             absl::StrCat("sanitised output nests ", depth, " deep: ", Excerpt(html, 100)));
  for (unsigned i = 0; i < e.children.length; ++i) {
    CheckNode(static_cast<const GumboNode*>(e.children.data[i]), html, depth + 1);
  }
}

void CheckParsesSafely(const std::string& html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  CheckNode(output->root, html, 0);
  gumbo_destroy_output(&options, output);
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;           // NOLINT
  using namespace bulletin::content;  // NOLINT
  using namespace bulletin::fuzz;     // NOLINT
  Quiet();
  const std::string html(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<std::string> body = SanitizeBody(html);
  if (body.ok()) {
    CheckParsesSafely(*body);
    // Sanitising again keeps it safe. (It need not give the same string: unwrapping an
    // unknown element can nest what a parser does not nest, "<h1>a<x><h1>b" becomes
    // "<h1>a<h1>b</h1></h1>", which a browser reads as two headings; only safety matters.)
    CheckParsesSafely(SanitizeHtml(*body));
    if (IsValidUtf8(html)) FUZZ_CHECK(IsValidUtf8(*body), "sanitised output is not UTF-8");
  } else {
    FUZZ_CHECK(body.status().code() == absl::StatusCode::kInvalidArgument,
               body.status().ToString().substr(0, 200));
    FUZZ_CHECK(body.status().message().size() <= 200, "a long refusal");
  }

  const std::string text = HtmlToText(html);
  if (IsValidUtf8(html)) FUZZ_CHECK(IsValidUtf8(text), "HtmlToText output is not UTF-8");

  const std::string escaped = EscapeHtml(html);
  FUZZ_CHECK(escaped.find_first_of("<>\"'") == std::string::npos, "EscapeHtml left markup");
  return 0;
}
