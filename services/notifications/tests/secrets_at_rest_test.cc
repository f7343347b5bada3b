// Webhook signing secrets at rest in Redis (label redis: a redis-server started by the
// test): what Redis holds is sealed (AES-256-GCM, SecretKeyring), never the secret; a
// wrong or missing key fails clearly; plaintext secrets from before encryption still read
// and are sealed on read; keys rotate (new key first, --reencrypt-secrets, old key out).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/base/ids.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/core/subscriptions/subscription_core.h"
#include "services/notifications/store/redis/keys.h"
#include "services/notifications/store/redis/redis_subscription_store.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;

const std::string kKeyA(64, 'a');
const std::string kKeyB(64, 'b');

SecretKeyring Ring(const std::string& contents) {
  absl::StatusOr<SecretKeyring> ring = SecretKeyring::Parse(contents, "keys");
  EXPECT_OK(ring);
  return *std::move(ring);
}

class NotifySecretsAtRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = bulletin::testing::TestRedis::Start();
    ASSERT_OK(server);
    server_ = std::move(*server);
    redis_ = std::make_unique<RedisClient>(server_->options());
  }

  // A subscription as the core hands it to the store.
  static Subscription Sample() {
    Subscription s;
    s.id = NewId();
    s.owner = "partner:acme";
    s.display_name = "feed";
    s.webhook_url = "https://hooks.example.org/h";
    s.create_time = s.update_time = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
    s.etag = RandomHex(8);
    return s;
  }

  // What Redis holds in the subscription's hash field.
  std::string Raw(const std::string& id, const std::string& field) {
    absl::StatusOr<RedisReply> r = redis_->Command({"HGET", keys::Subscription(id), field});
    EXPECT_OK(r);
    return r.ok() ? r->str : "";
  }

  // The secret and the base64 body of its key: neither may appear in what Redis holds.
  static void ExpectConcealed(const std::string& raw, const std::string& secret) {
    EXPECT_EQ(raw.rfind("enc:v1:", 0), 0u) << raw;
    EXPECT_EQ(raw.find(secret), std::string::npos) << raw;
    EXPECT_EQ(raw.find(secret.substr(6, 16)), std::string::npos) << raw;
  }

  std::unique_ptr<bulletin::testing::TestRedis> server_;
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(NotifySecretsAtRestTest, RedisHoldsOnlyTheSealedSecret) {
  SecretKeyring ring = Ring(kKeyA);
  RedisSubscriptionStore store(*redis_, &ring);
  Subscription sub = Sample();
  const std::string secret = NewSigningSecret();
  ASSERT_OK(store.Create(sub, secret, "req-1", 100));
  ExpectConcealed(Raw(sub.id, "secret"), secret);
  ASSERT_OK_AND_ASSIGN(SigningSecrets read, store.GetSecrets(sub.id));
  EXPECT_EQ(read.current, secret);
  EXPECT_EQ(read.previous, "");
  // A retried create returns the secret itself, not what Redis holds.
  Subscription retry = Sample();
  ASSERT_OK_AND_ASSIGN(CreatedSubscription replay, store.Create(retry, "whsec_x", "req-1", 100));
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.signing_secret, secret);

  // RotateSecret: both the new and the previous secret stay sealed.
  const std::string next = NewSigningSecret();
  Subscription rotated = sub;
  rotated.etag = "e2";
  rotated.previous_secret_expire_time =
      absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())) + absl::Hours(1);
  ASSERT_OK(store.Replace(rotated, sub.etag, next));
  ExpectConcealed(Raw(sub.id, "secret"), next);
  ExpectConcealed(Raw(sub.id, "prev_secret"), secret);
  ASSERT_OK_AND_ASSIGN(read, store.GetSecrets(sub.id));
  EXPECT_EQ(read.current, next);
  EXPECT_EQ(read.previous, secret);
}

