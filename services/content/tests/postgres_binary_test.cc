// The real bulletin-content binary on PostgreSQL (label postgres): with a PostgresServer and
// a redis-server started here, it creates, publishes, reads and finds an article over gRPC,
// the rows land in PostgreSQL and the event on the stream; health turns NOT_SERVING while
// PostgreSQL is stopped and SERVING when it is back; --seed-demo works on PostgreSQL; and a
// database migrated by a newer release is refused at start.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/status_matchers.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/content/store/postgres/pg_schema.h"

namespace bulletin::content {
namespace {

using ::grpc::health::v1::HealthCheckResponse;

constexpr char kEditorToken[] = "editor-token-0123456789";

std::optional<HealthCheckResponse::ServingStatus> HealthOf(const std::string& address) {
  // A fresh channel per probe: a channel that met a closed port backs off for seconds.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  HealthCheckResponse resp;
  if (!health->Check(&ctx, {}, &resp).ok()) return std::nullopt;
  return resp.status();
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return ctx;
}

// One value from PostgreSQL (the first column of the first row), or "" on any error.
std::string QueryOne(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::string value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) value = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(conn);
  return value;
}

// Runs the binary to completion; its exit code and stdout.
std::pair<int, std::string> RunContent(const std::string& args) {
  FILE* pipe = popen(
      absl::StrCat(testing::BinDir(), "/bulletin-content ", args, " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(ContentOnPostgresTest, ServesFromPostgresAndFollowsItsHealth) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::PostgresServer> pg,
                       testing::PostgresServer::Start());
  ASSERT_OK_AND_ASSIGN(const std::string uri, pg->CreateDatabase("content"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::RedisServer> redis, testing::RedisServer::Start());
  testing::TempDir dir;
  std::ofstream(dir.path() + "/tokens") << "editor " << kEditorToken << "\n";
  const int port = testing::FreePort();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  testing::ChildProcess server;
  ASSERT_OK(server.Start(
      testing::BinDir() + "/bulletin-content",
      {"--listen=" + address, "--db=" + uri, "--db-pool-size=4", "--redis=" + redis->url(),
       "--auth-tokens-file=" + dir.path() + "/tokens", "--cache-entries=0"},
      {}, dir.path() + "/content.log"));
  auto status_is = [&](HealthCheckResponse::ServingStatus want) {
    return HealthOf(address) == want;
  };
  ASSERT_TRUE(testing::WaitUntil([&] { return status_is(HealthCheckResponse::SERVING); },
                                 absl::Seconds(15)))
      << "see " << dir.path() << "/content.log";

  auto stub =
      v1::ContentService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::CreateArticleRequest create;
  create.mutable_article()->set_default_locale("en");
  auto& en = (*create.mutable_article()->mutable_translations())["en"];
  en.set_title("Volunteers meet on PostgreSQL");
  en.set_body("<p>The volunteers discussed the service programme.</p>");
  v1::Article created;
  grpc::Status s = stub->CreateArticle(Ctx(kEditorToken).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::PublishArticleRequest publish;
  publish.set_id(created.id());
  v1::Article published;
  s = stub->PublishArticle(Ctx(kEditorToken).get(), publish, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(published.state(), v1::ARTICLE_STATE_PUBLISHED);

  v1::GetArticleRequest get;
  get.set_slug(created.slug());
  v1::Article read;
  s = stub->GetArticle(Ctx().get(), get, &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.id(), created.id());
  EXPECT_EQ(read.translations().at("en").title(), "Volunteers meet on PostgreSQL");
  v1::SearchArticlesRequest search;
  search.set_query("volunteering");
  v1::SearchArticlesResponse found;
  s = stub->SearchArticles(Ctx().get(), search, &found);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(found.results_size(), 1);
  EXPECT_EQ(found.results(0).article().id(), created.id());
  // The rows are PostgreSQL's, and the event left through the outbox.
  EXPECT_EQ(
      QueryOne(uri, absl::StrCat("SELECT state FROM articles WHERE id = '", created.id(), "'")),
      "3");
  RedisClient client(redis->options());
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        auto len = client.Command({"XLEN", keys::kEventStream});
        return len.ok() && len->integer == 1;
      },
      absl::Seconds(10)));
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return QueryOne(uri, "SELECT COUNT(*) FROM outbox WHERE sent_time IS NULL") == "0"; },
      absl::Seconds(10)));

  // PostgreSQL gone: NOT_SERVING, and a read answers UNAVAILABLE; back: SERVING and read.
  pg->Stop();
  EXPECT_TRUE(testing::WaitUntil([&] { return status_is(HealthCheckResponse::NOT_SERVING); },
                                 absl::Seconds(10)));
  v1::ListArticlesRequest list;
  v1::ListArticlesResponse listed;
  s = stub->ListArticles(Ctx().get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_FALSE(absl::StrContains(s.error_message(), "SELECT")) << s.error_message();
  ASSERT_OK(pg->Restart());
  EXPECT_TRUE(testing::WaitUntil([&] { return status_is(HealthCheckResponse::SERVING); },
                                 absl::Seconds(10)));
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        v1::ListArticlesResponse again;
        return stub->ListArticles(Ctx().get(), list, &again).ok() && again.articles_size() == 1;
      },
      absl::Seconds(10)));

  stub.reset();  // an open connection would hold up the drain
  const int exit_status = server.Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
}

TEST(ContentOnPostgresTest, SeedsTheDemoAndRefusesANewerSchema) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<testing::PostgresServer> pg,
                       testing::PostgresServer::Start());
  ASSERT_OK_AND_ASSIGN(const std::string uri, pg->CreateDatabase("content"));
  const auto first = RunContent("--seed-demo --db=" + uri);
  ASSERT_EQ(first.first, 0);
  EXPECT_EQ(RunContent("--seed-demo --db=" + uri), first);  // idempotent
  EXPECT_EQ(QueryOne(uri, "SELECT COUNT(*) FROM articles"), "1");

  // A database a newer release migrated: refused, naming both versions, nothing changed.
  QueryOne(uri, "UPDATE schema_version SET version = 99 RETURNING version");
  testing::TempDir dir;
  testing::ChildProcess refused;
  ASSERT_OK(refused.Start(testing::BinDir() + "/bulletin-content", {"--seed-demo", "--db=" + uri},
                          {}, dir.path() + "/content.log"));
  const int status = refused.Stop(0, absl::Seconds(15));  // signal 0: just wait for it
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  std::ifstream log(dir.path() + "/content.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StrContains(
      text, absl::StrCat("schema version 99, newer than version ", PgSchemaMigrations().size())))
      << text;
  EXPECT_EQ(QueryOne(uri, "SELECT version FROM schema_version"), "99");
}

}  // namespace
}  // namespace bulletin::content
