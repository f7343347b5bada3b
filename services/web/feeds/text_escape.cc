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

// Calls `emit(cp, bytes)` for every code point of `text` XML may carry. Invalid UTF-8 is
// replaced first, so the decoder only sees well-formed sequences.
template <typename Emit>
void ForEachAllowed(absl::string_view text, Emit emit) {
  std::string valid;
  if (!IsValidUtf8(text)) {
    valid = ToValidUtf8(text);
    text = valid;
  }
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(text, &i);
    if (!XmlForbidden(cp)) emit(cp, text.substr(start, i - start));
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

// Copies runs of bytes that need nothing and handles the rest one character at a time:
// a sitemap escapes tens of megabytes of URLs.
void AppendXmlEscaped(absl::string_view text, std::string* out) {
  std::string valid;
  if (!IsValidUtf8(text)) {
    valid = ToValidUtf8(text);
    text = valid;
  }
  out->reserve(out->size() + text.size());
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const char* replacement = nullptr;
    size_t len = 1;
    bool drop = false;
    if (c < 0x80) {
      switch (c) {
        case '&':
          replacement = "&amp;";
          break;
        case '<':
          replacement = "&lt;";
          break;
        case '>':
          replacement = "&gt;";
          break;
        case '"':
          replacement = "&quot;";
          break;
        case '\'':
          replacement = "&#39;";
          break;
        case '\t':
          replacement = "&#9;";
          break;
        case '\n':
          replacement = "&#10;";
          break;
        case '\r':
          replacement = "&#13;";
          break;
        default:
          drop = XmlForbidden(c);
      }
    } else {
      len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      size_t pos = i;
      drop = XmlForbidden(NextCodePoint(text, &pos));  // C1 controls, U+FFFE, U+FFFF
    }
    if (replacement != nullptr || drop) {
      out->append(text.data() + run, i - run);
      if (replacement != nullptr) out->append(replacement);
      run = i + len;
    }
    i += len;
  }
  out->append(text.data() + run, text.size() - run);
}

std::string XmlEscaped(absl::string_view text) {
  std::string out;
  AppendXmlEscaped(text, &out);
  return out;
}

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  ForEachAllowed(text, [out](uint32_t cp, absl::string_view bytes) {
    switch (cp) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
      case '>':
      case '&':
      case 0x2028:
      case 0x2029:
        absl::StrAppendFormat(out, "\\u%04x", cp);
        break;
      default:
        out->append(bytes.data(), bytes.size());
    }
  });
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
