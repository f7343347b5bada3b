// Integration tests of the real bulletin-content binary: the seed command's one-line
// output and idempotency, config errors exiting 2, and the server reading the seeded
// article and relaying its event to a real Redis (TestRedis: one redis-server, or
// --redis=redis-cluster:// to a 3 + 3 node cluster under the redis-cluster label), then
// stopping cleanly on SIGTERM.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/redis/keys.h"
#include "common/testing/process.h"
#include "common/testing/redis_cluster.h"
#include "services/content/seed_demo.h"

namespace bulletin::content {
namespace {

struct RunResult {
  int exit_code = -1;
  std::string stdout_text;
};

// Runs the binary to completion with `args`, stderr discarded.
RunResult RunContent(const std::string& args) {
  std::string cmd = absl::StrCat(testing::BinDir(), "/bulletin-content ", args, " 2>/dev/null");
  RunResult run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.stdout_text.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// True when a TCP connection to 127.0.0.1:port is accepted.
bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

TEST(ContentBinaryTest, SeedDemoPrintsOneLineAndIsIdempotent) {
  testing::TempDir dir;
  const std::string db = absl::StrCat("--db=sqlite:", dir.path(), "/var/content.db");
  RunResult first = RunContent("--seed-demo " + db);
  ASSERT_EQ(first.exit_code, 0);
  ASSERT_TRUE(absl::EndsWith(first.stdout_text, absl::StrCat(" ", kDemoArticleSlug, "\n")))
      << first.stdout_text;
  EXPECT_EQ(first.stdout_text.find('\n'), first.stdout_text.size() - 1);
  EXPECT_EQ(first.stdout_text.find(' '), 36u);  // a UUID, then the slug
  RunResult second = RunContent("--seed-demo " + db);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.stdout_text, first.stdout_text);
}

TEST(ContentBinaryTest, BadConfigurationExitsTwo) {
  EXPECT_EQ(RunContent("--db=postgres:x").exit_code, 2);
  EXPECT_EQ(RunContent("--stream-max-len=0").exit_code, 2);
  EXPECT_EQ(RunContent("--redis=http://x").exit_code, 2);
  EXPECT_EQ(RunContent("--no-such-flag").exit_code, 2);
  EXPECT_EQ(RunContent("--auth-tokens-file=/nonexistent/tokens").exit_code, 2);
  EXPECT_EQ(RunContent("--help").exit_code, 0);
}

TEST(ContentBinaryTest, ServesTheSeedAndRelaysItsEventThenStopsOnSigterm) {
  testing::TempDir dir;
  auto redis = testing::TestRedis::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const std::string db = absl::StrCat("sqlite:", dir.path(), "/content.db");
  ASSERT_EQ(RunContent("--seed-demo --db=" + db).exit_code, 0);

  const int port = testing::FreePort();
  testing::ChildProcess server;
  ASSERT_TRUE(server
                  .Start(testing::BinDir() + "/bulletin-content",
                         {absl::StrCat("--listen=127.0.0.1:", port), "--db=" + db,
                          "--redis=" + (*redis)->url(), "--site-base-url=https://example.org/"},
                         {}, dir.path() + "/server.log")
                  .ok());
  // Connect only once the port accepts: a channel that failed early backs off for seconds.
  ASSERT_TRUE(testing::WaitUntil([&] { return Accepts(port); }, absl::Seconds(15)))
      << "see " << dir.path() << "/server.log";
  auto stub = v1::ContentService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::Article read;
  bool served = testing::WaitUntil(
      [&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
        v1::GetArticleRequest get;
        get.set_slug(kDemoArticleSlug);
        get.set_locale("zh-CN");
        return stub->GetArticle(&context, get, &read).ok();
      },
      absl::Seconds(15));
  ASSERT_TRUE(served) << "see " << dir.path() << "/server.log";
  EXPECT_EQ(read.returned_locale(), "zh-CN");
  EXPECT_EQ(read.published_locales(1).canonical_url(),
            absl::StrCat("https://example.org/zh-CN/articles/", kDemoArticleSlug));

  // The seed ran in another process: the server's relay finds its event on its next poll.
  RedisClient client((*redis)->options());
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto len = client.Command({"XLEN", keys::kEventStream});
        return len.ok() && len->integer == 1;
      },
      absl::Seconds(15)));

  // An idle client connection would hold the server's drain until its deadline.
  stub.reset();
  int status = server.Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The scheduler survives a restart: an article scheduled 2 s ahead, with the service
