// bulletin-sitegen: writes the synthetic site of sitegen_corpus.h (N bilingual articles,
// 50 categories, ten years of publish dates) into a SQLite content database through
// SqliteArticleStore, the store bulletin-content runs on, so revisions, slugs and the FTS5
// index are written exactly as in production; with --postgres, it then copies that
// database into PostgreSQL with the store's own migration (--migrate-from), which builds
// the tsvector documents there. A SQLite database already holding the site is kept.
// Prints one line per step with its time (scripts/bench-scale reports them).
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/sitegen_corpus.h"
#include "common/base/flags.h"
#include "services/content/store/migrate/sqlite_to_postgres.h"
#include "services/content/store/sqlite/sqlite_article_store.h"

namespace {

using bulletin::content::Article;
using bulletin::content::ArticleFilter;
using bulletin::content::SqliteArticleStore;

absl::Status WriteSqlite(SqliteArticleStore& store, uint64_t seed, int count) {
  const absl::Time now = absl::Now();
  for (int c = 0; c < bulletin::bench::kSiteCategories; ++c) {
    absl::StatusOr<bulletin::content::Category> made =
        store.CreateCategory(bulletin::bench::MakeCategory(c, now), "", now);
    if (!made.ok() && !absl::IsAlreadyExists(made.status())) return made.status();
  }
  bulletin::content::NewArticleOptions options;
  options.author = "sitegen";
  const absl::Time start = absl::Now();
  for (int i = 0; i < count; ++i) {
    const Article a = bulletin::bench::MakeArticle(seed, i, count, bulletin::bench::SiteEnd());
    options.now = a.create_time;
    absl::StatusOr<Article> written = store.CreateArticle(a, options);
    if (!written.ok()) {
      return absl::Status(written.status().code(),
                          absl::StrCat("article ", i, ": ", written.status().message()));
    }
    if ((i + 1) % 10000 == 0) {
      std::fprintf(stderr, "sitegen: %d articles, %.0f/s\n", i + 1,
                   (i + 1) / absl::ToDoubleSeconds(absl::Now() - start));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::string sqlite_path, postgres;
  int64_t articles = 1000, seed = 14;
  bulletin::FlagSet flags("bulletin-sitegen",
                          "Writes a synthetic bilingual site into SQLite (and PostgreSQL).");
  flags.String("sqlite", &sqlite_path, "SQLite content database to write (required)");
  flags.String("postgres", &postgres, "postgres://... : copy the site there too");
  flags.Int("articles", &articles, "articles in the site");
  flags.Int("seed", &seed, "seed of everything generated");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok() || flags.help_requested()) {
    std::fputs(s.ok() ? flags.Usage().c_str() : (std::string(s.message()) + "\n").c_str(),
               s.ok() ? stdout : stderr);
    return s.ok() ? 0 : 2;
  }
  if (sqlite_path.empty() || articles < 1 || articles > 10000000) {
    std::fputs("bulletin-sitegen: --sqlite=PATH and 1 <= --articles <= 10^7\n", stderr);
    return 2;
  }
  absl::Time start = absl::Now();
  {
    absl::StatusOr<std::unique_ptr<SqliteArticleStore>> store =
        SqliteArticleStore::Open(sqlite_path);
    if (!store.ok()) {
      std::fprintf(stderr, "bulletin-sitegen: %s\n", store.status().ToString().c_str());
      return 1;
    }
    absl::StatusOr<int64_t> have = (*store)->CountArticles(ArticleFilter());
    if (have.ok() && *have == articles) {
      std::printf("sitegen sqlite articles=%lld kept\n", static_cast<long long>(articles));
    } else {
      if (absl::Status s =
              WriteSqlite(**store, static_cast<uint64_t>(seed), static_cast<int>(articles));
          !s.ok()) {
        std::fprintf(stderr, "bulletin-sitegen: %s\n", s.ToString().c_str());
        return 1;
      }
      std::printf("sitegen sqlite articles=%lld seconds=%.1f\n", static_cast<long long>(articles),
                  absl::ToDoubleSeconds(absl::Now() - start));
    }
  }
  if (!postgres.empty()) {
    start = absl::Now();
    bulletin::content::PostgresStoreOptions target;
    target.uri = postgres;
    absl::StatusOr<bulletin::content::MigrationReport> report =
        bulletin::content::MigrateSqliteToPostgres(sqlite_path, target);
    if (!report.ok()) {
      std::fprintf(stderr, "bulletin-sitegen: %s\n", report.status().ToString().c_str());
      return 1;
    }
    std::printf("sitegen postgres articles=%lld seconds=%.1f indexed=%lld\n",
                static_cast<long long>(articles), absl::ToDoubleSeconds(absl::Now() - start),
                static_cast<long long>(report->indexed_articles));
  }
  std::fflush(stdout);
  return 0;
}
