// The real bulletin-notifications binary against a real redis-server and a real HTTP
// receiver: a SIGKILL right after a publish loses nothing and sends nothing twice, two
// replicas in one consumer group deliver 200 events each exactly once, and signing secrets
// are encrypted at rest with --secrets-key-file and rotate with --reencrypt-secrets.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <set>

#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/notifications/secrets/secret_keyring.h"
#include "services/notifications/tests/http_receiver.h"
#include "services/notifications/tests/webhook_verifier.h"

namespace bulletin::notify {
namespace {

using bulletin::testing::WaitUntil;

constexpr char kPartnerToken[] = "acme-token-0123456789";

class NotifyReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = bulletin::testing::TestRedis::Start();
    ASSERT_OK(server);
    redis_server_ = std::move(*server);
    redis_ = std::make_unique<RedisClient>(redis_server_->options());
    tokens_file_ = dir_.path() + "/tokens";
    std::ofstream(tokens_file_) << "partner " << kPartnerToken << " acme\n";
  }

  // Starts replica `id` on a free port; returns its gRPC address.
  std::string StartReplica(bulletin::testing::ChildProcess* process, const std::string& id,
                           int port = 0, const std::vector<std::string>& extra = {}) {
    if (port == 0) port = bulletin::testing::FreePort();
    std::string listen = absl::StrCat("127.0.0.1:", port);
    std::vector<std::string> args = {"--listen=" + listen,
                                     "--redis=" + redis_server_->url(),
                                     "--auth-tokens-file=" + tokens_file_,
                                     "--allow-private-webhooks",
                                     "--replica-id=" + id,
                                     "--retry-schedule=1s,1s,1s",
                                     "--webhook-connect-timeout=1s",
                                     "--webhook-timeout=2s",
                                     "--claim-idle=2s",
                                     "--log-level=warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    absl::Status s = process->Start(bulletin::testing::BinDir() + "/bulletin-notifications", args,
                                    {}, dir_.path() + "/" + id + ".log");
    EXPECT_OK(s);
    return listen;
  }

  std::string CreateSubscription(const std::string& address, const std::string& url) {
    auto stub = v1::NotificationService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    std::string id;
    EXPECT_TRUE(WaitUntil(
        [&] {
          grpc::ClientContext ctx;
          ctx.AddMetadata("authorization", std::string("Bearer ") + kPartnerToken);
          ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
          v1::CreateSubscriptionRequest req;
          req.set_request_id("create-once");
          req.mutable_subscription()->set_display_name("acme webhook");
          req.mutable_subscription()->set_webhook_url(url);
          v1::CreateSubscriptionResponse resp;
          if (!stub->CreateSubscription(&ctx, req, &resp).ok()) return false;
          id = resp.subscription().id();
          secret_ = resp.signing_secret();
          return true;
        },
        absl::Seconds(15)));
    return id;
  }

  std::vector<RedisArgv> Events(int n, const std::string& prefix) {
    std::vector<RedisArgv> out;
    for (int i = 0; i < n; ++i) {
      events::v1::ArticleEvent e;
      e.set_event_id(absl::StrCat(prefix, i));
      e.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
      e.mutable_article()->set_id(absl::StrCat("article-", i));
      out.push_back({"XADD", keys::kEventStream, "MAXLEN", "~", "10000", "*", "event",
                     e.SerializeAsString(), "event_id", e.event_id(), "type",
                     "ARTICLE_EVENT_TYPE_PUBLISHED", "article_id", e.article().id()});
    }
    return out;
  }

  // Every event acknowledged by the group and no delivery left due.
  bool Settled() {
    auto pending = redis_->Command({"XPENDING", keys::kEventStream, "notifications"});
    auto due = redis_->Command({"ZCARD", "{bulletin}:dlv-due"});
    return pending.ok() && !pending->elements.empty() && pending->elements[0].integer == 0 &&
           due.ok() && due->integer == 0;
  }

  static std::map<std::string, int> CountById(bulletin::notify::testing::HttpReceiver& r) {
    std::map<std::string, int> out;
    for (const auto& req : r.requests()) ++out[req.headers.at("webhook-id")];
    return out;
  }

  bulletin::testing::TempDir dir_;
  std::string tokens_file_;
  std::string secret_;
  std::unique_ptr<bulletin::testing::TestRedis> redis_server_;
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(NotifyReplicasTest, SigkillRightAfterPublishDeliversExactlyOnce) {
  bulletin::notify::testing::HttpReceiver receiver;
  bulletin::testing::ChildProcess replica;
  int port = bulletin::testing::FreePort();
  std::string address = StartReplica(&replica, "r1", port);
  std::string sub = CreateSubscription(address, receiver.url());
  ASSERT_FALSE(sub.empty());
  auto published = redis_->Pipeline(Events(1, "killed-"));
  ASSERT_OK(published);
  replica.Stop(SIGKILL);
  StartReplica(&replica, "r1", port);
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() >= 1; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitUntil([&] { return Settled(); }, absl::Seconds(30)));
  auto counts = CountById(receiver);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts["killed-0"], 1);
  auto req = receiver.requests()[0];
  EXPECT_TRUE(bulletin::notify::testing::VerifyStandardWebhook(secret_, req.headers, req.body));
  replica.Stop(SIGTERM);
}

