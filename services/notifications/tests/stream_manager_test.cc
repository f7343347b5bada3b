// Subscribe streams on the in-memory stores and event log (label unit: no redis-server,
// no gRPC): opening (access, state, resume position, retention), replay then live
// fan-out, filters, duplicates, heartbeats, cursors and shutdown. A fake writer stands in
// for the gRPC reactor and acknowledges each write when the test reads it.
#include "services/notifications/core/streams/stream_manager.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/base/status_macros.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/store/memory/fault_injection.h"
#include "services/notifications/store/memory/memory_event_log.h"
#include "services/notifications/store/memory/memory_subscription_store.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;
using ::bulletin::testing::WaitUntil;

const Caller kAcme = Principal{Role::kPartner, "acme"};
const Caller kBeta = Principal{Role::kPartner, "beta"};

events::v1::ArticleEvent Event(const std::string& id, const std::string& locale = "en") {
  events::v1::ArticleEvent e;
  e.set_event_id(id);
  e.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  e.mutable_article()->set_id("article-" + id);
  e.mutable_article()->add_translations()->set_locale(locale);
  return e;
}

// The transport side of one stream: records what the session writes and acknowledges a
// write only when the test takes it, like a client reading at its own pace.
class FakeWriter : public StreamWriter {
 public:
  void Attach(std::shared_ptr<StreamSession> session) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    session_ = std::move(session);
  }

  void WriteMessage(const OutMessage& msg) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    written_.push_back(msg);
  }
  void EndStream(const absl::Status& status) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    end_ = status;
  }

  // The next message written (its write then completes), or nullopt after `timeout`.
  std::optional<OutMessage> Next(absl::Duration timeout = absl::Seconds(5))
      ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<StreamSession> session;
    OutMessage msg;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !written_.empty(); };
      if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout)) return std::nullopt;
      msg = written_.front();
      written_.pop_front();
      session = session_;
    }
    session->OnWriteDone(true);
    return msg;
  }
  // The next event, skipping heartbeats.
  std::optional<std::string> NextEventId(absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (std::optional<OutMessage> m = Next(deadline - absl::Now())) {
      if (m->event) return m->event->event_id();
    }
    return std::nullopt;
  }
  // The client goes away.
  void Cancel() ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<StreamSession> session;
    {
      absl::MutexLock lock(&mu_);
      session = session_;
    }
    session->Cancel();
  }
  std::optional<absl::Status> end() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return end_;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<StreamSession> session_ ABSL_GUARDED_BY(mu_);
  std::deque<OutMessage> written_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
};

class NotifyStreamManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { Boot(absl::Seconds(15)); }
  void TearDown() override {
    if (streams_) {
      streams_->Shutdown();
      streams_->Stop();
    }
  }

  void Boot(absl::Duration heartbeat, int max_streams_per_partner = 100) {
    StreamOptions options;
    options.heartbeat_interval = heartbeat;
    options.max_streams_per_partner = max_streams_per_partner;
    options.cursor_flush_interval = absl::Milliseconds(10);
    streams_ = std::make_unique<StreamManager>(core_, store_, faulty_log_, options);
    core_.SetDeleteListener([this](const std::string& id) { streams_->EndSubscription(id); });
    streams_->Start();
  }

  std::string NewSubscription(const SubscriptionFilter& filter = {}) {
    Subscription s;
    s.display_name = "feed";
    s.filter = filter;
    absl::StatusOr<CreatedSubscription> c = core_.Create(kAcme, s, "");
    EXPECT_OK(c);
    return c.ok() ? c->subscription.id : "";
  }

  // A writer that lives as long as the fixture (sessions hold on to theirs until they end).
  FakeWriter& Writer() { return writers_.emplace_back(); }

  // Opens and starts a stream into `writer`.
  absl::Status Open(FakeWriter& writer, const std::string& id, const std::string& token = "",
                    const Caller& caller = kAcme) {
    ASSIGN_OR_RETURN(std::shared_ptr<StreamSession> session,
                     streams_->Open(caller, id, token, writer));
    writer.Attach(session);
    session->Start();
    return absl::OkStatus();
  }

  MemoryEventLog log_;
  FaultInjector faults_;
  FaultyEventLog faulty_log_{log_, faults_};
  MemorySubscriptionStore store_{log_};
  SubscriptionCore core_{store_, SubscriptionCoreOptions{true}};
  std::deque<FakeWriter> writers_;  // destroyed after the manager
  std::unique_ptr<StreamManager> streams_;
};

TEST_F(NotifyStreamManagerTest, ReplaysTheBacklogThenFollowsLiveEvents) {
  log_.Append(Event("before-creation"));
  std::string sub = NewSubscription();
  log_.Append(Event("e1"));
  FakeWriter& writer = Writer();
  ASSERT_OK(Open(writer, sub));
  EXPECT_EQ(writer.NextEventId(), "e1");  // replayed, "before-creation" is not its to see
  ASSERT_TRUE(WaitUntil([&] { return streams_->live_sessions() == 1; }, absl::Seconds(5)));
  log_.Append(Event("e2"));
  EXPECT_EQ(writer.NextEventId(), "e2");  // live
}

