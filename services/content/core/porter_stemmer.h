// The Porter stemmer (M.F. Porter, "An algorithm for suffix stripping", 1980), in the
// variant SQLite's FTS5 "porter" tokenizer uses: it works on the bytes of a folded token,
// only a-z count as vowels (and 'y' after a consonant), tokens shorter than 3 or longer
// than 64 bytes are left alone. "volunteers" and "volunteering" both become "volunt".
// Pure function, thread-safe.
#pragma once

#include <string>

namespace bulletin::content {

// Stems `word` (lower-case) in place.
void PorterStem(std::string& word);

}  // namespace bulletin::content