// #13 secrets at rest, through the binary: Redis holds the secret sealed; a key rotation
// (new key first, --reencrypt-secrets, old key out) keeps webhooks verifiable with the same
// secret; a keys file without the needed key fails clearly instead of signing with garbage.
TEST_F(NotifyReplicasTest, SigningSecretsAreEncryptedAtRestAndKeysRotate) {
  const std::string key_a(64, 'a'), key_b(64, 'b'), key_c(64, 'c');
  auto keys_file = [&](const std::string& name, const std::string& contents) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << contents;
    return "--secrets-key-file=" + path;
  };
  const std::string only_a = keys_file("a.keys", key_a + "\n");
  const std::string b_then_a = keys_file("ba.keys", "# rotated\n" + key_b + "\n" + key_a + "\n");
  const std::string only_b = keys_file("b.keys", key_b + "\n");
  const std::string only_c = keys_file("c.keys", key_c + "\n");
  auto raw_secret = [&](const std::string& sub) {
    auto r = redis_->Command({"HGET", "{bulletin}:sub:" + sub, "secret"});
    return r.ok() ? r->str : "";
  };
  auto key_id = [](const std::string& key) {
    return SecretKeyring::Parse(key, "k").value().key_ids()[0];
  };
  bulletin::notify::testing::HttpReceiver receiver;
  bulletin::testing::ChildProcess replica;
  const int port = bulletin::testing::FreePort();
  std::string address = StartReplica(&replica, "r1", port, {only_a});
  std::string sub = CreateSubscription(address, receiver.url());
  ASSERT_FALSE(sub.empty());
  EXPECT_EQ(raw_secret(sub).rfind("enc:v1:" + key_id(key_a) + ":", 0), 0u) << raw_secret(sub);
  EXPECT_EQ(raw_secret(sub).find(secret_.substr(6)), std::string::npos);
  ASSERT_OK(redis_->Pipeline(Events(1, "before-")));
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 1; }, absl::Seconds(15)));
  EXPECT_EQ(replica.Stop(SIGTERM), 0);

  bulletin::testing::ChildProcess reencrypt;
  ASSERT_OK(reencrypt.Start(bulletin::testing::BinDir() + "/bulletin-notifications",
                            {"--redis=" + redis_server_->url(), b_then_a, "--reencrypt-secrets"},
                            {}, dir_.path() + "/reencrypt.log"));
  int status = reencrypt.Stop(0, absl::Seconds(30));  // signal 0: just wait for the exit
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream log(dir_.path() + "/reencrypt.log");
  std::string printed((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(printed.find("re-encrypted the signing secrets of 1 subscriptions"), std::string::npos)
      << printed;
  EXPECT_EQ(raw_secret(sub).rfind("enc:v1:" + key_id(key_b) + ":", 0), 0u) << raw_secret(sub);

  StartReplica(&replica, "r1", port, {only_b});
  ASSERT_OK(redis_->Pipeline(Events(1, "after-")));
  ASSERT_TRUE(WaitUntil([&] { return receiver.count() == 2; }, absl::Seconds(15)));
  for (const auto& req : receiver.requests()) {
    EXPECT_TRUE(bulletin::notify::testing::VerifyStandardWebhook(secret_, req.headers, req.body));
  }
  EXPECT_EQ(replica.Stop(SIGTERM), 0);

  StartReplica(&replica, "r1", port, {only_c});
  auto stub = v1::NotificationService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::Status ping;
  ASSERT_TRUE(WaitUntil(
      [&] {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", std::string("Bearer ") + kPartnerToken);
        ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
        v1::SendTestEventRequest req;
        req.set_subscription_id(sub);
        v1::Delivery resp;
        ping = stub->SendTestEvent(&ctx, req, &resp);
        return ping.error_code() != grpc::StatusCode::UNAVAILABLE;
      },
      absl::Seconds(15)));
  EXPECT_EQ(ping.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << ping.error_message();
  EXPECT_NE(ping.error_message().find(key_id(key_b)), std::string::npos) << ping.error_message();
  EXPECT_EQ(receiver.count(), 2u);
  EXPECT_EQ(replica.Stop(SIGTERM), 0);
}

TEST_F(NotifyReplicasTest, TwoReplicasDeliverEveryEventOnce) {
  bulletin::notify::testing::HttpReceiver receiver;
  bulletin::testing::ChildProcess a, b;
  std::string address = StartReplica(&a, "replica-a");
  StartReplica(&b, "replica-b");
  std::string sub = CreateSubscription(address, receiver.url());
  ASSERT_FALSE(sub.empty());
  // Both replicas have joined the group before the burst.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = redis_->Command({"XINFO", "CONSUMERS", keys::kEventStream, "notifications"});
        return r.ok() && r->elements.size() == 2;
      },
      absl::Seconds(15)));
  for (int i = 0; i < 200; i += 20) {
    std::vector<RedisArgv> batch = Events(200, "burst-");
    ASSERT_OK(redis_->Pipeline({batch.begin() + i, batch.begin() + i + 20}));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountById(receiver).size() == 200; }, absl::Seconds(60)))
      << CountById(receiver).size();
  ASSERT_TRUE(WaitUntil([&] { return Settled(); }, absl::Seconds(30)));
  auto counts = CountById(receiver);
  EXPECT_EQ(counts.size(), 200u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << " delivered " << n << " times";
  EXPECT_EQ(receiver.count(), 200u);
  EXPECT_EQ(a.Stop(SIGTERM), 0);
  EXPECT_EQ(b.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace bulletin::notify
