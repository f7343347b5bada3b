// The search index on PostgreSQL. A translation's tokens (core/search_tokenizer.h: the
// same tokens the SQLite index and the memory store use) become a tsvector literal, one
// position per token, weighted A (title), B (summary) and C (body), with a gap between
// fields so a phrase never spans two; a TextQuery becomes a tsquery of quoted lexemes
// ('t1' <-> 't2':* per phrase, & or | between phrases), so user input is never query
// syntax. Ranking (the store's SQL) is FTS5's BM25 with the column weights 5, 2, 1:
// ts_rank_cd over one phrase with the weights {C 0.2, B 0.4, A 1.0} and no normalisation
// sums the weights of the phrase's occurrences, i.e. the weighted frequency / 5.
// PostgreSQL's tsvector keeps positions up to 16383 and 256 per lexeme, so in a field
// past those, phrases are not found and frequencies are capped. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "services/content/core/content_types.h"
#include "services/content/core/search_query.h"

namespace bulletin::content {

struct PgSearchDocument {
  std::string terms;        // tsvector literal
  int64_t token_count = 0;  // tokens of title, summary and body (BM25's document length)
};

// The search document of one translation (its body reduced to text).
PgSearchDocument MakePgSearchDocument(const Translation& translation);

// The tsquery literal of one phrase; empty when it has no token.
std::string PgPhraseQuery(const QueryPhrase& phrase);
// The lexeme of a phrase of one token and no prefix (whose document count search_terms
// keeps); empty for any other phrase.
std::string PgPhraseLexeme(const QueryPhrase& phrase);
// Every phrase joined by & (match_all) or |; empty without phrases.
std::string PgTextQuery(const TextQuery& query);

// The weights array of the ranking, {D, C, B, A}, and the factor giving back FTS5's.
inline constexpr char kPgRankWeights[] = "'{0.1,0.2,0.4,1.0}'::float4[]";
inline constexpr int kPgRankScale = 5;

}  // namespace bulletin::content
