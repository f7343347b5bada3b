// The linear scan behind EstimateHtmlDepth: an HTML5 tokenizer reduced to what decides
// the tree's shape (tag names, quoted attribute values, comments, raw text, CDATA), feeding
// HtmlTreeModel. Where the tokenizer's reading is uncertain (raw text that may be markup)
// the span counts as opaque: its start tags open elements, its end tags close none.
#include "services/content/core/html_nesting.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/content/core/html_tree_model.h"

namespace bulletin::content {
namespace {

using html_internal::HtmlTreeModel;

// Elements whose content the tokenizer reads as text up to their end tag.
bool IsRawText(absl::string_view name) {
  static const auto* names = new absl::flat_hash_set<absl::string_view>{
      "script", "style",   "textarea", "title",    "xmp",
      "iframe", "noembed", "noframes", "noscript", "plaintext"};
  return names->contains(name);
}

bool IsAlpha(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

struct Tag {
  std::string name;
  absl::string_view attributes;
  bool self_closing = false;
};

// Tokenizes the tag whose name starts at html[pos] as the HTML5 tokenizer does (quoted
// attribute values may hold '>'). Returns the index after its '>', or npos when the input
// ends inside it (the tokenizer then drops it).
size_t ParseTag(absl::string_view html, size_t pos, Tag* tag) {
  const size_t n = html.size();
  size_t j = pos;
  while (j < n && !IsSpace(html[j]) && html[j] != '/' && html[j] != '>') ++j;
  tag->name = absl::AsciiStrToLower(html.substr(pos, j - pos));
  const size_t attributes_start = j;
  for (;;) {
    // Before an attribute name: a '/' right before '>' makes the tag self-closing.
    while (j < n && (IsSpace(html[j]) || html[j] == '/')) {
      tag->self_closing = html[j] == '/' && j + 1 < n && html[j + 1] == '>';
      ++j;
    }
    if (j >= n) return absl::string_view::npos;
    if (html[j] == '>') break;
    tag->self_closing = false;
    ++j;  // the first character of a name may be anything, '=' included
    while (j < n && !IsSpace(html[j]) && html[j] != '/' && html[j] != '>' && html[j] != '=') ++j;
    while (j < n && IsSpace(html[j])) ++j;
    if (j >= n) return absl::string_view::npos;
    if (html[j] != '=') continue;
    ++j;
    while (j < n && IsSpace(html[j])) ++j;
    if (j >= n) return absl::string_view::npos;
    if (html[j] == '"' || html[j] == '\'') {
      const size_t close = html.find(html[j], j + 1);
      if (close == absl::string_view::npos) return absl::string_view::npos;
      j = close + 1;
    } else if (html[j] != '>') {
      while (j < n && !IsSpace(html[j]) && html[j] != '>') ++j;
    }
  }
  tag->attributes = html.substr(attributes_start, j - attributes_start);
  return j + 1;
}

// Where the raw text of element `name` starting at `from` ends: at its end tag ("</name"
// followed by whitespace, '/' or '>'), else at the end of the input.
size_t RawTextEnd(absl::string_view html, size_t from, absl::string_view name) {
  for (size_t pos = html.find("</", from); pos != absl::string_view::npos;
       pos = html.find("</", pos + 2)) {
    const size_t after = pos + 2 + name.size();
    if (after < html.size() && absl::EqualsIgnoreCase(html.substr(pos + 2, name.size()), name) &&
        (IsSpace(html[after]) || html[after] == '/' || html[after] == '>')) {
      return pos;
    }
  }
  return html.size();
}

// A span the tokenizer may read as text while the tree builder could still see markup in
// it (or the other way round): every start tag in it counts, no end tag does.
void Opaque(absl::string_view span, HtmlTreeModel* model, int limit) {
  if (span.empty()) return;
  model->OpaqueSpan();
  for (size_t i = span.find('<'); i != absl::string_view::npos && model->max_depth() <= limit;
       i = span.find('<', i + 1)) {
    size_t j = i + 1;
    if (j + 1 < span.size() && span[j] == '/' && IsAlpha(span[j + 1])) model->OpaqueEnd();
    if (j >= span.size() || !IsAlpha(span[j])) continue;
    while (j < span.size() && !IsSpace(span[j]) && span[j] != '/' && span[j] != '>') ++j;
    model->OpaqueStart(absl::AsciiStrToLower(span.substr(i + 1, j - i - 1)));
  }
}

// The end of a comment opened at html[lt] ("<!--"): after the first "-->" (which may share
// its dashes with the opening, as in "<!-->") or "--!>", else the end of the input.
size_t CommentEnd(absl::string_view html, size_t lt) {
  size_t end = html.size();
  const size_t close = html.find("-->", lt + 2);
  if (close != absl::string_view::npos) end = close + 3;
  const size_t bang = html.find("--!>", lt + 4);
  if (bang != absl::string_view::npos && bang + 4 < end) end = bang + 4;
  return end;
}

size_t After(absl::string_view html, size_t from, absl::string_view what) {
  const size_t found = html.find(what, from);
  return found == absl::string_view::npos ? html.size() : found + what.size();
}

}  // namespace

int EstimateHtmlDepth(absl::string_view html, int limit) {
  HtmlTreeModel model;
  const size_t n = html.size();
  size_t i = 0;
  while (i < n && model.max_depth() <= limit) {
    const size_t lt = html.find('<', i);
    if (lt != i) model.Text();  // characters before the next '<' (or the end)
    if (lt == absl::string_view::npos) break;
    i = lt + 1;
    const char c = i < n ? html[i] : ' ';
    size_t opaque_end = i;  // [i, opaque_end) is read by Opaque
    if (IsAlpha(c)) {
      Tag tag;
      const size_t end = ParseTag(html, i, &tag);
      if (end == absl::string_view::npos) break;
      model.Start(tag.name, tag.attributes, tag.self_closing);
      i = end;
      if (IsRawText(tag.name)) {
        size_t text_end = tag.name == "plaintext" ? n : RawTextEnd(html, i, tag.name);
        // "<!--" in a script may start a double-escaped section that "</script>" does not end.
        const bool escaped =
            tag.name == "script" && html.substr(i, text_end - i).find("<!--") != std::string::npos;
        if (escaped) text_end = n;
        if (escaped || tag.name == "noscript" || model.MayBeMarkup()) {
          Opaque(html.substr(i, text_end - i), &model, limit);
        }
        i = text_end;
      }
      continue;
    }
    if (c == '/' && i + 1 < n && IsAlpha(html[i + 1])) {
      Tag tag;
      const size_t end = ParseTag(html, i + 1, &tag);
      if (end == absl::string_view::npos) break;
      model.End(tag.name);
      i = end;
      continue;
    }
    // Comments, doctypes and bogus comments end where the tokenizer ends them; CDATA is a
    // section only in foreign content, else a bogus comment.
    size_t skip_to = i;
    if ((c == '/' && i + 1 < n) || c == '?') {
      skip_to = After(html, i, ">");  // "</>" or a bogus comment
    } else if (c == '!' && absl::StartsWith(html.substr(i), "!--")) {
      skip_to = CommentEnd(html, lt);
    } else if (c == '!' && absl::StartsWith(html.substr(i), "![CDATA[") && model.InZone()) {
      opaque_end = After(html, i, "]]>");
    } else if (c == '!') {
      skip_to = After(html, i, ">");  // doctype or bogus comment
    } else {
      model.Text();  // a '<' that starts no tag is text
    }
    if (skip_to > i) {
      i = skip_to;
      continue;
    }
    Opaque(html.substr(i, opaque_end - i), &model, limit);
    i = opaque_end;
  }
  return model.max_depth() > limit ? limit + 1 : model.max_depth();
}

absl::Status CheckHtmlNesting(absl::string_view html) {
  if (EstimateHtmlDepth(html, kMaxHtmlDepth) <= kMaxHtmlDepth) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("HTML nested deeper than ", kMaxHtmlDepth, " elements"));
}

}  // namespace bulletin::content
