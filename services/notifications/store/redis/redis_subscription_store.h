// SubscriptionStore on Redis: one hash per subscription plus sorted-set indexes, all under
// the `{bulletin}` hash tag (keys.h) so the multi-key scripts stay in one slot; each write
// is one Lua script, so it is atomic. Signing secrets are stored sealed by a SecretKeyring
// when one is given (plaintext otherwise). Thread-safe (RedisClient is).
#pragma once

#include "common/redis/redis_client.h"
#include "services/notifications/core/subscriptions/subscription_store.h"
#include "services/notifications/secrets/secret_keyring.h"

namespace bulletin::notify {

// Hash fields: id, owner, display_name, event_types (comma-separated numbers),
// category_ids (comma-separated), include_subcategories ("0"/"1"), locales
// (comma-separated), webhook_url, state (codes.h), state_reason, create_us and update_us
// (Unix microseconds), etag, secret, prev_secret, prev_expire_us, cursor (stream entry id),
// start (the stream's last entry at creation), failing_since_us. `secret` and
// `prev_secret` hold SecretKeyring::Seal values (bound to the subscription id) or, without
// a keyring or from before one was configured, the plaintext "whsec_..." secret.
class RedisSubscriptionStore : public SubscriptionStore {
 public:
  // `redis` and `keyring` (optional: nullptr stores secrets in plaintext) must outlive the
  // store. With a keyring, a secret read in plaintext or sealed with an older key is
  // re-sealed with the current key (best effort, never over a concurrent change).
  explicit RedisSubscriptionStore(RedisClient& redis, const SecretKeyring* keyring = nullptr)
      : redis_(redis), keyring_(keyring) {}

  // Re-seals every stored secret that is plaintext or sealed with an older key with the
  // keyring's current key (--reencrypt-secrets), and returns how many subscriptions it
  // changed. FailedPrecondition without a keyring; a secret that does not open stops it
  // with that error (naming the subscription); UNAVAILABLE.
  absl::StatusOr<int> ReencryptSecrets();

  absl::StatusOr<CreatedSubscription> Create(const Subscription& sub, const std::string& secret,
                                             const std::string& request_id,
                                             int max_per_owner) override;
  absl::StatusOr<Subscription> Get(const std::string& id) override;
  absl::StatusOr<SubscriptionPage> List(const std::string& owner, const std::string& after,
                                        int limit) override;
  absl::Status Delete(const std::string& id, const std::string& etag) override;
  absl::Status Replace(const Subscription& sub, const std::string& expected_etag,
                       const std::string& new_secret) override;
  absl::StatusOr<SigningSecrets> GetSecrets(const std::string& id) override;
  absl::StatusOr<absl::Time> RecordEndpointFailure(const std::string& id, absl::Time now) override;
  absl::Status RecordEndpointSuccess(const std::string& id) override;
  absl::StatusOr<StreamId> GetCursor(const std::string& id) override;
  absl::Status AdvanceCursor(const std::string& id, const StreamId& pos) override;
  absl::StatusOr<std::optional<uint64_t>> ChangeCount() override;
  // One script call per 256 cursors (every key shares the {bulletin} slot, so on a
  // cluster too); a failed call is the status of each of its cursors.
  std::vector<absl::Status> AdvanceCursors(
      const std::vector<std::pair<std::string, StreamId>>& cursors) override;

 private:
  // The plaintext of a stored secret ("" stays ""); see SecretKeyring::Open for errors,
  // FailedPrecondition when it is sealed and there is no keyring.
  absl::StatusOr<std::string> Reveal(const std::string& id, const std::string& stored) const;
  // `secret` as stored: sealed for `id` with a keyring, else as is.
  std::string Conceal(const std::string& id, const std::string& secret) const;
  // Re-seals the fields of `id` whose stored values (`stored`: field -> value) are not
  // current, each only if it is unchanged since read. Returns whether any was written.
  absl::StatusOr<bool> Reseal(const std::string& id,
                              const std::vector<std::pair<std::string, std::string>>& stored);

  RedisClient& redis_;
  const SecretKeyring* const keyring_;
};

}  // namespace bulletin::notify
