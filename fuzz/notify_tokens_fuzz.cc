// Fuzz target notify_tokens: the opaque tokens notifications takes back from clients:
// resume tokens of Subscribe (services/notifications/core/streams/resume_token.h, and
// StreamId::Parse under them) and the signed page tokens of ListSubscriptions and
// ListDeliveries (page_token.h directly, and through SubscriptionCore::List and
// DeliveryCore::List over in-memory stores filled once per process and only read here).
// Besides not crashing: a token that decodes encodes back to the same position; a page
// token reads back only for its list, scope and key, and never once altered in one byte;
// a partner never sees another owner's subscriptions; errors are INVALID_ARGUMENT with
// short messages. Input: a byte (caller), a byte and an offset (the alteration), a chunk
// (a resume token), a chunk (a page position), the rest (a page token).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/stream_id.h"
#include "fuzz/fuzz_support.h"
#include "services/notifications/core/deliveries/delivery_core.h"
#include "services/notifications/core/streams/resume_token.h"
#include "services/notifications/core/subscriptions/page_token.h"
#include "services/notifications/store/memory/memory_delivery_store.h"
#include "services/notifications/store/memory/memory_event_log.h"
#include "services/notifications/store/memory/memory_subscription_store.h"

namespace bulletin::fuzz {
namespace {

using notify::DeliveryCore;
using notify::Subscription;

// A transport that is never used: the worker is never started.
class NoTransport : public notify::WebhookTransport {
 public:
  void Post(uint64_t, notify::HttpRequest) override {}
  std::vector<std::pair<uint64_t, notify::HttpResponse>> Poll(absl::Duration) override {
    return {};
  }
  void Wakeup() override {}
  absl::Duration max_attempt_time() const override { return absl::Seconds(1); }
};

// Subscriptions of partners p1 and p2 and of the admin, with a delivery each.
struct World {
  notify::MemoryEventLog log;
  notify::MemorySubscriptionStore subscriptions{log};
  notify::MemoryDeliveryStore deliveries{subscriptions};
  notify::SubscriptionCore core{subscriptions, {}};
  NoTransport transport;
  notify::DeliveryWorker worker{deliveries, subscriptions, core, transport, {}};
  DeliveryCore delivery_core{core, deliveries, worker};
  std::vector<std::string> ids;  // of p1's subscriptions

