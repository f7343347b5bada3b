#include "common/base/text_rules.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace bulletin {
namespace {

bool AllOf(absl::string_view s, bool (*pred)(unsigned char)) {
  for (char c : s) {
    if (!pred(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsAlpha(unsigned char c) { return absl::ascii_isalpha(c); }
bool IsAlnum(unsigned char c) { return absl::ascii_isalnum(c); }
bool IsDigit(unsigned char c) { return absl::ascii_isdigit(c); }

}  // namespace

bool IsValidId(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

bool IsValidSlug(absl::string_view s) {
  if (s.empty() || s.size() > kMaxSlugLength || s.front() == '-' || s.back() == '-') {
    return false;
  }
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

std::optional<std::string> NormalizeLocale(absl::string_view tag) {
  if (tag.empty() || tag.size() > 35) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(tag, absl::ByAnyChar("-_"));
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string& p = parts[i];
    if (p.empty() || p.size() > 8 || !AllOf(p, IsAlnum)) return std::nullopt;
    absl::AsciiStrToLower(&p);
    if (i == 0) {
      if (p.size() < 2 || !AllOf(p, IsAlpha)) return std::nullopt;
    } else if (p.size() == 4 && AllOf(p, IsAlpha)) {
      p[0] = absl::ascii_toupper(p[0]);  // script: "Hans"
    } else if ((p.size() == 2 && AllOf(p, IsAlpha)) || (p.size() == 3 && AllOf(p, IsDigit))) {
      absl::AsciiStrToUpper(&p);  // region: "CN", "419"
    }
  }
  return absl::StrJoin(parts, "-");
}

std::string PrimaryLanguage(absl::string_view locale) {
  return std::string(locale.substr(0, locale.find('-')));
}

std::string SlugFromTitle(absl::string_view title, size_t max_len) {
  std::string slug;
  bool pending_dash = false;
  for (char ch : title) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80 && absl::ascii_isalnum(c)) {
      if (pending_dash && !slug.empty()) slug.push_back('-');
      pending_dash = false;
      slug.push_back(absl::ascii_tolower(c));
    } else if (c < 0x80 && c == '\'') {
      // "China's" -> "chinas", not "china-s".
    } else {
      pending_dash = true;
    }
  }
  if (slug.size() > max_len) {
    size_t cut = slug.rfind('-', max_len);
    slug.resize(cut != std::string::npos && cut > max_len / 2 ? cut : max_len);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug;
}

size_t CodePoints(absl::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status CheckId(absl::string_view value, absl::string_view field) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": longer than 64 characters"));
  }
  if (!IsValidId(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": may contain only A-Z, a-z, 0-9, '-' and '_'"));
  }
  return absl::OkStatus();
}

absl::Status CheckLocale(std::string* locale, absl::string_view field) {
  if (locale->empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  std::optional<std::string> normal = NormalizeLocale(*locale);
  if (!normal) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", Excerpt(*locale), "\" is not a BCP-47 tag (e.g. \"en\", \"zh-CN\")"));
  }
  *locale = std::move(*normal);
  return absl::OkStatus();
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int len;
    char32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

absl::Status CheckText(absl::string_view value, absl::string_view field, const TextRule& rule) {
  if (!IsValidUtf8(value))
    return absl::InvalidArgumentError(absl::StrCat(field, ": not valid UTF-8"));
  bool blank = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    const bool line_break = c == '\n' || c == '\r' || c == '\t';
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    const bool c1 = c == 0xC2 && i + 1 < value.size() &&
                    static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(value[i + 1]) <= 0x9F;
    if ((c < 0x20 && !(line_break && rule.allow_line_breaks)) || c == 0x7F || c1) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must not contain control characters (found at byte ", i, ")"));
    }
    if (!absl::ascii_isspace(c)) blank = false;
  }
  if (rule.required && blank) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (rule.max_code_points > 0 && CodePoints(value) > rule.max_code_points) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", rule.max_code_points, " characters"));
  }
  return absl::OkStatus();
}

namespace {

// Appends `input` to `*out` character by character, a byte that starts no valid character
// as U+FFFD, stopping before `*out` would exceed `max` bytes. False when it stopped early.
bool AppendValidUtf8(absl::string_view input, size_t max, std::string* out) {
  static constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";
  size_t i = 0;
  while (i < input.size()) {
    const unsigned char lead = static_cast<unsigned char>(input[i]);
    size_t len = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    absl::string_view ch = input.substr(i, len);
    if (ch.size() != len || !IsValidUtf8(ch)) {
      len = 1;
      ch = kReplacement;
    }
    if (out->size() + ch.size() > max) return false;
    out->append(ch.data(), ch.size());
    i += len;
  }
  return true;
}

}  // namespace

std::string ToValidUtf8(absl::string_view input) {
  if (IsValidUtf8(input)) return std::string(input);
  std::string out;
  AppendValidUtf8(input, std::string::npos, &out);
  return out;
}

std::string Excerpt(absl::string_view input, size_t max) {
  if (input.size() <= max && IsValidUtf8(input)) return std::string(input);
  // Character by character, so the excerpt is valid UTF-8 whatever the input (an error
  // message must stay UTF-8: gRPC status messages and JSON logs carry it).
  std::string out;
  if (!AppendValidUtf8(input, max, &out)) out += "...";
  return out;
}

}  // namespace bulletin