// stopped and started again before then, is published on time by the new process and its
// PUBLISHED event reaches the stream.
TEST(ContentBinaryTest, ScheduledArticleIsPublishedOnTimeAfterARestart) {
  testing::TempDir dir;
  auto redis = testing::TestRedis::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  const std::string tokens = dir.path() + "/tokens";
  {
    FILE* f = fopen(tokens.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("editor editor-token-0123456789\n", f);
    fclose(f);
  }
  const std::string db = absl::StrCat("sqlite:", dir.path(), "/content.db");
  const int port = testing::FreePort();
  auto start = [&](testing::ChildProcess& server) {
    ASSERT_TRUE(server
                    .Start(testing::BinDir() + "/bulletin-content",
                           {absl::StrCat("--listen=127.0.0.1:", port), "--db=" + db,
                            "--redis=" + (*redis)->url(), "--auth-tokens-file=" + tokens},
                           {}, dir.path() + "/server.log")
                    .ok());
    ASSERT_TRUE(testing::WaitUntil([&] { return Accepts(port); }, absl::Seconds(15)))
        << "see " << dir.path() << "/server.log";
  };
  auto editor = [] {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer editor-token-0123456789");
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return context;
  };

  testing::ChildProcess first;
  start(first);
  auto stub = v1::ContentService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::CreateArticleRequest create;
  create.mutable_article()->set_default_locale("en");
  auto& en = (*create.mutable_article()->mutable_translations())["en"];
  en.set_title("Scheduled story");
  en.set_body("<p>Published by the scheduler <script>alert(1)</script></p>");
  v1::Article created;
  grpc::Status status = stub->CreateArticle(editor().get(), create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.translations().at("en").body(), "<p>Published by the scheduler </p>");
  const absl::Time due = absl::Now() + absl::Seconds(2);
  v1::PublishArticleRequest publish;
  publish.set_id(created.id());
  publish.mutable_publish_time()->set_seconds(absl::ToUnixSeconds(due));
  publish.mutable_publish_time()->set_nanos(
      static_cast<int32_t>(absl::ToUnixNanos(due) % 1000000000));
  v1::Article scheduled;
  status = stub->PublishArticle(editor().get(), publish, &scheduled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(scheduled.state(), v1::ARTICLE_STATE_SCHEDULED);
  stub.reset();
  int exit_status = first.Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
  ASSERT_LT(absl::Now(), due) << "the restart must happen before the due time";

  testing::ChildProcess second;
  start(second);
  stub = v1::ContentService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  absl::Time seen = absl::InfiniteFuture();
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
        v1::GetArticleRequest get;
        get.set_id(created.id());
        v1::Article read;
        if (!stub->GetArticle(&context, get, &read).ok()) return false;  // not public yet
        seen = absl::Now();
        return read.state() == v1::ARTICLE_STATE_PUBLISHED;
      },
      absl::Seconds(10)));
  EXPECT_GE(seen, due);
  EXPECT_LT(seen, due + absl::Seconds(1)) << "published late: " << (seen - due);

  RedisClient client((*redis)->options());
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto entries = client.Command({"XRANGE", keys::kEventStream, "-", "+"});
        if (!entries.ok()) return false;
        for (const auto& entry : entries->elements) {
          const auto& fields = entry.elements[1].elements;
          bool ours = false, published = false;
          for (size_t i = 0; i + 1 < fields.size(); i += 2) {
            ours |= fields[i].str == keys::kFieldArticleId && fields[i + 1].str == created.id();
            published |= fields[i].str == keys::kFieldType &&
                         fields[i + 1].str == "ARTICLE_EVENT_TYPE_PUBLISHED";
          }
          if (ours && published) return true;
        }
        return false;
      },
      absl::Seconds(10)));
  stub.reset();
  exit_status = second.Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
}

}  // namespace
}  // namespace bulletin::content