  World() {
    for (uint8_t who : {4, 4, 4, 5, 5, 1}) {
      Subscription sub;
      sub.display_name = absl::StrCat("subscription ", ids.size());
      sub.webhook_url = "https://hooks.example.com/bulletin";
      auto created = core.Create(CallerOf(who), sub, "");
      FUZZ_CHECK(created.ok(), created.status().ToString());
      if (who == 4) ids.push_back(created->subscription.id);
      for (int e = 0; e < 3; ++e) {
        notify::ScheduledEvent event;
        event.event_id = absl::StrCat("ev-", e);
        event.type = events::v1::ARTICLE_EVENT_TYPE_PUBLISHED;
        event.article_id = "a1";
        FUZZ_CHECK(deliveries.Schedule(event, {created->subscription.id}, absl::Now()).ok(),
                   "Schedule");
      }
    }
  }
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

void CheckResumeToken(absl::string_view token) {
  absl::StatusOr<StreamId> id = notify::DecodeResumeToken(token, "resume_token");
  CheckAnswer(id.status(), "DecodeResumeToken");
  if (!id.ok()) {
    FUZZ_CHECK(id.status().code() == absl::StatusCode::kInvalidArgument, "not INVALID_ARGUMENT");
    return;
  }
  absl::StatusOr<StreamId> back =
      notify::DecodeResumeToken(notify::EncodeResumeToken(*id), "resume_token");
  FUZZ_CHECK(back.ok() && *back == *id, "a resume token does not encode back");
  const std::string text = id->ToString();
  FUZZ_CHECK(StreamId::Parse(text) == *id, "a stream id does not print back: " + text);
}

void CheckPageTokens(absl::string_view token, const std::string& position, size_t at,
                     uint8_t flip) {
  static const notify::PageTokenSigner* signer =
      new notify::PageTokenSigner("fuzz-key-0123456789abcdef");
  auto read = signer->Read("subscriptions", "partner:p1", token);
  CheckAnswer(read.status(), "PageTokenSigner::Read");
  FUZZ_CHECK(read.ok() || read.status().code() == absl::StatusCode::kInvalidArgument,
             "not INVALID_ARGUMENT");
  const std::string made = signer->Make("subscriptions", "partner:p1", position);
  if (made.size() > notify::kMaxPageToken) return;
  auto back = signer->Read("subscriptions", "partner:p1", made);
  FUZZ_CHECK(back.ok() && *back == position, "a page token does not read back");
  FUZZ_CHECK(!signer->Read("deliveries", "partner:p1", made).ok(), "read for another list");
  FUZZ_CHECK(!signer->Read("subscriptions", "partner:p2", made).ok(), "read for another scope");
  std::string altered = made;
  altered[at % altered.size()] ^= static_cast<char>(flip | 1);
  FUZZ_CHECK(!signer->Read("subscriptions", "partner:p1", altered).ok(),
             "an altered page token reads: " + altered);
}

void CheckOwned(const Caller& caller, const std::vector<Subscription>& subs) {
  if (!caller || caller->role != Role::kPartner) return;
  for (const Subscription& s : subs) {
    FUZZ_CHECK(s.owner == notify::PartnerOwner(caller->partner),
               "a page shows " + caller->partner + " a subscription of " + s.owner);
  }
}

// Lists with `token`, then with a page token of a real first page altered at `at`.
void CheckSubscriptionPages(World& w, const Caller& caller, const std::string& token, size_t at,
                            uint8_t flip) {
  auto page = w.core.List(caller, 1, token, "");
  CheckAnswer(page.status(), "ListSubscriptions");
  if (page.ok()) CheckOwned(caller, page->subscriptions);
  auto first = w.core.List(caller, 1, "", "");
  if (!first.ok() || first->next_page_token.empty()) return;
  std::string altered = first->next_page_token;
  altered[at % altered.size()] ^= static_cast<char>(flip | 1);
  auto next = w.core.List(caller, 1, altered, "");
  CheckAnswer(next.status(), "ListSubscriptions");
  if (next.ok()) CheckOwned(caller, next->subscriptions);
}

void CheckDeliveryPages(World& w, const Caller& caller, const std::string& token, size_t at,
                        uint8_t flip) {
  const std::string& id = w.ids[at % w.ids.size()];
  auto page = w.delivery_core.List(caller, id, 1, token, std::nullopt, "");
  CheckAnswer(page.status(), "ListDeliveries");
  auto first = w.delivery_core.List(caller, id, 1, "", std::nullopt, "");
  if (!first.ok() || first->next_page_token.empty()) return;
  std::string altered = first->next_page_token;
  altered[at % altered.size()] ^= static_cast<char>(flip | 1);
  auto next = w.delivery_core.List(caller, id, 1, altered, std::nullopt, "");
  CheckAnswer(next.status(), "ListDeliveries");
  if (next.ok()) {
    for (const notify::Delivery& d : next->deliveries) {
      FUZZ_CHECK(d.subscription_id == id, "a delivery page shows another subscription's");
    }
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;        // NOLINT
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  World& world = TheWorld();
  FuzzInput in(data, size);
  const Caller caller = CallerOf(in.Byte());
  const uint8_t flip = in.Byte();
  const size_t at = in.Uint(2);
  CheckResumeToken(in.Chunk());
  const std::string position(in.Chunk());
  const std::string page_token(in.Rest());
  CheckPageTokens(page_token, position, at, flip);
  CheckSubscriptionPages(world, caller, page_token, at, flip);
  CheckDeliveryPages(world, caller, page_token, at, flip);
  return 0;
}
