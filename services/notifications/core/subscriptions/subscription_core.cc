#include "services/notifications/core/subscriptions/subscription_core.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/etag.h"
#include "common/base/ids.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/notifications/core/subscriptions/validation.h"

namespace bulletin::notify {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr absl::string_view kListName = "subscriptions";
constexpr int kMaxMutateTries = 5;
constexpr size_t kMaxEtag = 64;
constexpr size_t kMaxStateReason = 500;
constexpr absl::Duration kDefaultSecretTtl = absl::Hours(24);
constexpr absl::Duration kMaxSecretTtl = absl::Hours(24 * 7);

absl::Status CheckRole(const Caller& caller) {
  return RequireRole(caller, {Role::kPartner, Role::kAdmin});
}

bool Owns(const Caller& caller, const Subscription& sub) {
  return caller->role == Role::kAdmin || sub.owner == PartnerOwner(caller->partner);
}

std::string Who(const Caller& caller) {
  return caller->role == Role::kPartner ? PartnerOwner(caller->partner) : "admin";
}

absl::Status CheckEtag(const std::string& etag) {
  if (etag.size() > kMaxEtag) return absl::InvalidArgumentError("etag: longer than 64 characters");
  return absl::OkStatus();
}

absl::Time NowMicros() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

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

std::string QuotaKey(const Principal& caller) {
  return caller.role == Role::kPartner ? PartnerOwner(caller.partner) : LimitKey(caller);
}

absl::StatusOr<CreatedSubscription> SubscriptionCore::Create(const Caller& caller,
                                                             std::optional<Subscription> request,
                                                             const std::string& request_id) {
  RETURN_IF_ERROR(CheckRole(caller));
  if (!request) return absl::InvalidArgumentError("subscription: required");
  Subscription& sub = *request;
  if (caller->role == Role::kPartner) {
    std::string own = PartnerOwner(caller->partner);
    if (!sub.owner.empty() && sub.owner != own) {
      return absl::PermissionDeniedError(
          "subscription.owner: a partner may not create subscriptions for another owner");
    }
    sub.owner = own;
  } else if (sub.owner.empty()) {
    sub.owner = "admin";
  } else {
    RETURN_IF_ERROR(CheckOwner(sub.owner, "subscription.owner"));
  }
  RETURN_IF_ERROR(CheckDisplayName(sub.display_name, "subscription.display_name"));
  RETURN_IF_ERROR(CheckFilter(&sub.filter, "subscription.filter"));
  if (!sub.webhook_url.empty()) {
    RETURN_IF_ERROR(CheckWebhookUrl(sub.webhook_url, options_.allow_private_webhooks,
                                    "subscription.webhook_url"));
  }
  if (!request_id.empty()) {
    RETURN_IF_ERROR(CheckId(request_id, "request_id"));
  }
  sub.id = NewId();
  sub.state = SubscriptionState::kActive;
  sub.state_reason.clear();
  sub.create_time = sub.update_time = NowMicros();
  sub.etag = RandomHex(8);
  return store_.Create(sub, NewSigningSecret(), request_id, options_.max_subscriptions_per_owner);
}

absl::StatusOr<Subscription> SubscriptionCore::Get(const Caller& caller, const std::string& id,
                                                   const std::string& field) {
  RETURN_IF_ERROR(CheckRole(caller));
  RETURN_IF_ERROR(CheckId(id, field));
  ASSIGN_OR_RETURN(Subscription sub, store_.Get(id));
  if (!Owns(caller, sub)) {
    return absl::NotFoundError(absl::StrCat("subscription \"", Excerpt(id), "\" not found"));
  }
  return sub;
}

absl::StatusOr<ListSubscriptionsResult> SubscriptionCore::List(const Caller& caller, int page_size,
                                                               const std::string& page_token,
                                                               const std::string& owner) {
  RETURN_IF_ERROR(CheckRole(caller));
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
    RETURN_IF_ERROR(CheckOwner(owner, "owner"));
  }
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, page_tokens_.Read(kListName, list_owner, page_token));
  }
  ASSIGN_OR_RETURN(SubscriptionPage page, store_.List(list_owner, after, page_size));
  ListSubscriptionsResult result;
  result.subscriptions = std::move(page.subscriptions);
  if (!page.next.empty()) {
    result.next_page_token = page_tokens_.Make(kListName, list_owner, page.next);
  }
  return result;
}

absl::Status SubscriptionCore::Delete(const Caller& caller, const std::string& id,
                                      const std::string& etag) {
  RETURN_IF_ERROR(Get(caller, id));
  RETURN_IF_ERROR(CheckEtag(etag));
  RETURN_IF_ERROR(store_.Delete(id, etag));
  if (on_delete_) on_delete_(id);
  return absl::OkStatus();
}

absl::StatusOr<Subscription> SubscriptionCore::Mutate(
    const Caller* caller, const std::string& id, const std::string& etag,
    absl::string_view etag_field, const std::function<absl::StatusOr<bool>(Subscription*)>& change,
    const std::string& new_secret) {
  RETURN_IF_ERROR(CheckEtag(etag));
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(Subscription sub, caller ? Get(*caller, id) : store_.Get(id));
    if (!etag.empty() && etag != sub.etag) return StaleEtag(etag_field, etag, sub.etag);
    const std::string read_etag = sub.etag;
    ASSIGN_OR_RETURN(bool changed, change(&sub));
    if (!changed) return sub;
    sub.update_time = NowMicros();
    sub.etag = RandomHex(8);
    absl::Status s = store_.Replace(sub, read_etag, new_secret);
    if (s.ok()) return sub;
    if (!absl::IsAborted(s) || attempt == kMaxMutateTries) return s;
    // Another writer got in between: the caller's etag is stale now, else read again.
    if (!etag.empty()) return StaleEtag(etag_field, etag, CurrentEtagOf(s).value_or(""));
  }
}

