// SqliteArticleStore: the transactional outbox and the relay's state.
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_internal.h"

namespace bulletin::content {

// ---- outbox -----------------------------------------------------------------------------

absl::Status SqliteArticleStore::InsertOutbox(const OutboxEvent& e) {
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("INSERT INTO outbox (event_id, type, article_id, payload, create_time) "
                   "VALUES (?, ?, ?, ?, ?)"));
  q.BindText(1, e.event_id).BindText(2, e.type).BindText(3, e.article_id);
  return q.BindBlob(4, e.payload).BindInt(5, Micros(e.create_time)).Run();
}

absl::StatusOr<std::vector<OutboxEvent>> SqliteArticleStore::LoadEvents(Statement& q) {
  std::vector<OutboxEvent> events;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    OutboxEvent& e = events.emplace_back();
    e.seq = q.Int(0);
    e.event_id = q.Text(1);
    e.type = q.Text(2);
    e.article_id = q.Text(3);
    e.payload = q.Text(4);
    e.create_time = FromMicros(q.Int(5));
    if (!q.IsNull(6)) e.sent_time = FromMicros(q.Int(6));
    e.stream_id = q.Text(7);
  }
  return events;
}

absl::StatusOr<std::vector<OutboxEvent>> SqliteArticleStore::PendingEvents(int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare(absl::StrCat(kEventColumns, "WHERE sent_time IS NULL ORDER BY seq LIMIT ?")));
  q.BindInt(1, limit);
  return LoadEvents(q);
}

absl::Status SqliteArticleStore::MarkEventSent(int64_t seq, const std::string& stream_id,
                                               absl::Time now) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare("UPDATE outbox SET sent_time = ?, stream_id = ? WHERE seq = ?"));
  return q.BindInt(1, Micros(now)).BindText(2, stream_id).BindInt(3, seq).Run();
}

absl::StatusOr<std::vector<OutboxEvent>> SqliteArticleStore::SentEventsSince(absl::Time since,
                                                                             int64_t after_seq,
                                                                             int limit) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q, db_->Prepare(absl::StrCat(
                                    kEventColumns,
                                    "WHERE sent_time IS NOT NULL AND sent_time >= ? AND seq > ? "
                                    "ORDER BY seq LIMIT ?")));
  q.BindInt(1, Micros(since)).BindInt(2, after_seq).BindInt(3, limit);
  return LoadEvents(q);
}

absl::StatusOr<int64_t> SqliteArticleStore::DeleteSentEventsBefore(absl::Time cutoff) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("DELETE FROM outbox WHERE sent_time IS NOT NULL AND sent_time < ?"));
  RETURN_IF_ERROR(q.BindInt(1, Micros(cutoff)).Run());
  return db_->Changes();
}

absl::StatusOr<std::string> SqliteArticleStore::LoadRelayRunId() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare("SELECT value FROM relay_state WHERE key = 'redis_run_id'"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Text(0) : std::string();
}

absl::Status SqliteArticleStore::SaveRelayRunId(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Statement q,
      db_->Prepare("INSERT OR REPLACE INTO relay_state (key, value) VALUES ('redis_run_id', ?)"));
  return q.BindText(1, run_id).Run();
}

absl::StatusOr<int64_t> SqliteArticleStore::CountOutboxEvents() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT COUNT(*) FROM outbox"));
  ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : 0;
}

}  // namespace bulletin::content
