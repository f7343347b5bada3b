// PostgresArticleStore: the transactional outbox and the relay's state. Events of one
// article get increasing seq numbers in commit order, because each is written while its
// article's row is locked.
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace pg_internal {

absl::Status InsertOutbox(PgConnection& db, const OutboxEvent& e) {
  return db
      .Exec(
          "INSERT INTO outbox (event_id, type, article_id, payload, create_time) "
          "VALUES ($1, $2, $3, $4, $5)",
          PgParams()
              .Text(e.event_id)
              .Text(e.type)
              .Text(e.article_id)
              .Bytes(e.payload)
              .Int(Micros(e.create_time)))
      .status();
}

}  // namespace pg_internal
namespace {

std::vector<OutboxEvent> ReadEvents(const PgResult& r) {
  std::vector<OutboxEvent> events;
  for (int i = 0; i < r.rows(); ++i) {
    OutboxEvent& e = events.emplace_back();
    e.seq = r.Int(i, 0);
    e.event_id = r.Text(i, 1);
    e.type = r.Text(i, 2);
    e.article_id = r.Text(i, 3);
    e.payload = r.Bytes(i, 4);
    e.create_time = pg_internal::FromMicros(r.Int(i, 5));
    if (!r.IsNull(i, 6)) e.sent_time = pg_internal::FromMicros(r.Int(i, 6));
    e.stream_id = r.Text(i, 7);
  }
  return events;
}

}  // namespace

absl::StatusOr<std::vector<OutboxEvent>> PostgresArticleStore::PendingEvents(int limit) {
  std::vector<OutboxEvent> events;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat(pg_internal::kEventColumns,
                                                      "WHERE sent_time IS NULL ORDER BY seq "
                                                      "LIMIT $1"),
                                         PgParams().Int(limit)));
    events = ReadEvents(r);
    return absl::OkStatus();
  }));
  return events;
}

absl::Status PostgresArticleStore::MarkEventSent(int64_t seq, const std::string& stream_id,
                                                 absl::Time now) {
  return pool_->Run([&](PgConnection& db) -> absl::Status {
    return db
        .Exec("UPDATE outbox SET sent_time = $1, stream_id = $2 WHERE seq = $3",
              PgParams().Int(pg_internal::Micros(now)).Text(stream_id).Int(seq))
        .status();
  });
}

absl::StatusOr<std::vector<OutboxEvent>> PostgresArticleStore::SentEventsSince(absl::Time since,
                                                                               int64_t after_seq,
                                                                               int limit) {
  std::vector<OutboxEvent> events;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        PgResult r,
        db.Exec(absl::StrCat(pg_internal::kEventColumns,
                             "WHERE sent_time IS NOT NULL AND sent_time >= $1 AND seq > $2 "
                             "ORDER BY seq LIMIT $3"),
                PgParams().Int(pg_internal::Micros(since)).Int(after_seq).Int(limit)));
    events = ReadEvents(r);
    return absl::OkStatus();
  }));
  return events;
}

absl::StatusOr<int64_t> PostgresArticleStore::DeleteSentEventsBefore(absl::Time cutoff) {
  int64_t deleted = 0;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec("DELETE FROM outbox WHERE sent_time IS NOT NULL AND sent_time < $1",
                             PgParams().Int(pg_internal::Micros(cutoff))));
    deleted = r.Affected();
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<std::string> PostgresArticleStore::LoadRelayRunId() {
  std::string run_id;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec("SELECT value FROM relay_state WHERE key = 'redis_run_id'"));
    if (r.rows() > 0) run_id = r.Text(0, 0);
    return absl::OkStatus();
  }));
  return run_id;
}

absl::Status PostgresArticleStore::SaveRelayRunId(const std::string& run_id) {
  return pool_->Run([&](PgConnection& db) -> absl::Status {
    return db
        .Exec(
            "INSERT INTO relay_state (key, value) VALUES ('redis_run_id', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            PgParams().Text(run_id))
        .status();
  });
}

absl::StatusOr<int64_t> PostgresArticleStore::CountOutboxEvents() {
  int64_t count = 0;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT COUNT(*) FROM outbox"));
    count = r.Int(0, 0);
    return absl::OkStatus();
  }));
  return count;
}

}  // namespace bulletin::content
