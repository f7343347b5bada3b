#include "services/content/core/porter_stemmer.h"

#include <cstddef>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {
namespace {

constexpr size_t kMinLength = 3;
constexpr size_t kMaxLength = 64;

bool IsAeiou(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Whether w[i] is a consonant: not a vowel, and not a 'y' that follows a consonant.
bool IsConsonant(absl::string_view w, size_t i) {
  if (IsAeiou(w[i])) return false;
  if (w[i] == 'y') return i == 0 || !IsConsonant(w, i - 1);
  return true;
}

// Porter's m: the number of vowel-consonant sequences in the stem w[0, n).
int Measure(absl::string_view w, size_t n) {
  int m = 0;
  bool previous_vowel = false;
  for (size_t i = 0; i < n; ++i) {
    const bool consonant = IsConsonant(w, i);
    if (consonant && previous_vowel) ++m;
    previous_vowel = !consonant;
  }
  return m;
}

// *v*: the stem w[0, n) holds a vowel ('y' counts anywhere but first, as in SQLite).
bool HasVowel(absl::string_view w, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (IsAeiou(w[i]) || (w[i] == 'y' && i > 0)) return true;
  }
  return false;
}

// *o: the stem w[0, n) ends consonant-vowel-consonant, the last not w, x or y.
bool EndsCvc(absl::string_view w, size_t n) {
  if (n < 3 || w[n - 1] == 'w' || w[n - 1] == 'x' || w[n - 1] == 'y') return false;
  return IsConsonant(w, n - 3) && !IsConsonant(w, n - 2) && IsConsonant(w, n - 1);
}

enum class Condition { kNone, kMGt0, kMGt1, kMGt1AndSOrT };

struct Rule {
  absl::string_view suffix;
  absl::string_view replacement;
  Condition condition;
};

bool Holds(Condition condition, absl::string_view w, size_t stem) {
  switch (condition) {
    case Condition::kNone:
      return true;
    case Condition::kMGt0:
      return Measure(w, stem) > 0;
    case Condition::kMGt1:
      return Measure(w, stem) > 1;
    case Condition::kMGt1AndSOrT:
      return (w[stem - 1] == 's' || w[stem - 1] == 't') && Measure(w, stem) > 1;
  }
  return false;
}

// Applies the first rule whose suffix ends `w` with a non-empty stem, if its condition
// holds. A matching rule whose condition fails ends the step (longest match wins).
template <size_t N>
void ApplyFirst(std::string& w, const Rule (&rules)[N]) {
  for (const Rule& r : rules) {
    if (w.size() <= r.suffix.size() || !absl::EndsWith(w, r.suffix)) continue;
    const size_t stem = w.size() - r.suffix.size();
    if (Holds(r.condition, w, stem)) {
      w.resize(stem);
      w.append(r.replacement.data(), r.replacement.size());
    }
    return;
  }
}

constexpr Rule kStep2[] = {
    {"ational", "ate", Condition::kMGt0}, {"tional", "tion", Condition::kMGt0},
    {"enci", "ence", Condition::kMGt0},   {"anci", "ance", Condition::kMGt0},
    {"izer", "ize", Condition::kMGt0},    {"logi", "log", Condition::kMGt0},
    {"bli", "ble", Condition::kMGt0},     {"alli", "al", Condition::kMGt0},
    {"entli", "ent", Condition::kMGt0},   {"eli", "e", Condition::kMGt0},
    {"ousli", "ous", Condition::kMGt0},   {"ization", "ize", Condition::kMGt0},
    {"ation", "ate", Condition::kMGt0},   {"ator", "ate", Condition::kMGt0},
    {"alism", "al", Condition::kMGt0},    {"iveness", "ive", Condition::kMGt0},
    {"fulness", "ful", Condition::kMGt0}, {"ousness", "ous", Condition::kMGt0},
    {"aliti", "al", Condition::kMGt0},    {"iviti", "ive", Condition::kMGt0},
    {"biliti", "ble", Condition::kMGt0},
};

constexpr Rule kStep3[] = {
    {"ical", "ic", Condition::kMGt0},  {"ness", "", Condition::kMGt0},
    {"icate", "ic", Condition::kMGt0}, {"iciti", "ic", Condition::kMGt0},
    {"ful", "", Condition::kMGt0},     {"ative", "", Condition::kMGt0},
    {"alize", "al", Condition::kMGt0},
};

constexpr Rule kStep4[] = {
    {"al", "", Condition::kMGt1},    {"ance", "", Condition::kMGt1},
    {"ence", "", Condition::kMGt1},  {"er", "", Condition::kMGt1},
    {"ic", "", Condition::kMGt1},    {"able", "", Condition::kMGt1},
    {"ible", "", Condition::kMGt1},  {"ant", "", Condition::kMGt1},
    {"ement", "", Condition::kMGt1}, {"ment", "", Condition::kMGt1},
    {"ent", "", Condition::kMGt1},   {"ion", "", Condition::kMGt1AndSOrT},
    {"ou", "", Condition::kMGt1},    {"ism", "", Condition::kMGt1},
    {"ate", "", Condition::kMGt1},   {"iti", "", Condition::kMGt1},
    {"ous", "", Condition::kMGt1},   {"ive", "", Condition::kMGt1},
    {"ize", "", Condition::kMGt1},
};

void Step1a(std::string& w) {
  const size_t n = w.size();
  if (w[n - 1] != 's') return;
  if (w[n - 2] == 'e') {
    // "sses" -> "ss", "ies" -> "i", else "es" -> "e".
    const bool two = (n > 4 && w[n - 4] == 's' && w[n - 3] == 's') || (n > 3 && w[n - 3] == 'i');
    w.resize(n - (two ? 2 : 1));
  } else if (w[n - 2] != 's') {
    w.resize(n - 1);
  }
}

// "eed" -> "ee" (m > 0); "ed" and "ing" dropped after a vowel. True when one was dropped.
bool Step1b(std::string& w) {
  const size_t n = w.size();
  if (n > 3 && absl::EndsWith(w, "eed")) {
    if (Measure(w, n - 3) > 0) w.resize(n - 1);
    return false;
  }
  if (n > 2 && absl::EndsWith(w, "ed")) {
    if (!HasVowel(w, n - 2)) return false;
    w.resize(n - 2);
    return true;
  }
  if (n > 3 && absl::EndsWith(w, "ing")) {
    if (!HasVowel(w, n - 3)) return false;
    w.resize(n - 3);
    return true;
  }
  return false;
}

// After Step1b dropped "ed"/"ing": "at" -> "ate", "bl" -> "ble", "iz" -> "ize"; else a
// doubled final consonant (not l, s, z) is undoubled, or an "e" restored after *o with m=1.
void Step1bCleanup(std::string& w) {
  const size_t n = w.size();
  if (n > 2 && (absl::EndsWith(w, "at") || absl::EndsWith(w, "bl") || absl::EndsWith(w, "iz"))) {
    w.push_back('e');
    return;
  }
  const char c = w[n - 1];
  if (n >= 2 && !IsAeiou(c) && c != 'l' && c != 's' && c != 'z' && c == w[n - 2]) {
    w.resize(n - 1);
  } else if (Measure(w, n) == 1 && EndsCvc(w, n)) {
    w.push_back('e');
  }
}

}  // namespace

void PorterStem(std::string& w) {
  if (w.size() < kMinLength || w.size() > kMaxLength) return;
  Step1a(w);
  if (Step1b(w)) Step1bCleanup(w);
  // Step 1c: a final 'y' after a vowel becomes 'i'.
  if (w.back() == 'y' && HasVowel(w, w.size() - 1)) w.back() = 'i';
  ApplyFirst(w, kStep2);
  ApplyFirst(w, kStep3);
  ApplyFirst(w, kStep4);
  // Step 5a: a final 'e' goes when m > 1, or m = 1 and the stem does not end *o.
  if (w.back() == 'e') {
    const size_t n = w.size() - 1;
    const int m = Measure(w, n);
    if (m > 1 || (m == 1 && !EndsCvc(w, n))) w.resize(n);
  }
  // Step 5b: "ll" -> "l" when m > 1.
  const size_t n = w.size();
  if (n > 1 && w[n - 1] == 'l' && w[n - 2] == 'l' && Measure(w, n - 1) > 1) w.resize(n - 1);
}

}  // namespace bulletin::content
