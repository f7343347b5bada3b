// The secrets part of RedisSubscriptionStore: sealing and opening stored signing secrets
// with the SecretKeyring, re-sealing on read (plaintext from before encryption was
// configured, or an older key) and the bulk re-encryption of --reencrypt-secrets. Every
// write is a compare-and-set Lua script, so it never undoes a concurrent RotateSecret.
// Thread-safe (RedisClient is).
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/notifications/store/redis/keys.h"
#include "services/notifications/store/redis/redis_subscription_store.h"

namespace bulletin::notify {
namespace {

// KEYS: sub. ARGV: (field, value read, new value) triples. Writes a field only if it still
// holds the value read, so a re-seal never undoes a concurrent RotateSecret.
constexpr char kResealScript[] = R"lua(
local n = 0
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    n = n + 1
  end
end
return n
)lua";

// What a sealed secret is bound to: it opens only as this subscription's.
std::string SecretContext(const std::string& id) {
  return "bulletin.notify.v1/subscriptions/" + id + "/signing-secret";
}

}  // namespace

absl::StatusOr<std::string> RedisSubscriptionStore::Reveal(const std::string& id,
                                                           const std::string& stored) const {
  if (!SecretKeyring::IsSealed(stored)) return stored;  // plaintext, or none
  if (keyring_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "subscription \"", Excerpt(id),
        "\": its signing secret is stored encrypted, but no --secrets-key-file is configured"));
  }
  absl::StatusOr<std::string> plain = keyring_->Open(stored, SecretContext(id));
  if (!plain.ok()) {
    return absl::Status(plain.status().code(), absl::StrCat("subscription \"", Excerpt(id),
                                                            "\": ", plain.status().message()));
  }
  return plain;
}

std::string RedisSubscriptionStore::Conceal(const std::string& id,
                                            const std::string& secret) const {
  return keyring_ == nullptr ? secret : keyring_->Seal(secret, SecretContext(id));
}

absl::StatusOr<bool> RedisSubscriptionStore::Reseal(
    const std::string& id, const std::vector<std::pair<std::string, std::string>>& stored) {
  if (keyring_ == nullptr) return false;
  std::vector<std::string> args;
  for (const auto& [field, value] : stored) {
    if (value.empty() || keyring_->IsCurrent(value)) continue;
    ASSIGN_OR_RETURN(std::string plain, Reveal(id, value));
    args.insert(args.end(), {field, value, Conceal(id, plain)});
  }
  if (args.empty()) return false;
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kResealScript, {keys::Subscription(id)}, args));
  return r.integer > 0;
}

absl::StatusOr<int> RedisSubscriptionStore::ReencryptSecrets() {
  if (keyring_ == nullptr) {
    return absl::FailedPreconditionError("re-encrypting secrets needs --secrets-key-file");
  }
  constexpr int kChunk = 500;
  int changed = 0;
  for (int64_t from = 0;; from += kChunk) {
    ASSIGN_OR_RETURN(RedisReply members,
                     redis_.Command({"ZRANGE", keys::kAllIndex, absl::StrCat(from),
                                     absl::StrCat(from + kChunk - 1)}));
    std::vector<RedisArgv> reads;
    for (const RedisReply& m : members.elements) {
      reads.push_back(
          {"HMGET", keys::Subscription(keys::IdOfIndexMember(m.str)), "secret", "prev_secret"});
    }
    ASSIGN_OR_RETURN(std::vector<RedisReply> secrets, redis_.Pipeline(reads));
    for (size_t i = 0; i < secrets.size(); ++i) {
      const RedisReply& r = secrets[i];
      if (r.is_error()) return r.ToStatus();
      if (r.elements.size() != 2 || r.elements[0].is_nil()) continue;  // deleted meanwhile
      ASSIGN_OR_RETURN(bool wrote,
                       Reseal(keys::IdOfIndexMember(members.elements[i].str),
                              {{"secret", r.elements[0].str}, {"prev_secret", r.elements[1].str}}));
      changed += wrote ? 1 : 0;
    }
    if (static_cast<int>(members.elements.size()) < kChunk) return changed;
  }
}

}  // namespace bulletin::notify
