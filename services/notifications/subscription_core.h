// The rules of partner subscriptions: who may create, read, list and delete which
// subscription, what a valid one looks like, and the signing secret.
//
// Plain C++ over a SubscriptionStore; no gRPC types. Every method checks the caller
// (partner or admin), then the input (INVALID_ARGUMENT naming the request field, nothing
// changed), then acts. A partner's subscriptions are owned by "partner:<name>"; another
// partner's subscription is NOT_FOUND to it. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/base/auth.h"
#include "services/notifications/subscription_store.h"

namespace bulletin::notify {

struct SubscriptionCoreOptions {
  bool allow_private_webhooks = false;  // --allow-private-webhooks
};

struct ListSubscriptionsResult {
  std::vector<Subscription> subscriptions;
  std::string next_page_token;
};

class SubscriptionCore {
 public:
  SubscriptionCore(SubscriptionStore* store, SubscriptionCoreOptions options)
      : store_(store), options_(options) {}

  // CreateSubscription. `sub` holds the caller's fields (owner only from an admin);
  // output-only fields are ignored. Returns the stored subscription and its secret
  // ("whsec_" + base64 of 32 random bytes); a repeated request_id returns the first
  // result. Errors: UNAUTHENTICATED, PERMISSION_DENIED (other roles, a partner naming
  // another owner), INVALID_ARGUMENT, RESOURCE_EXHAUSTED (over 100 per owner),
  // UNAVAILABLE.
  absl::StatusOr<CreatedSubscription> Create(const Caller& caller, Subscription sub,
                                             const std::string& request_id);

  // GetSubscription, and the access check of every per-subscription method.
  // Errors: UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT (field `field`),
  // NOT_FOUND (absent or another partner's), UNAVAILABLE.
  absl::StatusOr<Subscription> Get(const Caller& caller, const std::string& id,
                                   const std::string& field = "id");

  // ListSubscriptions: newest first; page_size 0 = 50, clamped to 200.
  // INVALID_ARGUMENT for page_size < 0, a bad page_token, or owner set by a partner.
  absl::StatusOr<ListSubscriptionsResult> List(const Caller& caller, int page_size,
                                               const std::string& page_token,
                                               const std::string& owner);

  // DeleteSubscription; a non-empty stale etag is ABORTED. Calls the delete listener
  // (which ends this replica's open streams of it) on success.
  absl::Status Delete(const Caller& caller, const std::string& id, const std::string& etag);

  // Called with a subscription id after it was deleted. Set once, before serving.
  void SetDeleteListener(std::function<void(const std::string&)> listener) {
    on_delete_ = std::move(listener);
  }

 private:
  SubscriptionStore* store_;  // not owned
  const SubscriptionCoreOptions options_;
  std::function<void(const std::string&)> on_delete_;
};

// "whsec_" + standard base64 of 32 bytes from a CSPRNG.
std::string NewSigningSecret();

}  // namespace bulletin::notify
