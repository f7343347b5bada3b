#include "services/content/core/html_sanitizer.h"

#include <gumbo.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/html_nesting.h"
#include "services/content/core/html_parse.h"

namespace bulletin::content {
namespace {

const std::set<GumboTag>& AllowedTags() {
  static const auto* tags = new std::set<GumboTag>{
      GUMBO_TAG_P,     GUMBO_TAG_BR,      GUMBO_TAG_HR,    GUMBO_TAG_H1,     GUMBO_TAG_H2,
      GUMBO_TAG_H3,    GUMBO_TAG_H4,      GUMBO_TAG_H5,    GUMBO_TAG_H6,     GUMBO_TAG_STRONG,
      GUMBO_TAG_B,     GUMBO_TAG_EM,      GUMBO_TAG_I,     GUMBO_TAG_U,      GUMBO_TAG_S,
      GUMBO_TAG_SUB,   GUMBO_TAG_SUP,     GUMBO_TAG_SMALL, GUMBO_TAG_MARK,   GUMBO_TAG_BLOCKQUOTE,
      GUMBO_TAG_Q,     GUMBO_TAG_CITE,    GUMBO_TAG_ABBR,  GUMBO_TAG_PRE,    GUMBO_TAG_CODE,
      GUMBO_TAG_UL,    GUMBO_TAG_OL,      GUMBO_TAG_LI,    GUMBO_TAG_DL,     GUMBO_TAG_DT,
      GUMBO_TAG_DD,    GUMBO_TAG_A,       GUMBO_TAG_IMG,   GUMBO_TAG_FIGURE, GUMBO_TAG_FIGCAPTION,
      GUMBO_TAG_TABLE, GUMBO_TAG_CAPTION, GUMBO_TAG_THEAD, GUMBO_TAG_TBODY,  GUMBO_TAG_TFOOT,
      GUMBO_TAG_TR,    GUMBO_TAG_TH,      GUMBO_TAG_TD,    GUMBO_TAG_SPAN,   GUMBO_TAG_DIV,
      GUMBO_TAG_TIME,  GUMBO_TAG_DEL,     GUMBO_TAG_INS,
  };
  return *tags;
}

// Elements dropped together with everything inside them.
bool DropWithContent(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_CANVAS:
      return true;
    default:
      return false;
  }
}

bool IsVoid(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG;
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_CAPTION:
      return true;
    default:
      return false;
  }
}

// A URL is kept when it is relative (no scheme) or http(s), or mailto for links. Browsers
// ignore ASCII whitespace and control characters inside a scheme ("java\tscript:"), so
// those are removed before looking at it.
bool SafeUrl(absl::string_view url, bool link) {
  std::string compact;
  for (char c : url) {
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7F) compact.push_back(c);
  }
  absl::AsciiStrToLower(&compact);
  const size_t colon = compact.find(':');
  const size_t end_of_scheme = compact.find_first_of("/?#");
  if (colon == std::string::npos || (end_of_scheme != std::string::npos && end_of_scheme < colon)) {
    return true;  // relative: "/media/x.jpg", "#top", "page?a=b:c"
  }
  const absl::string_view scheme = absl::string_view(compact).substr(0, colon);
  return scheme == "http" || scheme == "https" || (link && scheme == "mailto");
}

bool AllowedAttribute(GumboTag tag, absl::string_view name) {
  if (name == "title" || name == "lang" || name == "dir") return true;
  switch (tag) {
    case GUMBO_TAG_A:
      return name == "href" || name == "target" || name == "rel";
    case GUMBO_TAG_IMG:
      return name == "src" || name == "alt" || name == "width" || name == "height";
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return name == "colspan" || name == "rowspan" || name == "scope";
    case GUMBO_TAG_OL:
      return name == "start" || name == "reversed";
    case GUMBO_TAG_TIME:
      return name == "datetime";
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS:
      return name == "cite";
    default:
      return false;
  }
}

void AppendEscaped(absl::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        out->push_back(c);
    }
  }
}

// The opening tag of allow-listed element `e`, with its allowed attributes.
void AppendOpenTag(const GumboElement& e, std::string* out) {
  out->push_back('<');
  out->append(gumbo_normalized_tagname(e.tag));
  bool new_window = false;
  for (unsigned i = 0; i < e.attributes.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(e.attributes.data[i]);
    const std::string attr_name = absl::AsciiStrToLower(attr->name);
    if (!AllowedAttribute(e.tag, attr_name) || attr_name == "rel") continue;
    const bool is_url = attr_name == "href" || attr_name == "src" || attr_name == "cite";
    if (is_url && !SafeUrl(attr->value, e.tag == GUMBO_TAG_A)) continue;
    if (attr_name == "target") new_window = true;
    out->append(" ").append(attr_name).append("=\"");
    AppendEscaped(attr->value, out);
    out->push_back('"');
  }
  if (new_window) out->append(" rel=\"noopener noreferrer nofollow\"");
  out->push_back('>');
}