TEST_F(NotifyStreamManagerTest, ResumesStrictlyAfterATokenOrTheStoredCursor) {
  std::string sub = NewSubscription();
  StreamId e1 = log_.Append(Event("e1"));
  log_.Append(Event("e2"));
  FakeWriter& first = Writer();
  ASSERT_OK(Open(first, sub, EncodeResumeToken(e1)));
  EXPECT_EQ(first.NextEventId(), "e2");
  // What a stream wrote becomes the subscription's cursor.
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::StatusOr<StreamId> cursor = store_.GetCursor(sub);
        return cursor.ok() && *cursor > e1;
      },
      absl::Seconds(5)));
  first.Cancel();
  ASSERT_TRUE(WaitUntil([&] { return first.end().has_value(); }, absl::Seconds(5)));
  log_.Append(Event("e3"));
  FakeWriter& again = Writer();
  ASSERT_OK(Open(again, sub));
  EXPECT_EQ(again.NextEventId(), "e3");
}

// #13: a resume token after the stream's newest entry (or ahead of the clock) was accepted
// and the stream silently skipped every event published up to that position.
TEST_F(NotifyStreamManagerTest, ResumeTokensFromTheFutureAreRefused) {
  std::string sub = NewSubscription();
  StreamId last = log_.Append(Event("e1"));
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (const StreamId& ahead :
       {StreamId{last.ms, last.seq + 1}, StreamId{last.ms + 1, 0},
        StreamId{static_cast<uint64_t>(now_ms) + 3600 * 1000, 0}, StreamId{253402300799999, 0}}) {
    FakeWriter& w = Writer();
    absl::Status s = Open(w, sub, EncodeResumeToken(ahead));
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: "))
        << ahead.ToString();
  }
  FakeWriter& far = Writer();
  EXPECT_THAT(Open(far, sub, "v1.253402300800000-0"),
              StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: "));
  // The newest entry itself is a valid position: the stream continues after it.
  FakeWriter& ok = Writer();
  ASSERT_OK(Open(ok, sub, EncodeResumeToken(last)));
  log_.Append(Event("e2"));
  EXPECT_EQ(ok.NextEventId(), "e2");
}

TEST_F(NotifyStreamManagerTest, FiltersAndDuplicateEventIds) {
  SubscriptionFilter chinese;
  chinese.locales = {"zh-CN"};
  std::string sub = NewSubscription(chinese);
  FakeWriter& writer = Writer();
  ASSERT_OK(Open(writer, sub));
  ASSERT_TRUE(WaitUntil([&] { return streams_->live_sessions() == 1; }, absl::Seconds(5)));
  log_.Append(Event("english", "en"));
  log_.Append(Event("zh-1", "zh-CN"));
  log_.Append(Event("zh-1", "zh-CN"));  // re-sent by the relay after a Redis restart
  log_.Append(Event("zh-2", "zh-CN"));
  EXPECT_EQ(writer.NextEventId(), "zh-1");
  EXPECT_EQ(writer.NextEventId(), "zh-2");
}

TEST_F(NotifyStreamManagerTest, ACopyIsDroppedOnlyByStreamsThatPassedTheOriginal) {
  std::string sub = NewSubscription();
  FakeWriter& early = Writer();
  ASSERT_OK(Open(early, sub));
  ASSERT_TRUE(WaitUntil([&] { return streams_->live_sessions() == 1; }, absl::Seconds(5)));
  StreamId original = log_.Append(Event("e1"));
  EXPECT_EQ(early.NextEventId(), "e1");
  // A stream that starts after the original never had it: the copy is its first sending.
  FakeWriter& late = Writer();
  ASSERT_OK(Open(late, sub, EncodeResumeToken(original)));
  ASSERT_TRUE(WaitUntil([&] { return streams_->live_sessions() == 2; }, absl::Seconds(5)));
  log_.Append(Event("e1"));  // re-sent by the relay after a Redis restart
  log_.Append(Event("e2"));
  EXPECT_EQ(early.NextEventId(), "e2");
  EXPECT_EQ(late.NextEventId(), "e1");
  EXPECT_EQ(late.NextEventId(), "e2");
}

TEST(NotifyEventDedupeTest, OneWindowKeepsTheFirstIdOfEachEvent) {
  EventDedupe dedupe(2);
  EXPECT_EQ(dedupe.FirstSeen("a", StreamId{5, 0}), (StreamId{5, 0}));
  EXPECT_EQ(dedupe.FirstSeen("a", StreamId{7, 0}), (StreamId{5, 0}));  // a copy
  EXPECT_EQ(dedupe.FirstSeen("a", StreamId{3, 0}), (StreamId{3, 0}));  // a replay's original
  EXPECT_EQ(dedupe.FirstSeen("a", StreamId{7, 0}), (StreamId{3, 0}));
  dedupe.FirstSeen("b", StreamId{8, 0});
  dedupe.FirstSeen("c", StreamId{9, 0});  // "a" leaves the window
  EXPECT_EQ(dedupe.FirstSeen("a", StreamId{10, 0}), (StreamId{10, 0}));
}

TEST_F(NotifyStreamManagerTest, OpenChecksAccessStateTokenAndRetention) {
  std::string sub = NewSubscription();
  FakeWriter &w1 = Writer(), &w2 = Writer(), &w3 = Writer(), &w4 = Writer(), &w5 = Writer();
  EXPECT_THAT(Open(w1, sub, "", kBeta), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Open(w2, sub, "not-a-token"),
              StatusIs(absl::StatusCode::kInvalidArgument, "resume_token"));
  StreamId first = log_.Append(Event("old-1"));
  for (int i = 2; i <= 6; ++i) log_.Append(Event("old-" + std::to_string(i)));
  log_.Trim(2);
  EXPECT_THAT(Open(w3, sub, EncodeResumeToken(first)),
              StatusIs(absl::StatusCode::kOutOfRange, "retention"));
  ASSERT_OK(core_.Pause(kAcme, sub, "", ""));
  EXPECT_THAT(Open(w4, sub), StatusIs(absl::StatusCode::kFailedPrecondition, "PAUSED"));
  ASSERT_OK(core_.Resume(kAcme, sub, ""));
  faults_.FailAll(true);
  EXPECT_THAT(Open(w5, sub), StatusIs(absl::StatusCode::kUnavailable));
  faults_.FailAll(false);
}

TEST_F(NotifyStreamManagerTest, DeleteEndsOpenStreamsWithNotFound) {
  std::string sub = NewSubscription();
  FakeWriter& writer = Writer();
  ASSERT_OK(Open(writer, sub));
  log_.Append(Event("e1"));
  ASSERT_EQ(writer.NextEventId(), "e1");
  ASSERT_OK(core_.Delete(kAcme, sub, ""));
  ASSERT_TRUE(WaitUntil([&] { return writer.end().has_value(); }, absl::Seconds(5)));
  EXPECT_THAT(*writer.end(), StatusIs(absl::StatusCode::kNotFound));
}

// #13: a partner could open any number of Subscribe streams. Now at most
// max_streams_per_partner per process (all its tokens together); a stream that ends frees
// its place; other partners are not affected.
TEST_F(NotifyStreamManagerTest, StreamsPerPartnerAreBounded) {
  streams_->Shutdown();
  streams_->Stop();
  Boot(absl::Seconds(15), /*max_streams_per_partner=*/2);
  std::string sub = NewSubscription();
  FakeWriter &a = Writer(), &b = Writer(), &c = Writer();
  ASSERT_OK(Open(a, sub));
  ASSERT_OK(Open(b, sub));
  const Caller other_token_of_acme = Principal{Role::kPartner, "acme", "partner@line 9"};
  EXPECT_THAT(Open(c, sub, "", other_token_of_acme),
              StatusIs(absl::StatusCode::kResourceExhausted, "partner:acme has 2 Subscribe"));
  EXPECT_EQ(streams_->open_streams(*kAcme), 2);

  Subscription beta_sub;
  beta_sub.display_name = "beta feed";
  ASSERT_OK_AND_ASSIGN(CreatedSubscription beta, core_.Create(kBeta, beta_sub, ""));
  FakeWriter& d = Writer();
  EXPECT_OK(Open(d, beta.subscription.id, "", kBeta));

  a.Cancel();  // the client goes away: its place is free once the stream has ended
  ASSERT_TRUE(WaitUntil([&] { return a.end().has_value(); }, absl::Seconds(5)));
  EXPECT_EQ(streams_->open_streams(*kAcme), 1);
  // Refused opens (a bad token, an unknown subscription) take no place.
  FakeWriter &e = Writer(), &f = Writer(), &g = Writer();
  EXPECT_THAT(Open(e, sub, "not-a-token"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Open(f, "no-such-subscription"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(streams_->open_streams(*kAcme), 1);
  EXPECT_OK(Open(g, sub));
  EXPECT_EQ(streams_->open_streams(*kAcme), 2);
}

class NotifyStreamHeartbeatTest : public NotifyStreamManagerTest {
 protected:
  void SetUp() override { Boot(absl::Milliseconds(50)); }
};

TEST_F(NotifyStreamHeartbeatTest, HeartbeatsCarryTheNewestTokenAndShutdownSendsAFinalOne) {
  std::string sub = NewSubscription();
  FakeWriter& writer = Writer();
  ASSERT_OK(Open(writer, sub));
  std::optional<OutMessage> idle = writer.Next();
  ASSERT_TRUE(idle);
  EXPECT_EQ(idle->event, nullptr);
  EXPECT_FALSE(idle->final);
  StreamId entry = log_.Append(Event("e1"));
  ASSERT_EQ(writer.NextEventId(), "e1");
  std::optional<OutMessage> after = writer.Next();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->event, nullptr);
  EXPECT_EQ(after->pos, entry);

  streams_->Shutdown();
  std::optional<OutMessage> last;
  while (std::optional<OutMessage> m = writer.Next(absl::Milliseconds(500))) last = m;
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->final);
  EXPECT_EQ(last->pos, entry);
  ASSERT_TRUE(writer.end());
  EXPECT_THAT(*writer.end(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Open(Writer(), sub), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace bulletin::notify
