#include "services/analytics/core/view_filter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/text_rules.h"

namespace bulletin::analytics {
namespace {

// Substrings, lower case. Specific names first; the generic tokens ("bot/", "crawler",
// "spider") catch most of the rest without matching phone names such as "CUBOT".
constexpr const char* kBuiltinBots[] = {
    "googlebot",
    "google-inspectiontool",
    "adsbot-google",
    "mediapartners-google",
    "bingbot",
    "bingpreview",
    "msnbot",
    "baiduspider",
    "yandexbot",
    "yandex.com/bots",
    "sogou",
    "360spider",
    "yisouspider",
    "bytespider",
    "petalbot",
    "duckduckbot",
    "applebot",
    "slurp",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "gptbot",
    "ccbot",
    "claudebot",
    "facebookexternalhit",
    "twitterbot",
    "linkedinbot",
    "slackbot",
    "telegrambot",
    "whatsapp",
    "discordbot",
    "headlesschrome",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "lighthouse",
    "pingdom",
    "uptimerobot",
    "statuscake",
    "site24x7",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "java/",
    "okhttp",
    "apache-httpclient",
    "libwww-perl",
    "axios/",
    "node-fetch",
    "scrapy",
    "httpie",
    "grpcurl",
    "bot/",
    "crawler",
    "spider",
};

bool ParseAddress(const std::string& text, int* family, std::array<unsigned char, 16>* addr) {
  addr->fill(0);
  if (inet_pton(AF_INET, text.c_str(), addr->data()) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), addr->data()) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

bool PrefixMatches(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b,
                   int bits) {
  int whole = bits / 8;
  if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

uint64_t ViewFilter::NextId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

ViewFilter::ViewFilter() : id_(NextId()) {
  for (const char* p : kBuiltinBots) patterns_.push_back(p);
}

absl::StatusOr<ViewFilter> ViewFilter::Create(const std::vector<std::string>& extra_bot_patterns,
                                              absl::string_view excluded) {
  ViewFilter filter;
  for (const std::string& p : extra_bot_patterns) {
    std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(p));
    if (!lower.empty()) filter.patterns_.push_back(lower);
  }
  filter.id_ = NextId();  // other patterns: other cached verdicts
  for (absl::string_view entry : absl::StrSplit(excluded, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat("--exclude-addresses: \"", Excerpt(entry),
                                                     "\" is not an IP address or CIDR range"));
    };
    std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits('/', 1));
    Range range;
    if (!ParseAddress(parts[0], &range.family, &range.addr)) return bad();
    const int max_bits = range.family == AF_INET ? 32 : 128;
    range.prefix = max_bits;
    if (parts.size() == 2 && (!absl::SimpleAtoi(parts[1], &range.prefix) || range.prefix < 0 ||
                              range.prefix > max_bits)) {
      return bad();
    }
    filter.ranges_.push_back(range);
  }
  return filter;
}

absl::StatusOr<std::vector<std::string>> ViewFilter::LoadPatterns(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--bot-patterns-file: cannot read \"", path, "\""));
  }
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view p = absl::StripAsciiWhitespace(line);
    if (!p.empty() && p[0] != '#') out.emplace_back(p);
  }
  return out;
}

bool ViewFilter::IsBot(absl::string_view user_agent) const {
  if (user_agent.empty()) return false;
  // Most views come with one of a few hundred browser user agents: each thread remembers
  // the verdicts of recent ones (direct-mapped by hash, keyed by filter and full string),
  // instead of searching ~40 patterns in every view's user agent.
  struct Slot {
    uint64_t filter = 0;
    std::string user_agent;
    bool bot = false;
  };
  constexpr size_t kSlots = 256, kMaxCachedLength = 512;
  thread_local std::array<Slot, kSlots> cache;
  Slot* slot = nullptr;
  if (user_agent.size() <= kMaxCachedLength) {
    slot = &cache[absl::Hash<absl::string_view>{}(user_agent) % kSlots];
    if (slot->filter == id_ && slot->user_agent == user_agent) return slot->bot;
  }
  std::string lower = absl::AsciiStrToLower(user_agent);
  bool bot = false;
  for (const std::string& p : patterns_) {
    if (absl::StrContains(lower, p)) {
      bot = true;
      break;
    }
  }
  if (slot != nullptr) {
    slot->filter = id_;
    slot->user_agent.assign(user_agent.data(), user_agent.size());
    slot->bot = bot;
  }
  return bot;
}

bool ViewFilter::IsExcluded(absl::string_view ip) const {
  if (ranges_.empty() || ip.empty()) return false;
  int family = 0;
  std::array<unsigned char, 16> addr;
  if (!ParseAddress(std::string(ip), &family, &addr)) return false;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d for IPv4 ranges.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  std::array<unsigned char, 16> v4{};
  bool mapped = family == AF_INET6 && std::equal(kMapped, kMapped + 12, addr.begin());
  if (mapped) std::copy(addr.begin() + 12, addr.end(), v4.begin());
  for (const Range& r : ranges_) {
    if (r.family == family && PrefixMatches(r.addr, addr, r.prefix)) return true;
    if (mapped && r.family == AF_INET && PrefixMatches(r.addr, v4, r.prefix)) return true;
  }
  return false;
}

NotCounted ViewFilter::Classify(const View& view) const {
  if (IsBot(view.user_agent)) return NotCounted::kBot;
  if (IsExcluded(view.client_ip)) return NotCounted::kExcludedAddress;
  return NotCounted::kNone;
}

}  // namespace bulletin::analytics
