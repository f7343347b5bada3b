// The synthetic site (sitegen_corpus.h): syllable-built English, ideograph-built Chinese,
// Zipf-distributed, with per-category topic words so related articles share vocabulary.
#include "bench/sitegen_corpus.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace bulletin::bench {
namespace {

constexpr int kVocabulary = 20000;
constexpr int kTags = 600;
constexpr int kTopicWords = 6;
constexpr double kTopicShare = 0.15;  // of the words of an article

// Appends the UTF-8 encoding of `cp` (BMP only).
void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

uint64_t Mix(uint64_t a, uint64_t b) { return Rng(a * 0x9E3779B97F4A7C15ULL ^ b).Next(); }

// The words of one language for one article: mostly Zipf over the vocabulary, some from
// the article's category topic.
class WordSource {
 public:
  WordSource(const std::vector<std::string>& words, Rng& rng, uint64_t topic_seed)
      : words_(words), rng_(rng) {
    Rng topic(topic_seed);
    for (int i = 0; i < kTopicWords; ++i) topic_.push_back(200 + topic.Below(kVocabulary - 200));
  }
  const std::string& Next() {
    if (rng_.Uniform() < kTopicShare) return words_[topic_[rng_.Below(kTopicWords)]];
    return words_[rng_.Zipf(static_cast<int>(words_.size()))];
  }

 private:
  const std::vector<std::string>& words_;
  Rng& rng_;
  std::vector<int> topic_;
};

std::string EnglishSentence(WordSource& words, Rng& rng, int lo, int hi) {
  std::string s;
  const int n = rng.Between(lo, hi);
  for (int i = 0; i < n; ++i) {
    std::string w = words.Next();
    if (i == 0) w[0] = absl::ascii_toupper(w[0]);
    absl::StrAppend(&s, i == 0 ? "" : (rng.Below(12) == 0 ? ", " : " "), w);
  }
  return s;
}

std::string ChineseSentence(WordSource& words, Rng& rng, int lo, int hi) {
  std::string s;
  const int n = rng.Between(lo, hi);
  for (int i = 0; i < n; ++i) {
    if (i > 0 && rng.Below(9) == 0) s += "，";
    s += words.Next();
  }
  return s;
}

std::string Tag(int index) {
  const std::vector<std::string>& en = EnglishWords();
  Rng rng(Mix(0x7a6, static_cast<uint64_t>(index)));
  std::string tag = en[100 + rng.Below(3000)];
  if (index % 3 == 0) absl::StrAppend(&tag, " ", en[100 + rng.Below(3000)]);
  return tag;
}

absl::Time PublishTime(uint64_t seed, int index, int count, absl::Time end) {
  Rng rng(Mix(seed ^ 0x71e, static_cast<uint64_t>(index)));
  const double span = absl::ToDoubleSeconds(absl::Hours(24 * 3652));
  const double at = (index + rng.Uniform()) / count;
  return end - absl::Seconds(span) + absl::Seconds(std::floor(at * span));
}

}  // namespace

absl::Time SiteEnd() {
  return absl::FromCivil(absl::CivilSecond(2026, 12, 1, 0, 0, 0), absl::UTCTimeZone());
}

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
int Rng::Below(int n) { return static_cast<int>(Uniform() * n); }
int Rng::Between(int lo, int hi) { return lo + Below(hi - lo + 1); }

int Rng::Zipf(int n) {
  // Inverse of the continuous 1/x law on [1, n + 1): log-uniform ranks.
  const int r = static_cast<int>(std::exp(Uniform() * std::log(n + 1.0))) - 1;
  return r < 0 ? 0 : (r >= n ? n - 1 : r);
}

const std::vector<std::string>& EnglishWords() {
  static const std::vector<std::string>* words = [] {
    auto* out = new std::vector<std::string>{"the", "of",   "and",  "to", "in",   "a",
                                             "is",  "that", "for",  "on", "with", "as",
                                             "by",  "at",   "from", "it", "was",  "said"};
    const char* onsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",
                            "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",  "br", "ch",
                            "cr", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr"};
    const char* vowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"};
    const char* codas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "x"};
    Rng rng(0xE16);
    while (out->size() < kVocabulary) {
      // Common words are short: one syllable near the top, up to four in the tail.
      const int syllables = 1 + (out->size() > 150) + (out->size() > 4000 && rng.Below(2) == 0);
      std::string w;
      for (int s = 0; s < syllables; ++s) {
        absl::StrAppend(&w, onsets[rng.Below(30)], vowels[rng.Below(10)], codas[rng.Below(13)]);
      }
      out->push_back(w);
    }
    return out;
  }();
  return *words;
}

const std::vector<std::string>& ChineseWords() {
  static const std::vector<std::string>* words = [] {
    auto* out = new std::vector<std::string>();
    Rng rng(0xC81);
    while (out->size() < kVocabulary) {
      std::string w;
      const int chars = rng.Below(5) == 0 ? 3 : 2;
      // 3,500 ideographs of the common block, the first ones most used.
      for (int c = 0; c < chars; ++c) AppendUtf8(0x4E00 + rng.Zipf(3500), w);
      out->push_back(w);
    }
    return out;
  }();
  return *words;
}

std::string CategoryId(int index) {
  return absl::StrFormat("0185f000-0000-7000-8000-%012x", 0xca7000 + index);
}