bool IsText(const GumboNode* node) {
  return node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
         node->type == GUMBO_NODE_CDATA;
}

bool IsElement(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE;
}

// The tree is walked with an explicit stack (a deep tree must not exhaust the thread's).
// Allow-listed elements nested deeper than kMaxHtmlDepth are unwrapped like unknown ones.
void SerializeChildren(const GumboNode* parent, std::string* out) {
  struct Frame {
    const GumboVector* children;
    unsigned next;
    const char* close;  // the end tag to write after the children; nullptr when unwrapped
  };
  std::vector<Frame> stack = {{&parent->v.element.children, 0, nullptr}};
  int depth = 0;  // allow-listed elements open in `out`
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.children->length) {
      if (top.close != nullptr) {
        out->append("</").append(top.close).push_back('>');
        --depth;
      }
      stack.pop_back();
      continue;
    }
    const auto* node = static_cast<const GumboNode*>(top.children->data[top.next++]);
    if (IsText(node)) {
      AppendEscaped(node->v.text.text, out);
      continue;
    }
    if (!IsElement(node)) continue;  // comments
    const GumboElement& e = node->v.element;
    if (DropWithContent(e.tag)) continue;
    const char* close = nullptr;
    if (AllowedTags().count(e.tag) && depth < kMaxHtmlDepth) {
      AppendOpenTag(e, out);
      if (IsVoid(e.tag)) continue;
      close = gumbo_normalized_tagname(e.tag);
      ++depth;
    }
    stack.push_back({&e.children, 0, close});
  }
}

void CollectText(const GumboNode* parent, std::string* out) {
  struct Frame {
    const GumboVector* children;
    unsigned next;
    bool block;  // a newline after the children
  };
  std::vector<Frame> stack = {{&parent->v.element.children, 0, false}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.children->length) {
      if (top.block) out->push_back('\n');
      stack.pop_back();
      continue;
    }
    const auto* node = static_cast<const GumboNode*>(top.children->data[top.next++]);
    if (IsText(node)) {
      out->append(node->v.text.text);
      continue;
    }
    if (!IsElement(node) || DropWithContent(node->v.element.tag)) continue;
    const bool block = IsBlock(node->v.element.tag);
    if (block) out->push_back('\n');
    stack.push_back({&node->v.element.children, 0, block});
  }
}

// Text between tags, for input refused for its nesting: no parser, no entities decoded.
std::string StripTags(absl::string_view html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
      out.push_back(' ');
    } else if (c == '>' && in_tag) {
      in_tag = false;
    } else if (!in_tag) {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> SanitizeBody(absl::string_view html) {
  RETURN_IF_ERROR(CheckHtmlNesting(html));
  std::string out;
  RETURN_IF_ERROR(ParseHtmlBody(html, ParseBudget(html.size()),
                                [&](const GumboNode* body) { SerializeChildren(body, &out); }));
  // libgumbo writes a character reference beyond U+10FFFF (&#xdddddddd;) as a lone byte;
  // the stored body must stay UTF-8.
  return ToValidUtf8(out);
}

std::string SanitizeHtml(absl::string_view html) { return SanitizeBody(html).value_or(""); }

std::string HtmlToText(absl::string_view html) {
  std::string raw;
  absl::Status parsed = CheckHtmlNesting(html);
  if (parsed.ok()) {
    parsed = ParseHtmlBody(html, ParseBudget(html.size()),
                           [&](const GumboNode* body) { CollectText(body, &raw); });
  }
  if (!parsed.ok()) raw = StripTags(html);
  // Collapse whitespace: a run containing a newline becomes "\n", any other run " ".
  std::string out;
  bool pending_space = false, pending_newline = false;
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\n') {
      pending_space = true;
      pending_newline = pending_newline || c == '\n';
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(pending_newline ? '\n' : ' ');
    pending_space = pending_newline = false;
    out.push_back(c);
  }
  return ToValidUtf8(out);  // as in SanitizeBody: gumbo may decode a reference to a lone byte
}

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  AppendEscaped(text, &out);
  return out;
}

}  // namespace bulletin::content
