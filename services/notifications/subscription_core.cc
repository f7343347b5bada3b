#include "services/notifications/subscription_core.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "services/notifications/validation.h"

namespace bulletin::notify {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr char kPageTokenPrefix[] = "s1.";

absl::Status CheckRole(const Caller& caller) {
  return RequireRole(caller, {Role::kPartner, Role::kAdmin});
}

bool Owns(const Caller& caller, const Subscription& sub) {
  return caller->role == Role::kAdmin || sub.owner == PartnerOwner(caller->partner);
}

}  // namespace

std::string NewSigningSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // The CSPRNG failing is a broken invariant of the host, not bad input.
    std::abort();
  }
  return absl::StrCat("whsec_",
                      absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(bytes), 32)));
}

absl::StatusOr<CreatedSubscription> SubscriptionCore::Create(const Caller& caller,
                                                             Subscription sub,
                                                             const std::string& request_id) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (caller->role == Role::kPartner) {
    std::string own = PartnerOwner(caller->partner);
    if (!sub.owner.empty() && sub.owner != own) {
      return absl::PermissionDeniedError(
          "subscription.owner: a partner may not create subscriptions for another owner");
    }
    sub.owner = own;
  } else if (sub.owner.empty()) {
    sub.owner = "admin";
  } else if (absl::Status s = CheckOwner(sub.owner, "subscription.owner"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDisplayName(sub.display_name, "subscription.display_name"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckFilter(&sub.filter, "subscription.filter"); !s.ok()) return s;
  if (!sub.webhook_url.empty()) {
    absl::Status s = CheckWebhookUrl(sub.webhook_url, options_.allow_private_webhooks,
                                     "subscription.webhook_url");
    if (!s.ok()) return s;
  }
  if (!request_id.empty()) {
    if (absl::Status s = CheckId(request_id, "request_id"); !s.ok()) return s;
  }
  sub.id = NewId();
  sub.state = SubscriptionState::kActive;
  sub.state_reason.clear();
  sub.create_time = sub.update_time = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
  sub.etag = RandomHex(8);
  return store_->Create(sub, NewSigningSecret(), request_id, kMaxSubscriptionsPerOwner);
}

absl::StatusOr<Subscription> SubscriptionCore::Get(const Caller& caller, const std::string& id,
                                                   const std::string& field) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (absl::Status s = CheckId(id, field); !s.ok()) return s;
  absl::StatusOr<Subscription> sub = store_->Get(id);
  if (!sub.ok()) return sub.status();
  if (!Owns(caller, *sub)) {
    return absl::NotFoundError(absl::StrCat("subscription \"", id, "\" not found"));
  }
  return sub;
}

absl::StatusOr<ListSubscriptionsResult> SubscriptionCore::List(const Caller& caller,
                                                               int page_size,
                                                               const std::string& page_token,
                                                               const std::string& owner) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  std::string list_owner = owner;
  if (caller->role == Role::kPartner) {
    if (!owner.empty()) {
      return absl::InvalidArgumentError("owner: only an admin may list another owner");
    }
    list_owner = PartnerOwner(caller->partner);
  } else if (!owner.empty()) {
    if (absl::Status s = CheckOwner(owner, "owner"); !s.ok()) return s;
  }
  std::string after;
  if (!page_token.empty()) {
    if (page_token.rfind(kPageTokenPrefix, 0) != 0) {
      return absl::InvalidArgumentError("page_token: malformed (use next_page_token as given)");
    }
    after = page_token.substr(sizeof(kPageTokenPrefix) - 1);
  }
  absl::StatusOr<SubscriptionPage> page = store_->List(list_owner, after, page_size);
  if (!page.ok()) return page.status();
  ListSubscriptionsResult result;
  result.subscriptions = std::move(page->subscriptions);
  if (!page->next.empty()) result.next_page_token = absl::StrCat(kPageTokenPrefix, page->next);
  return result;
}

absl::Status SubscriptionCore::Delete(const Caller& caller, const std::string& id,
                                      const std::string& etag) {
  absl::StatusOr<Subscription> sub = Get(caller, id);
  if (!sub.ok()) return sub.status();
  if (etag.size() > 64) return absl::InvalidArgumentError("etag: longer than 64 characters");
  absl::Status s = store_->Delete(id, etag);
  if (s.ok() && on_delete_) on_delete_(id);
  return s;
}

}  // namespace bulletin::notify