absl::StatusOr<Subscription> SubscriptionCore::Update(const Caller& caller,
                                                      const Subscription& patch,
                                                      const std::vector<std::string>& paths) {
  RETURN_IF_ERROR(CheckRole(caller));
  RETURN_IF_ERROR(CheckId(patch.id, "subscription.id"));
  if (paths.empty()) return absl::InvalidArgumentError("update_mask: must name at least one path");
  bool name = false, url = false, types = false, categories = false, sub_cats = false,
       locales = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& p = paths[i];
    bool all = p == "*", filter = p == "filter";
    name |= all || p == "display_name";
    url |= all || p == "webhook_url";
    types |= all || filter || p == "filter.event_types";
    categories |= all || filter || p == "filter.category_ids";
    sub_cats |= all || filter || p == "filter.include_subcategories";
    locales |= all || filter || p == "filter.locales";
    if (!all && !filter && p != "display_name" && p != "webhook_url" && p != "filter.event_types" &&
        p != "filter.category_ids" && p != "filter.include_subcategories" &&
        p != "filter.locales") {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask.paths[", i, "]: unknown or read-only path \"", Excerpt(p), "\""));
    }
  }
  // Validate the new values before reading anything: bad input changes nothing.
  SubscriptionFilter filter = patch.filter;
  RETURN_IF_ERROR(CheckFilter(&filter, "subscription.filter"));
  if (name) {
    RETURN_IF_ERROR(CheckDisplayName(patch.display_name, "subscription.display_name"));
  }
  if (url && !patch.webhook_url.empty()) {
    RETURN_IF_ERROR(CheckWebhookUrl(patch.webhook_url, options_.allow_private_webhooks,
                                    "subscription.webhook_url"));
  }
  return Mutate(&caller, patch.id, patch.etag, "subscription.etag",
                [&](Subscription* sub) -> absl::StatusOr<bool> {
                  if (name) sub->display_name = patch.display_name;
                  if (url) sub->webhook_url = patch.webhook_url;
                  if (types) sub->filter.event_types = filter.event_types;
                  if (categories) sub->filter.category_ids = filter.category_ids;
                  if (sub_cats) sub->filter.include_subcategories = filter.include_subcategories;
                  if (locales) sub->filter.locales = filter.locales;
                  return true;
                });
}

absl::StatusOr<Subscription> SubscriptionCore::Pause(const Caller& caller, const std::string& id,
                                                     const std::string& etag,
                                                     const std::string& reason) {
  RETURN_IF_ERROR(CheckRole(caller));
  RETURN_IF_ERROR(CheckId(id, "id"));
  RETURN_IF_ERROR(CheckPauseReason(reason, "reason"));
  return Mutate(&caller, id, etag, "etag", [&](Subscription* sub) -> absl::StatusOr<bool> {
    if (sub->state == SubscriptionState::kPaused) return false;
    if (sub->state == SubscriptionState::kDisabled) {
      return absl::FailedPreconditionError(absl::StrCat("subscription \"", Excerpt(id),
                                                        "\" is DISABLED (", sub->state_reason,
                                                        "): resume it instead"));
    }
    sub->state = SubscriptionState::kPaused;
    sub->state_reason = absl::StrCat("paused by ", Who(caller), reason.empty() ? "" : ": ", reason);
    return true;
  });
}

absl::StatusOr<Subscription> SubscriptionCore::Resume(const Caller& caller, const std::string& id,
                                                      const std::string& etag) {
  RETURN_IF_ERROR(CheckRole(caller));
  RETURN_IF_ERROR(CheckId(id, "id"));
  ASSIGN_OR_RETURN(Subscription sub,
                   Mutate(&caller, id, etag, "etag", [&](Subscription* s) -> absl::StatusOr<bool> {
                     if (s->state == SubscriptionState::kActive) return false;
                     s->state = SubscriptionState::kActive;
                     s->state_reason.clear();
                     return true;
                   }));
  // A resumed endpoint starts with a clean record; held deliveries are released even when
  // it was already active (a retry of an interrupted resume).
  RETURN_IF_ERROR(store_.RecordEndpointSuccess(id));
  if (on_resume_) on_resume_(id);
  return sub;
}

absl::StatusOr<CreatedSubscription> SubscriptionCore::RotateSecret(
    const Caller& caller, const std::string& id, const std::string& etag,
    std::optional<absl::Duration> ttl) {
  RETURN_IF_ERROR(CheckRole(caller));
  RETURN_IF_ERROR(CheckId(id, "id"));
  absl::Duration keep = ttl.value_or(kDefaultSecretTtl);
  if (keep < absl::ZeroDuration() || keep > kMaxSecretTtl) {
    return absl::InvalidArgumentError("previous_secret_ttl: must be between 0 and 7 days");
  }
  std::string secret = NewSigningSecret();
  ASSIGN_OR_RETURN(Subscription sub, Mutate(
                                         &caller, id, etag, "etag",
                                         [&](Subscription* s) -> absl::StatusOr<bool> {
                                           s->previous_secret_expire_time = NowMicros() + keep;
                                           return true;
                                         },
                                         secret));
  return CreatedSubscription{sub, secret, false};
}

absl::Status SubscriptionCore::Disable(const std::string& id, const std::string& reason) {
  return Mutate(nullptr, id, "", "etag",
                [&](Subscription* sub) -> absl::StatusOr<bool> {
                  if (sub->state != SubscriptionState::kActive) return false;
                  sub->state = SubscriptionState::kDisabled;
                  sub->state_reason = reason.substr(0, kMaxStateReason);
                  return true;
                })
      .status();
}

}  // namespace bulletin::notify
