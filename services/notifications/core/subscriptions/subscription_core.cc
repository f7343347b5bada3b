#include "services/notifications/core/subscriptions/subscription_core.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/ids.h"
#include "services/notifications/core/subscriptions/validation.h"

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

constexpr int kMaxMutateTries = 5;
constexpr int kMaxPauseReason = 200;
constexpr absl::Duration kDefaultSecretTtl = absl::Hours(24);
constexpr absl::Duration kMaxSecretTtl = absl::Hours(24 * 7);

std::string Who(const Caller& caller) {
  return caller->role == Role::kPartner ? PartnerOwner(caller->partner) : "admin";
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


absl::StatusOr<Subscription> SubscriptionCore::Mutate(
    const Caller* caller, const std::string& id, const std::string& etag,
    const std::function<absl::StatusOr<bool>(Subscription*)>& change,
    const std::string& new_secret) {
  if (etag.size() > 64) return absl::InvalidArgumentError("etag: longer than 64 characters");
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<Subscription> sub = caller ? Get(*caller, id) : store_->Get(id);
    if (!sub.ok()) return sub.status();
    if (!etag.empty() && etag != sub->etag) return StaleEtagError(id, etag, sub->etag);
    const std::string read_etag = sub->etag;
    absl::StatusOr<bool> changed = change(&*sub);
    if (!changed.ok()) return changed.status();
    if (!*changed) return sub;
    sub->update_time = NowMicros();
    sub->etag = RandomHex(8);
    absl::Status s = store_->Replace(*sub, read_etag, new_secret);
    if (s.ok()) return sub;
    if (!absl::IsAborted(s) || !etag.empty() || attempt == kMaxMutateTries) return s;
  }
}

absl::StatusOr<Subscription> SubscriptionCore::Update(const Caller& caller,
                                                      const Subscription& patch,
                                                      const std::vector<std::string>& paths) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (absl::Status s = CheckId(patch.id, "subscription.id"); !s.ok()) return s;
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
    if (!all && !filter && p != "display_name" && p != "webhook_url" &&
        p != "filter.event_types" && p != "filter.category_ids" &&
        p != "filter.include_subcategories" && p != "filter.locales") {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask.paths[", i, "]: unknown or read-only path \"", p, "\""));
    }
  }
  // Validate the new values before reading anything: bad input changes nothing.
  SubscriptionFilter filter = patch.filter;
  if (absl::Status s = CheckFilter(&filter, "subscription.filter"); !s.ok()) return s;
  if (name) {
    absl::Status s = CheckDisplayName(patch.display_name, "subscription.display_name");
    if (!s.ok()) return s;
  }
  if (url && !patch.webhook_url.empty()) {
    absl::Status s = CheckWebhookUrl(patch.webhook_url, options_.allow_private_webhooks,
                                     "subscription.webhook_url");
    if (!s.ok()) return s;
  }
  return Mutate(&caller, patch.id, patch.etag, [&](Subscription* sub) -> absl::StatusOr<bool> {
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
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (absl::Status s = CheckId(id, "id"); !s.ok()) return s;
  if (reason.size() > kMaxPauseReason) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: longer than ", kMaxPauseReason, " characters"));
  }
  return Mutate(&caller, id, etag, [&](Subscription* sub) -> absl::StatusOr<bool> {
    if (sub->state == SubscriptionState::kPaused) return false;
    if (sub->state == SubscriptionState::kDisabled) {
      return absl::FailedPreconditionError(absl::StrCat(
          "subscription \"", id, "\" is DISABLED (", sub->state_reason,
          "): resume it instead"));
    }
    sub->state = SubscriptionState::kPaused;
    sub->state_reason = absl::StrCat("paused by ", Who(caller), reason.empty() ? "" : ": ", reason);
    return true;
  });
}

absl::StatusOr<Subscription> SubscriptionCore::Resume(const Caller& caller, const std::string& id,
                                                      const std::string& etag) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (absl::Status s = CheckId(id, "id"); !s.ok()) return s;
  absl::StatusOr<Subscription> sub =
      Mutate(&caller, id, etag, [&](Subscription* sub) -> absl::StatusOr<bool> {
        if (sub->state == SubscriptionState::kActive) return false;
        sub->state = SubscriptionState::kActive;
        sub->state_reason.clear();
        return true;
      });
  if (!sub.ok()) return sub;
  // A resumed endpoint starts with a clean record; held deliveries are released even when
  // it was already active (a retry of an interrupted resume).
  if (absl::Status s = store_->RecordEndpointSuccess(id); !s.ok()) return s;
  if (on_resume_) on_resume_(id);
  return sub;
}

absl::StatusOr<CreatedSubscription> SubscriptionCore::RotateSecret(
    const Caller& caller, const std::string& id, const std::string& etag,
    std::optional<absl::Duration> ttl) {
  if (absl::Status s = CheckRole(caller); !s.ok()) return s;
  if (absl::Status s = CheckId(id, "id"); !s.ok()) return s;
  absl::Duration keep = ttl.value_or(kDefaultSecretTtl);
  if (keep < absl::ZeroDuration() || keep > kMaxSecretTtl) {
    return absl::InvalidArgumentError("previous_secret_ttl: must be between 0 and 7 days");
  }
  std::string secret = NewSigningSecret();
  absl::StatusOr<Subscription> sub = Mutate(
      &caller, id, etag,
      [&](Subscription* sub) -> absl::StatusOr<bool> {
        sub->previous_secret_expire_time = NowMicros() + keep;
        return true;
      },
      secret);
  if (!sub.ok()) return sub.status();
  return CreatedSubscription{*sub, secret, false};
}

absl::Status SubscriptionCore::Disable(const std::string& id, const std::string& reason) {
  return Mutate(nullptr, id, "", [&](Subscription* sub) -> absl::StatusOr<bool> {
           if (sub->state != SubscriptionState::kActive) return false;
           sub->state = SubscriptionState::kDisabled;
           sub->state_reason = reason.substr(0, 500);
           return true;
         })
      .status();
}

}  // namespace bulletin::notify
