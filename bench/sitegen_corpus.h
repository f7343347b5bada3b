// The synthetic site of scripts/bench-scale: a deterministic function of (seed, size) that
// bulletin-sitegen writes and bulletin-scale-client queries, so both agree on ids, words
// and categories without sharing files. English words are built from syllables, Chinese
// words from a fixed range of common-block ideographs; both are drawn with a Zipf law
// (few very common words, a long tail), so searches hit realistic posting-list lengths.
// No copied text. Pure functions and immutable tables: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/content/core/content_types.h"

namespace bulletin::bench {

// Bump when anything below changes what is generated: scripts/bench-scale keys its cached
// databases by it.
inline constexpr int kSiteGeneratorVersion = 1;
inline constexpr int kSiteCategories = 50;  // 10 sections of 4 subsections each, and the 10

// The end of the ten years of publish dates (fixed, so a cached database stays valid).
absl::Time SiteEnd();

// A small deterministic generator (splitmix64): the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  double Uniform();             // [0, 1)
  int Below(int n);             // [0, n)
  int Between(int lo, int hi);  // [lo, hi]
  // A rank in [0, n) with P(rank) ~ 1 / (rank + 1)^s (s = 1.05).
  int Zipf(int n);

 private:
  uint64_t state_;
};

// The vocabularies, built once.
const std::vector<std::string>& EnglishWords();  // ~20,000, most common first
const std::vector<std::string>& ChineseWords();  // ~20,000 two- or three-character words

// The ids of the site's categories (kSiteCategories) and of its articles (0..count-1).
std::string CategoryId(int index);
// Article ids are UUIDv7 of their publish time, as the service makes them (time-ordered).
std::string ArticleId(uint64_t seed, int index, int count, absl::Time end);

// Category `index` (parents, index < 10, before their children).
content::Category MakeCategory(int index, absl::Time now);
// Article `index` of a site of `count`, published over the ten years before `end`.
content::Article MakeArticle(uint64_t seed, int index, int count, absl::Time end);

// Search queries: `words` English words (space-separated) or Chinese words (run together,
// as Chinese readers type them), common and rare alike, different for each `n`.
std::string EnglishQuery(uint64_t seed, int n, int words);
std::string ChineseQuery(uint64_t seed, int n, int words);

}  // namespace bulletin::bench
