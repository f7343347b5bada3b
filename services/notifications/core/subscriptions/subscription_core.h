// The rules of partner subscriptions: who may create, read, list, change and delete which
// subscription, what a valid one looks like, its lifecycle (pause, resume, disable) and its
// signing secrets. Every method checks the caller (partner or admin), then the input
// (INVALID_ARGUMENT naming the request field, nothing changed), then acts; a stale etag is
// ABORTED carrying the current one (common/base/etag.h). A partner's subscriptions are
// owned by "partner:<name>"; another partner's subscription is NOT_FOUND to it. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/base/auth.h"
#include "services/notifications/core/subscriptions/page_token.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

struct SubscriptionCoreOptions {
  SubscriptionCoreOptions() = default;
  // SubscriptionCoreOptions{allow_private}: the short form callers and tests use.
  explicit SubscriptionCoreOptions(bool allow_private) : allow_private_webhooks(allow_private) {}

  bool allow_private_webhooks = false;  // --allow-private-webhooks
  std::string token_key;                // --token-key (signs page tokens); empty: random
  // --max-subscriptions-per-partner: the quota of subscriptions per owner.
  int max_subscriptions_per_owner = kMaxSubscriptionsPerOwner;
};

struct ListSubscriptionsResult {
  std::vector<Subscription> subscriptions;
  std::string next_page_token;
};

class SubscriptionCore {
 public:
  // `store` must outlive the core.
  SubscriptionCore(SubscriptionStore& store, SubscriptionCoreOptions options)
      : store_(store), options_(options), page_tokens_(options_.token_key) {}

  // CreateSubscription. `sub` holds the caller's fields (owner only from an admin;
  // nullopt: the request had none, INVALID_ARGUMENT "subscription: required" once the
  // caller is known to be allowed); output-only fields are ignored. Returns the stored
  // subscription and its secret ("whsec_" + base64 of 32 random bytes); a repeated
  // request_id returns the first result. Errors: UNAUTHENTICATED, PERMISSION_DENIED (other
  // roles, a partner naming another owner), INVALID_ARGUMENT, RESOURCE_EXHAUSTED (the owner
  // has max_subscriptions_per_owner already: a quota, as AIP-193 and google.rpc.Code say;
  // no retry delay, deleting one frees a place), UNAVAILABLE.
  absl::StatusOr<CreatedSubscription> Create(const Caller& caller, std::optional<Subscription> sub,
                                             const std::string& request_id);

  // GetSubscription, and the access check of every per-subscription method.
  // Errors: UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT (field `field`),
  // NOT_FOUND (absent or another partner's), UNAVAILABLE.
  absl::StatusOr<Subscription> Get(const Caller& caller, const std::string& id,
                                   const std::string& field = "id");

  // ListSubscriptions: newest first; page_size 0 = 50, clamped to 200. Page tokens are
  // signed and bound to the listed owner. INVALID_ARGUMENT for page_size < 0, a page_token
  // that is altered or made for another owner ("page_token: ..."), or owner set by a
  // partner.
  absl::StatusOr<ListSubscriptionsResult> List(const Caller& caller, int page_size,
                                               const std::string& page_token,
                                               const std::string& owner);

  // DeleteSubscription; a non-empty stale etag is ABORTED (StaleEtag, field "etag").
  // Calls the delete listener
  // (which ends this replica's open streams of it) on success.
  absl::Status Delete(const Caller& caller, const std::string& id, const std::string& etag);

  // UpdateSubscription: copies the fields named by `paths` (update_mask: "display_name",
  // "webhook_url", "filter", "filter.event_types", "filter.category_ids",
  // "filter.include_subcategories", "filter.locales", "*") from `patch` (patch.id names
  // it; a non-empty patch.etag must be current). INVALID_ARGUMENT (empty or unknown
  // path, bad values named "subscription.<field>"), NOT_FOUND, ABORTED (field
  // "subscription.etag"), UNAVAILABLE.
  absl::StatusOr<Subscription> Update(const Caller& caller, const Subscription& patch,
                                      const std::vector<std::string>& paths);

  // PauseSubscription: ACTIVE -> PAUSED with state_reason "paused by <who>[: reason]";
  // a paused one is returned unchanged. FAILED_PRECONDITION when DISABLED.
  absl::StatusOr<Subscription> Pause(const Caller& caller, const std::string& id,
                                     const std::string& etag, const std::string& reason);

  // ResumeSubscription: PAUSED/DISABLED -> ACTIVE (its endpoint's failure record is
  // cleared) and the resume listener is told; an active one is returned unchanged.
  absl::StatusOr<Subscription> Resume(const Caller& caller, const std::string& id,
                                      const std::string& etag);

  // RotateSecret: a new current secret; the old one signs too until now + `ttl` (nullopt:
  // 24 h; 0 revokes it at once). INVALID_ARGUMENT (previous_secret_ttl outside 0..7 days).
  absl::StatusOr<CreatedSubscription> RotateSecret(const Caller& caller, const std::string& id,
                                                   const std::string& etag,
                                                   std::optional<absl::Duration> ttl);

  // The service's own decision (no caller): an ACTIVE subscription becomes DISABLED with
  // `reason`. OK (and nothing changes) when it is not ACTIVE; NOT_FOUND when gone.
  absl::Status Disable(const std::string& id, const std::string& reason);

  // Called with a subscription id after it was deleted. Set once, before serving.
  void SetDeleteListener(std::function<void(const std::string&)> listener) {
    on_delete_ = std::move(listener);
  }
  // Called with a subscription id after it was resumed. Set once, before serving.
  void SetResumeListener(std::function<void(const std::string&)> listener) {
    on_resume_ = std::move(listener);
  }

  // The signer of this service's page tokens (ListDeliveries uses it too).
  const PageTokenSigner& page_tokens() const { return page_tokens_; }

 private:
  // Read-modify-write of one subscription under optimistic concurrency: `change` edits
  // the copy and returns false when nothing changes (the subscription is then returned
  // as is). A concurrent writer makes it retry unless the caller gave an etag (ABORTED
  // naming `etag_field`).
  absl::StatusOr<Subscription> Mutate(
      const Caller* caller, const std::string& id, const std::string& etag,
      absl::string_view etag_field,
      const std::function<absl::StatusOr<bool>(Subscription*)>& change,
      const std::string& new_secret = "");

  SubscriptionStore& store_;
  const SubscriptionCoreOptions options_;
  const PageTokenSigner page_tokens_;
  std::function<void(const std::string&)> on_delete_;
  std::function<void(const std::string&)> on_resume_;
};

// "whsec_" + standard base64 of 32 bytes from a CSPRNG.
std::string NewSigningSecret();

// Whom a per-partner quota or rate counts `caller` (authenticated) against: "partner:NAME"
// for every token of a partner, otherwise the token's own key (LimitKey).
std::string QuotaKey(const Principal& caller);

}  // namespace bulletin::notify
