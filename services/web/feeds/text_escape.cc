// Escaping works on code points so that a multi-byte character is kept or dropped whole.
#include "services/web/feeds/text_escape.h"

#include <cstdint>

#include "absl/strings/str_format.h"
#include "common/base/text_rules.h"
#include "services/web/feeds/feeds.h"

namespace bulletin::web::feeds {
namespace {

// Decodes the code point at s[*i] (s is valid UTF-8) and advances *i past it.
uint32_t NextCodePoint(absl::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = 1;
  uint32_t cp = b0;
  if (b0 >= 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else if (b0 >= 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  }
  for (int k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  }
  *i += len;
  return cp;
}

// Characters outside XML 1.0's Char production, and the discouraged controls.
bool XmlForbidden(uint32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp <= 0x9F) return true;
  return cp == 0xFFFE || cp == 0xFFFF;
}

// Appends `text` with each character XML cannot carry dropped and each character for which
// `replacement(cp)` is non-null written as that string; runs of other bytes are copied
// whole (sitemaps and full-content feeds escape megabytes). Invalid UTF-8 is replaced
// first, so the decoder only sees well-formed sequences.
template <typename Replacement>
void AppendFiltered(absl::string_view text, std::string* out, Replacement replacement) {
  std::string valid;
  if (!IsValidUtf8(text)) {
    valid = ToValidUtf8(text);
    text = valid;
  }
  out->reserve(out->size() + text.size());
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(text, &i);
    const char* rep = XmlForbidden(cp) ? "" : replacement(cp);
    if (rep != nullptr) {
      out->append(text.data() + run, start - run);
      out->append(rep);
      run = i;
    }
  }
  out->append(text.data() + run, text.size() - run);
}

const char* XmlReplacement(uint32_t cp) {
  switch (cp) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    // Character references survive attribute-value normalisation.
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    case '\r':
      return "&#13;";
    default:
      return nullptr;
  }
}

const char* JsonReplacement(uint32_t cp) {
  switch (cp) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    // Safe inside an HTML <script> and in JavaScript string literals.
    case '<':
      return "\\u003c";
    case '>':
      return "\\u003e";
    case '&':
      return "\\u0026";
    case 0x2028:
      return "\\u2028";
    case 0x2029:
      return "\\u2029";
    default:
      return nullptr;
  }
}

constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string FormatEnglishDate(absl::Time t, absl::string_view zone) {
  const absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int day = static_cast<int>(absl::GetWeekday(c));  // Monday is 0
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d %s", kDays[day], c.day(),
                         kMonths[c.month() - 1], c.year(), c.hour(), c.minute(), c.second(), zone);
}

}  // namespace

void AppendXmlEscaped(absl::string_view text, std::string* out) {
  AppendFiltered(text, out, XmlReplacement);
}

std::string XmlEscaped(absl::string_view text) {
  std::string out;
  AppendXmlEscaped(text, &out);
  return out;
}

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  AppendFiltered(text, out, JsonReplacement);
  out->push_back('"');
}

std::string FormatRfc3339(absl::Time t) {
  const absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", c.year(), c.month(), c.day(), c.hour(),
                         c.minute(), c.second());
}

std::string FormatRfc822(absl::Time t) { return FormatEnglishDate(t, "+0000"); }

std::string FormatHttpDate(absl::Time t) { return FormatEnglishDate(t, "GMT"); }

}  // namespace bulletin::web::feeds
