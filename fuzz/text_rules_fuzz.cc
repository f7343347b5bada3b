// Fuzz target text_rules: the shared rules for text taken from outside (common/base
// text_rules.h: ids, slugs, locales, CheckText, Excerpt, UTF-8) and StaleEtag. Besides not
// crashing, each function must agree with its contract: IsValidUtf8 with an independent
// decoder (RFC 3629's byte ranges), CheckId with IsValidId, locales normalised once for
// all, SlugFromTitle giving valid slugs, CheckText's verdict with its rule, excerpts
// short, whole characters and valid UTF-8 whatever the input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/etag.h"
#include "common/base/text_rules.h"
#include "fuzz/fuzz_support.h"

namespace bulletin::fuzz {
namespace {

// RFC 3629 section 4, byte range by byte range.
bool ReferenceUtf8(absl::string_view s) {
  size_t i = 0;
  auto in = [&](size_t k, int lo, int hi) {
    return k < s.size() && static_cast<unsigned char>(s[k]) >= lo &&
           static_cast<unsigned char>(s[k]) <= hi;
  };
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x7F) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF && in(i + 1, 0x80, 0xBF)) {
      i += 2;
    } else if (c == 0xE0 && in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && in(i + 1, 0x80, 0xBF) &&
               in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (c == 0xED && in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (c == 0xF0 && in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3 && in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (c == 0xF4 && in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

void CheckMessage(const absl::Status& s, absl::string_view what) {
  FUZZ_CHECK(s.message().size() <= 200,
             absl::StrCat(what, ": message of ", s.message().size(), " bytes"));
}

void CheckLocales(const std::string& s) {
  std::optional<std::string> normal = NormalizeLocale(s);
  std::string copy = s;
  const absl::Status checked = CheckLocale(&copy, "locale");
  CheckMessage(checked, "CheckLocale");
  FUZZ_CHECK(checked.ok() == normal.has_value(), "CheckLocale disagrees with NormalizeLocale");
  if (!normal) return;
  FUZZ_CHECK(copy == *normal, "CheckLocale normalised differently");
  FUZZ_CHECK(NormalizeLocale(*normal) == normal, "NormalizeLocale is not idempotent: " + *normal);
  const std::string primary = PrimaryLanguage(*normal);
  FUZZ_CHECK(primary.size() >= 2 && primary.size() <= 8, "PrimaryLanguage: " + primary);
}

void CheckSlugs(const std::string& s, size_t max_len) {
  const std::string slug = SlugFromTitle(s, max_len);
  FUZZ_CHECK(slug.size() <= max_len, absl::StrCat("slug longer than ", max_len, ": ", slug));
  FUZZ_CHECK(slug.empty() || IsValidSlug(slug), "SlugFromTitle made an invalid slug: " + slug);
  if (IsValidSlug(s)) {
    FUZZ_CHECK(SlugFromTitle(s) == s, "SlugFromTitle changes a valid slug: " + s);
  }
}

void CheckFreeText(const std::string& s, uint8_t flags, size_t max_code_points) {
  TextRule rule;
  rule.required = (flags & 1) != 0;
  rule.allow_line_breaks = (flags & 2) != 0;
  rule.max_code_points = (flags & 4) != 0 ? max_code_points : 0;
  const absl::Status st = CheckText(s, "article.translations[en].title", rule);
  CheckMessage(st, "CheckText");
  if (!st.ok()) return;
  FUZZ_CHECK(ReferenceUtf8(s), "CheckText accepted invalid UTF-8");
  bool blank = true;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool line_break = c == '\n' || c == '\r' || c == '\t';
    FUZZ_CHECK(c >= 0x20 || (line_break && rule.allow_line_breaks),
               absl::StrCat("CheckText accepted control character ", c));
    FUZZ_CHECK(c != 0x7F, "CheckText accepted DEL");
    if (c == 0xC2 && i + 1 < s.size()) {
      const unsigned char n = static_cast<unsigned char>(s[i + 1]);
      FUZZ_CHECK(n < 0x80 || n > 0x9F, "CheckText accepted a C1 control");
    }
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') blank = false;
  }
  FUZZ_CHECK(!rule.required || !blank, "CheckText accepted blank required text");
  FUZZ_CHECK(rule.max_code_points == 0 || CodePoints(s) <= rule.max_code_points,
             "CheckText accepted text over its length");
}

void CheckExcerpt(const std::string& s, size_t max) {
  const std::string e = Excerpt(s, max);
  FUZZ_CHECK(e.size() <= max + 3, absl::StrCat("Excerpt of ", e.size(), " bytes for max ", max));
  FUZZ_CHECK(ReferenceUtf8(e), "Excerpt is not UTF-8");
  if (!ReferenceUtf8(s)) return;
  if (s.size() <= max) {
    FUZZ_CHECK(e == s, "Excerpt changed a short input");
  } else {
    FUZZ_CHECK(e.size() >= 3 && absl::EndsWith(e, "...") &&
                   absl::StartsWith(s, absl::string_view(e).substr(0, e.size() - 3)),
               "Excerpt is not a prefix");
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;        // NOLINT
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const uint8_t flags = in.Byte();
  const uint8_t number = in.Byte();
  const std::string s(in.Rest());

  FUZZ_CHECK(IsValidUtf8(s) == ReferenceUtf8(s), "IsValidUtf8 disagrees with RFC 3629");
  if (ReferenceUtf8(s)) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    FUZZ_CHECK(CodePoints(s) == n, "CodePoints miscounts");
  }

  const absl::Status id = CheckId(s, "article_id");
  CheckMessage(id, "CheckId");
  FUZZ_CHECK(id.ok() == IsValidId(s), "CheckId disagrees with IsValidId");

  CheckLocales(s);
  CheckSlugs(s, number % (kMaxSlugLength + 1));
  CheckFreeText(s, flags, number);
  CheckExcerpt(s, number);

  const absl::Status stale = StaleEtag("article.etag", s, "\"3\"");
  CheckMessage(stale, "StaleEtag");
  FUZZ_CHECK(CurrentEtagOf(stale) == std::optional<std::string>("\"3\""),
             "StaleEtag lost the current etag");
  return 0;
}
