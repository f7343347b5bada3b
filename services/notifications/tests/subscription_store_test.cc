// The behavioural suite of SubscriptionStore: what every implementation must do, run
// against the in-memory fake (label unit) and Redis (label redis) by instantiating it with
// a backend (memory_backend.cc, redis_backend.cc).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/etag.h"
#include "common/base/ids.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/tests/store_backend.h"

namespace bulletin::notify::testing {
namespace {

using ::bulletin::testing::StatusIs;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SubscriptionStoreTest);

TEST_P(SubscriptionStoreTest, CreateThenGetKeepsEveryField) {
  Subscription s = Sample();
  s.state_reason = "why not";
  CreatedSubscription created = MustCreate(s, "whsec_first");
  EXPECT_FALSE(created.replayed);
  EXPECT_EQ(created.signing_secret, "whsec_first");
  ASSERT_OK_AND_ASSIGN(Subscription got, store().Get(s.id));
  EXPECT_EQ(got.id, s.id);
  EXPECT_EQ(got.owner, s.owner);
  EXPECT_EQ(got.display_name, s.display_name);
  EXPECT_EQ(got.filter.event_types, s.filter.event_types);
  EXPECT_EQ(got.filter.category_ids, s.filter.category_ids);
  EXPECT_TRUE(got.filter.include_subcategories);
  EXPECT_EQ(got.filter.locales, s.filter.locales);
  EXPECT_EQ(got.webhook_url, s.webhook_url);
  EXPECT_EQ(got.state, SubscriptionState::kActive);
  EXPECT_EQ(got.state_reason, "why not");
  EXPECT_EQ(got.create_time, s.create_time);
  EXPECT_EQ(got.update_time, s.update_time);
  EXPECT_EQ(got.etag, s.etag);
  EXPECT_EQ(got.previous_secret_expire_time, absl::InfinitePast());
  ASSERT_OK_AND_ASSIGN(SigningSecrets secrets, store().GetSecrets(s.id));
  EXPECT_EQ(secrets.current, "whsec_first");
  EXPECT_TRUE(secrets.previous.empty());
}

TEST_P(SubscriptionStoreTest, AbsentIsNotFound) {
  const std::string id = NewId();
  EXPECT_THAT(store().Get(id), StatusIs(absl::StatusCode::kNotFound, id));
  EXPECT_THAT(store().GetSecrets(id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store().GetCursor(id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store().RecordEndpointFailure(id, NowMicros()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store().Delete(id, ""), StatusIs(absl::StatusCode::kNotFound));
  Subscription s = Sample();
  EXPECT_THAT(store().Replace(s, s.etag, ""), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(store().RecordEndpointSuccess(id));
  EXPECT_OK(store().AdvanceCursor(id, StreamId{1, 0}));
  EXPECT_THAT(store().GetCursor(id), StatusIs(absl::StatusCode::kNotFound));  // not created
}

TEST_P(SubscriptionStoreTest, CursorStartsAfterTheStreamsLastEntryAndOnlyMovesForward) {
  Subscription before = Sample();
  CreatedSubscription first = MustCreate(before);
  EXPECT_EQ(first.subscription.start, StreamId{});
  ASSERT_OK_AND_ASSIGN(StreamId cursor, store().GetCursor(before.id));
  EXPECT_EQ(cursor, StreamId{});

  backend_->Append(events::v1::ArticleEvent());
  StreamId last = backend_->Append(events::v1::ArticleEvent());
  Subscription s = Sample();
  CreatedSubscription created = MustCreate(s);
  EXPECT_EQ(created.subscription.start, last);
  ASSERT_OK_AND_ASSIGN(Subscription got, store().Get(s.id));
  EXPECT_EQ(got.start, last);
  ASSERT_OK_AND_ASSIGN(cursor, store().GetCursor(s.id));
  EXPECT_EQ(cursor, last);

  StreamId later = backend_->Append(events::v1::ArticleEvent());
  ASSERT_OK(store().AdvanceCursor(s.id, later));
  ASSERT_OK(store().AdvanceCursor(s.id, last));  // never backwards
  ASSERT_OK_AND_ASSIGN(cursor, store().GetCursor(s.id));
  EXPECT_EQ(cursor, later);

  // A cursor write racing the deletion does not bring the subscription back.
  ASSERT_OK(store().Delete(s.id, ""));
  ASSERT_OK(store().AdvanceCursor(s.id, StreamId{later.ms + 1, 0}));
  EXPECT_THAT(store().GetCursor(s.id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store().Get(s.id), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(SubscriptionStoreTest, AdvanceCursorsMovesEachForwardOnlyAndCreatesNone) {
  Subscription a = Sample();
  MustCreate(a);
  Subscription b = Sample();
  MustCreate(b);
  StreamId first = backend_->Append(events::v1::ArticleEvent());
  StreamId second = backend_->Append(events::v1::ArticleEvent());
  ASSERT_OK(store().AdvanceCursor(b.id, second));
  const std::string absent = NewId();
  std::vector<absl::Status> written =
      store().AdvanceCursors({{a.id, first}, {absent, second}, {b.id, first}});
  ASSERT_EQ(written.size(), 3u);
  for (const absl::Status& s : written) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(StreamId cursor, store().GetCursor(a.id));
  EXPECT_EQ(cursor, first);
  ASSERT_OK_AND_ASSIGN(cursor, store().GetCursor(b.id));
  EXPECT_EQ(cursor, second);  // never backwards
  EXPECT_THAT(store().GetCursor(absent), StatusIs(absl::StatusCode::kNotFound));
}

// The ticker writes every open stream's cursor at once: more than one store call takes
// (the Redis store's script takes 256), with absent and behind ones mixed in.
// The webhook scheduler keeps its listing while this stays the same: every change it
// must see moves it; cursor writes (many a second) do not.
TEST_P(SubscriptionStoreTest, ChangeCountMovesOnEveryChangeOfASubscription) {
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> before, store().ChangeCount());
  ASSERT_TRUE(before.has_value());
  Subscription s = Sample();
  MustCreate(s);
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> created, store().ChangeCount());
  EXPECT_NE(created, before);
  ASSERT_OK(store().AdvanceCursor(s.id, backend_->Append(events::v1::ArticleEvent())));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> advanced, store().ChangeCount());
  EXPECT_EQ(advanced, created);
  Subscription changed = s;
  changed.filter.locales = {"en"};
  changed.etag = RandomHex(8);
  ASSERT_OK(store().Replace(changed, s.etag, ""));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> replaced, store().ChangeCount());
  EXPECT_NE(replaced, advanced);
  ASSERT_OK(store().Delete(s.id, ""));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> deleted, store().ChangeCount());
  EXPECT_NE(deleted, replaced);
  // A refused change moves nothing.
  EXPECT_THAT(store().Delete(s.id, ""), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> refused, store().ChangeCount());
  EXPECT_EQ(refused, deleted);
}

TEST_P(SubscriptionStoreTest, AdvanceCursorsHandlesHundredsEachInItsPlace) {
  std::vector<std::string> ids;
  for (int i = 0; i < 600; ++i) {
    if (i % 7 == 3) {
      ids.push_back(NewId());  // absent: must not be created
      continue;
    }
    Subscription s = Sample(absl::StrCat("partner:p", i));  // one each: the owner quota
    MustCreate(s);
    ids.push_back(s.id);
  }
  // After the creations: a new subscription's cursor starts at the stream's last entry.
  StreamId first = backend_->Append(events::v1::ArticleEvent());
  StreamId second = backend_->Append(events::v1::ArticleEvent());
  std::vector<std::pair<std::string, StreamId>> cursors;
  for (int i = 0; i < 600; ++i) {
    if (i % 7 != 3 && i % 5 == 0) {
      ASSERT_OK(store().AdvanceCursor(ids[i], second));  // ahead already
    }
    cursors.emplace_back(ids[i], i % 2 == 0 ? first : second);
  }
  std::vector<absl::Status> written = store().AdvanceCursors(cursors);
  ASSERT_EQ(written.size(), cursors.size());
  for (int i = 0; i < 600; ++i) {
    EXPECT_OK(written[i]);
    if (i % 7 == 3) {
      EXPECT_THAT(store().GetCursor(ids[i]), StatusIs(absl::StatusCode::kNotFound)) << i;
      continue;
    }
    ASSERT_OK_AND_ASSIGN(StreamId cursor, store().GetCursor(ids[i]));
    EXPECT_EQ(cursor, i % 5 == 0 || i % 2 == 1 ? second : first) << i;
  }
}

TEST_P(SubscriptionStoreTest, RequestIdReplaysTheFirstResultPerOwner) {
  Subscription first = Sample();
  MustCreate(first, "whsec_first", "req-1");
  Subscription again = Sample();
  again.display_name = "another name";
  CreatedSubscription replayed = MustCreate(again, "whsec_second", "req-1");
  EXPECT_TRUE(replayed.replayed);
  EXPECT_EQ(replayed.subscription.id, first.id);
  EXPECT_EQ(replayed.subscription.display_name, first.display_name);
  EXPECT_EQ(replayed.signing_secret, "whsec_first");
  EXPECT_THAT(store().Get(again.id), StatusIs(absl::StatusCode::kNotFound));

  CreatedSubscription beta = MustCreate(Sample("partner:beta"), "whsec_b", "req-1");
  EXPECT_FALSE(beta.replayed);
  EXPECT_NE(beta.subscription.id, first.id);

  // Once the first is gone, the request id creates anew.
  ASSERT_OK(store().Delete(first.id, ""));
  Subscription third = Sample();
  CreatedSubscription fresh = MustCreate(third, "whsec_third", "req-1");
  EXPECT_FALSE(fresh.replayed);
  EXPECT_EQ(fresh.subscription.id, third.id);
}

TEST_P(SubscriptionStoreTest, AtMostMaxPerOwner) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(MustCreate(Sample(), "whsec_a", "", 3).subscription.id);
  EXPECT_THAT(store().Create(Sample(), "whsec_a", "", 3),
              StatusIs(absl::StatusCode::kResourceExhausted, "partner:acme"));
  MustCreate(Sample("partner:beta"), "whsec_a", "", 3);
  ASSERT_OK(store().Delete(ids[0], ""));
  MustCreate(Sample(), "whsec_a", "", 3);
}

TEST_P(SubscriptionStoreTest, ListsNewestFirstInPagesPerOwner) {
  const absl::Time t0 = NowMicros();
  std::vector<std::string> acme;
  for (int i = 0; i < 5; ++i) {
    Subscription s = Sample("partner:acme", t0 + absl::Milliseconds(i));
    MustCreate(s);
    acme.push_back(s.id);
  }
  Subscription beta = Sample("partner:beta", t0 + absl::Milliseconds(10));
  MustCreate(beta);

  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(SubscriptionPage page, store().List("partner:acme", after, 2));
    ASSERT_LE(page.subscriptions.size(), 2u);
    for (const Subscription& s : page.subscriptions) seen.push_back(s.id);
    after = page.next;
    ASSERT_LT(++pages, 10);
  } while (!after.empty());
  EXPECT_EQ(seen, std::vector<std::string>(acme.rbegin(), acme.rend()));
  EXPECT_EQ(pages, 3);

  ASSERT_OK_AND_ASSIGN(SubscriptionPage all, store().List("", "", 100));
  ASSERT_EQ(all.subscriptions.size(), 6u);
  EXPECT_EQ(all.subscriptions.front().id, beta.id);
  EXPECT_TRUE(all.next.empty());
  ASSERT_OK_AND_ASSIGN(SubscriptionPage betas, store().List("partner:beta", "", 100));
  ASSERT_EQ(betas.subscriptions.size(), 1u);
  ASSERT_OK_AND_ASSIGN(SubscriptionPage none, store().List("partner:gamma", "", 100));
  EXPECT_TRUE(none.subscriptions.empty());
  EXPECT_THAT(store().List("partner:acme", "junk", 2),
              StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST_P(SubscriptionStoreTest, DeleteChecksTheEtag) {
  Subscription s = Sample();
  MustCreate(s);
  absl::Status stale = store().Delete(s.id, "stale");
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(CurrentEtagOf(stale), s.etag);
  ASSERT_OK(store().Delete(s.id, s.etag));
  EXPECT_THAT(store().Get(s.id), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(SubscriptionPage page, store().List(s.owner, "", 10));
  EXPECT_TRUE(page.subscriptions.empty());
}

TEST_P(SubscriptionStoreTest, ReplaceChecksTheEtagAndRotatesSecrets) {
  Subscription s = Sample();
  MustCreate(s, "whsec_old");
  Subscription changed = s;
  changed.display_name = "renamed";
  changed.filter.locales = {"fr"};
  changed.filter.include_subcategories = false;
  changed.webhook_url = "";
  changed.state = SubscriptionState::kPaused;
  changed.state_reason = "paused by admin";
  changed.update_time = s.update_time + absl::Seconds(1);
  changed.etag = "etag-2";
  changed.previous_secret_expire_time = NowMicros() + absl::Hours(1);

  absl::Status stale = store().Replace(changed, "not-the-etag", "");
  EXPECT_THAT(stale, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(CurrentEtagOf(stale), s.etag);

  ASSERT_OK(store().Replace(changed, s.etag, "whsec_new"));
  ASSERT_OK_AND_ASSIGN(Subscription got, store().Get(s.id));
  EXPECT_EQ(got.display_name, "renamed");
  EXPECT_EQ(got.filter.locales, std::vector<std::string>{"fr"});
  EXPECT_FALSE(got.filter.include_subcategories);
  EXPECT_EQ(got.webhook_url, "");
  EXPECT_EQ(got.state, SubscriptionState::kPaused);
  EXPECT_EQ(got.state_reason, "paused by admin");
  EXPECT_EQ(got.update_time, changed.update_time);
  EXPECT_EQ(got.create_time, s.create_time);
  EXPECT_EQ(got.owner, s.owner);
  EXPECT_EQ(got.etag, "etag-2");
  EXPECT_EQ(got.previous_secret_expire_time, changed.previous_secret_expire_time);
  ASSERT_OK_AND_ASSIGN(SigningSecrets secrets, store().GetSecrets(s.id));
  EXPECT_EQ(secrets.current, "whsec_new");
  EXPECT_EQ(secrets.previous, "whsec_old");
  EXPECT_EQ(secrets.previous_expire_time, changed.previous_secret_expire_time);

  // Without a new secret the secrets stay as they are.
  Subscription again = changed;
  again.etag = "etag-3";
  ASSERT_OK(store().Replace(again, "etag-2", ""));
  ASSERT_OK_AND_ASSIGN(secrets, store().GetSecrets(s.id));
  EXPECT_EQ(secrets.current, "whsec_new");
  EXPECT_EQ(secrets.previous, "whsec_old");
}

TEST_P(SubscriptionStoreTest, EndpointFailureIsKeptFromTheFirstUntilASuccess) {
  Subscription s = Sample();
  MustCreate(s);
  const absl::Time t1 = NowMicros();
  ASSERT_OK_AND_ASSIGN(absl::Time since, store().RecordEndpointFailure(s.id, t1));
  EXPECT_EQ(since, t1);
  ASSERT_OK_AND_ASSIGN(since, store().RecordEndpointFailure(s.id, t1 + absl::Minutes(5)));
  EXPECT_EQ(since, t1);
  ASSERT_OK(store().RecordEndpointSuccess(s.id));
  ASSERT_OK_AND_ASSIGN(since, store().RecordEndpointFailure(s.id, t1 + absl::Hours(1)));
  EXPECT_EQ(since, t1 + absl::Hours(1));
  // Health bookkeeping does not change the etag.
  ASSERT_OK_AND_ASSIGN(Subscription got, store().Get(s.id));
  EXPECT_EQ(got.etag, s.etag);
}

TEST_P(SubscriptionStoreTest, UnreachableIsUnavailable) {
  Subscription s = Sample();
  MustCreate(s);
  backend_->GoDown();
  EXPECT_THAT(store().Create(Sample(), "whsec_a", "", 100),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().Get(s.id), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().List("", "", 10), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().Replace(s, s.etag, ""), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store().AdvanceCursor(s.id, StreamId{1, 1}),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace bulletin::notify::testing