std::string ArticleId(uint64_t seed, int index, int count, absl::Time end) {
  // UUIDv7: the publish time's milliseconds, then bits from the seed and index.
  const uint64_t ms =
      static_cast<uint64_t>(absl::ToUnixMillis(PublishTime(seed, index, count, end)));
  const uint64_t r = Mix(seed, static_cast<uint64_t>(index) + 1);
  return absl::StrFormat("%08x-%04x-7%03x-%04x-%012x", ms >> 16, ms & 0xFFFF, r & 0xFFF,
                         0x8000 | ((r >> 12) & 0x3FFF), (r >> 26) & 0xFFFFFFFFFFFFULL);
}

content::Category MakeCategory(int index, absl::Time now) {
  content::Category c;
  c.id = CategoryId(index);
  const std::string& en = EnglishWords()[400 + index * 37];
  c.slug = absl::StrCat(en, "-", index);
  if (index >= 10) c.parent_id = CategoryId((index - 10) / 4);
  c.default_locale = "en";
  std::string name = en;
  name[0] = absl::ascii_toupper(name[0]);
  c.translations["en"].name = name;
  c.translations["zh-CN"].name = ChineseWords()[400 + index * 37];
  c.sort_order = index;
  c.create_time = c.update_time = now;
  c.etag = absl::StrCat("c", index);
  return c;
}

content::Article MakeArticle(uint64_t seed, int index, int count, absl::Time end) {
  Rng rng(Mix(seed, static_cast<uint64_t>(index) * 2 + 1));
  content::Article a;
  a.id = ArticleId(seed, index, count, end);
  // Mostly subsections, some sections; some subsections far busier than others.
  const int category = rng.Below(7) == 0 ? rng.Below(10) : 10 + rng.Zipf(40);
  a.category_id = CategoryId(category);
  const uint64_t topic = Mix(seed ^ 0x70b1c, static_cast<uint64_t>(category));
  WordSource en(EnglishWords(), rng, topic);
  WordSource zh(ChineseWords(), rng, topic);

  content::Translation e;
  e.title = EnglishSentence(en, rng, 6, 12);
  e.summary = EnglishSentence(en, rng, 25, 40) + ".";
  content::Translation z;
  z.title = ChineseSentence(zh, rng, 5, 10);
  z.summary = ChineseSentence(zh, rng, 15, 30) + "。";
  const int paragraphs = rng.Between(5, 8);
  for (int p = 0; p < paragraphs; ++p) {
    std::vector<std::string> en_sentences, zh_sentences;
    const int sentences = rng.Between(3, 5);
    for (int s = 0; s < sentences; ++s) {
      en_sentences.push_back(EnglishSentence(en, rng, 8, 18) + ".");
      zh_sentences.push_back(ChineseSentence(zh, rng, 10, 20) + "。");
    }
    absl::StrAppend(&e.body, "<p>", absl::StrJoin(en_sentences, " "), "</p>\n");
    absl::StrAppend(&z.body, "<p>", absl::StrJoin(zh_sentences, ""), "</p>\n");
  }
  for (content::Translation* t : {&e, &z}) {
    t->cover_image_url = absl::StrCat("https://img.example.org/", a.id, ".jpg");
    t->cover_image_caption = t == &e ? e.title : z.title;
    t->cover_image_alt = t->cover_image_caption;
  }

  std::vector<std::string> slug_words;
  const std::string lower = absl::AsciiStrToLower(e.title);
  for (absl::string_view w : absl::StrSplit(lower, ' ')) {
    if (slug_words.size() < 5 && !w.empty() && w.back() != ',') slug_words.emplace_back(w);
  }
  slug_words.push_back(absl::StrCat(index));
  a.slug = absl::StrJoin(slug_words, "-");

  const int tags = rng.Between(2, 4);
  for (int t = 0; t < tags; ++t) {
    std::string tag = Tag(rng.Zipf(kTags));
    if (std::find(a.tags.begin(), a.tags.end(), tag) == a.tags.end()) a.tags.push_back(tag);
  }
  a.state = content::ArticleState::kPublished;
  a.default_locale = rng.Below(3) == 0 ? "zh-CN" : "en";
  const absl::Time published = PublishTime(seed, index, count, end);
  a.publish_time = published;
  a.create_time = published - absl::Minutes(rng.Between(10, 600));
  a.update_time = published;
  e.update_time = z.update_time = published;
  a.translations["en"] = std::move(e);
  a.translations["zh-CN"] = std::move(z);
  a.revision = 1;
  a.etag = absl::StrFormat("%016x", Mix(seed ^ 0xe7a6, static_cast<uint64_t>(index)));
  a.featured = rng.Below(100) == 0;
  return a;
}

std::string EnglishQuery(uint64_t seed, int n, int words) {
  Rng rng(Mix(seed ^ 0x5ea7c4, static_cast<uint64_t>(n)));
  std::vector<std::string> out;
  // Content words: past the function words, common and rare alike (log-uniform ranks).
  for (int i = 0; i < words; ++i) out.push_back(EnglishWords()[18 + rng.Zipf(kVocabulary - 18)]);
  return absl::StrJoin(out, " ");
}

std::string ChineseQuery(uint64_t seed, int n, int words) {
  Rng rng(Mix(seed ^ 0x5ea7c5, static_cast<uint64_t>(n)));
  std::string out;
  for (int i = 0; i < words; ++i) out += ChineseWords()[rng.Zipf(kVocabulary)];
  return out;
}

}  // namespace bulletin::bench
