// The search index on PostgreSQL. A translation's tokens (core/search_tokenizer.h: the
// same tokens the SQLite index and the memory store use) become a tsvector literal, one
// position per token, weighted A (title), B (summary) and C (body), with a gap between
// fields so a phrase never spans two; a TextQuery becomes a tsquery of quoted lexemes
// ('t1' <-> 't2':* per phrase, & or | between phrases), so user input is never query
// syntax. Ranking (the store's SQL) is FTS5's BM25 with the column weights 5, 2, 1:
// ts_rank_cd over one phrase with the weights {C 0.2, B 0.4, A 1.0} and no normalisation
// sums the weights of the phrase's occurrences, i.e. the weighted frequency / 5.
// PostgreSQL's tsvector keeps positions up to 16383 and 256 per lexeme, so in a field
// past those, phrases are not found and frequencies are capped.
// GIN keeps no positions, so a phrase of several tokens is found through `pairs`: every two
// adjacent tokens of a field as one lexeme ("t1 t2"), indexed on their own. A phrase's
// candidates are the documents holding all its pairs (exact in the index, no heap visit),
// which are nearly always the phrase's documents; `terms @@ phrase` then checks only them
// (the positions), instead of every document holding all of the phrase's tokens, which
// for Chinese bigrams of common words is most documents. A document whose pairs passed
// PostgreSQL's 1 MiB of lexeme text (long tokens: a field's positions end first for
// ordinary text) has the lexeme `cut` in `pairs` and is a candidate of every phrase.
// Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/content/core/content_types.h"
#include "services/content/core/search_query.h"

namespace bulletin::content {

struct PgSearchDocument {
  std::string terms;        // tsvector literal
  std::string pairs;        // tsvector literal of the adjacent token pairs, no positions
  int64_t token_count = 0;  // tokens of title, summary and body (BM25's document length)
};

// The search document of one translation (its body reduced to text).
PgSearchDocument MakePgSearchDocument(const Translation& translation);

// The tsquery literal of one phrase; empty when it has no token.
std::string PgPhraseQuery(const QueryPhrase& phrase);
// The lexeme of a phrase of one token and no prefix (whose document count search_terms
// keeps); empty for any other phrase.
std::string PgPhraseLexeme(const QueryPhrase& phrase);
// The distinct pair lexemes of a phrase (a prefix's last pair left out), as `pairs` holds
// them; empty for a phrase of one token.
std::vector<std::string> PgPhrasePairLexemes(const QueryPhrase& phrase);
// The tsquery of a phrase's adjacent pairs (against `pairs`), ANDed, or `cut`; empty for a
// phrase of fewer than two tokens.
std::string PgPhrasePairs(const QueryPhrase& phrase);
// Every phrase joined by & (match_all) or |; empty without phrases.
std::string PgTextQuery(const TextQuery& query);
// The documents that may match `query`, exactly in the GIN indexes (no phrase operator,
// so no recheck): against `pairs` (PgCandidatePairs), every multi-token phrase's pairs
// ANDed when all phrases must match (or there is one), else empty (no condition); against
// `terms`, each phrase's tokens ANDed, phrases joined as in PgTextQuery, but for the
// phrases whose pairs are asked (a document holding a pair holds its tokens: intersecting
// the tokens' lists too doubled the index's work, 8.6 against 4.4 ms for 亠二丁丂丁七 at
// 100k): empty when every phrase is asked by its pairs.
std::string PgCandidateTerms(const TextQuery& query);
std::string PgCandidatePairs(const TextQuery& query);
// Whether a candidate still needs `terms @@ PgTextQuery(query)`: some phrase has several
// tokens (its order is checked there, with the positions).
bool PgNeedsPositions(const TextQuery& query);

// The weights array of the ranking, {D, C, B, A}, and the factor giving back FTS5's.
inline constexpr char kPgRankWeights[] = "'{0.1,0.2,0.4,1.0}'::float4[]";
inline constexpr int kPgRankScale = 5;

}  // namespace bulletin::content