TEST_F(NotifySecretsAtRestTest, AWrongOrMissingKeyFailsClearly) {
  SecretKeyring a = Ring(kKeyA);
  RedisSubscriptionStore store(*redis_, &a);
  Subscription sub = Sample(), other = Sample();
  ASSERT_OK(store.Create(sub, NewSigningSecret(), "", 100));
  ASSERT_OK(store.Create(other, NewSigningSecret(), "", 100));

  SecretKeyring b = Ring(kKeyB);
  RedisSubscriptionStore wrong(*redis_, &b);
  absl::Status s = wrong.GetSecrets(sub.id).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition, "--secrets-key-file"));
  EXPECT_NE(s.message().find(a.key_ids()[0]), std::string::npos) << s;  // the key it needs
  EXPECT_NE(s.message().find(sub.id), std::string::npos) << s;
  RedisSubscriptionStore none(*redis_);
  EXPECT_THAT(none.GetSecrets(sub.id),
              StatusIs(absl::StatusCode::kFailedPrecondition, "no --secrets-key-file"));
  // A sealed value opens only as its own subscription's.
  ASSERT_OK(
      redis_->Command({"HSET", keys::Subscription(other.id), "secret", Raw(sub.id, "secret")}));
  EXPECT_THAT(store.GetSecrets(other.id), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(NotifySecretsAtRestTest, PlaintextSecretsStillReadAndAreSealedOnRead) {
  RedisSubscriptionStore plain(*redis_);  // before --secrets-key-file was set
  Subscription sub = Sample();
  const std::string secret = NewSigningSecret();
  ASSERT_OK(plain.Create(sub, secret, "", 100));
  EXPECT_EQ(Raw(sub.id, "secret"), secret);  // the documented dev default

  SecretKeyring ring = Ring(kKeyA);
  RedisSubscriptionStore store(*redis_, &ring);
  ASSERT_OK_AND_ASSIGN(SigningSecrets read, store.GetSecrets(sub.id));
  EXPECT_EQ(read.current, secret);
  ExpectConcealed(Raw(sub.id, "secret"), secret);
  ASSERT_OK_AND_ASSIGN(read, store.GetSecrets(sub.id));
  EXPECT_EQ(read.current, secret);
}

TEST_F(NotifySecretsAtRestTest, KeysRotateWithReencryption) {
  SecretKeyring a = Ring(kKeyA);
  RedisSubscriptionStore old_store(*redis_, &a);
  RedisSubscriptionStore plain(*redis_);
  std::vector<Subscription> subs = {Sample(), Sample(), Sample(), Sample()};
  std::vector<std::string> secrets;
  for (size_t i = 0; i < subs.size(); ++i) {
    secrets.push_back(NewSigningSecret());
    // The last one from before encryption: plaintext.
    ASSERT_OK((i + 1 < subs.size() ? old_store : plain).Create(subs[i], secrets[i], "", 100));
  }
  EXPECT_THAT(plain.ReencryptSecrets(), StatusIs(absl::StatusCode::kFailedPrecondition));

  // Step 1: the new key B goes first in the file, A stays to decrypt.
  SecretKeyring b_then_a = Ring(kKeyB + "\n" + kKeyA + "\n");
  RedisSubscriptionStore store(*redis_, &b_then_a);
  ASSERT_OK_AND_ASSIGN(SigningSecrets read, store.GetSecrets(subs[0].id));  // sealed on read
  EXPECT_EQ(read.current, secrets[0]);
  EXPECT_TRUE(b_then_a.IsCurrent(Raw(subs[0].id, "secret")));
  // Step 2: --reencrypt-secrets seals the rest with B (a second run finds nothing to do).
  ASSERT_OK_AND_ASSIGN(int changed, store.ReencryptSecrets());
  EXPECT_EQ(changed, 3);
  ASSERT_OK_AND_ASSIGN(changed, store.ReencryptSecrets());
  EXPECT_EQ(changed, 0);
  // Step 3: A leaves the file; every secret still reads.
  SecretKeyring b = Ring(kKeyB);
  RedisSubscriptionStore new_store(*redis_, &b);
  for (size_t i = 0; i < subs.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(read, new_store.GetSecrets(subs[i].id));
    EXPECT_EQ(read.current, secrets[i]) << i;
    ExpectConcealed(Raw(subs[i].id, "secret"), secrets[i]);
  }
}

}  // namespace
}  // namespace bulletin::notify
