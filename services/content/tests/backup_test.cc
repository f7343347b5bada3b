// scripts/backup and scripts/restore on one backend (BULLETIN_BACKUP_BACKEND: "sqlite",
// label sqlite; "postgres", label postgres): articles written through a running
// bulletin-content (created, published, one renamed) are backed up while that service
// keeps taking writes, restored into a fresh database, and a fresh bulletin-content on it
// answers the same articles over gRPC (by id, by current and former slug, in search); every
// article in the restored database is whole. A second restore into the now non-empty
// database is refused without --force and changes nothing; with --force it goes through.
// Content runs without Redis here: it serves while Redis is down, the outbox holds events.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "common/testing/postgres_server.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin::content {
namespace {

using ::grpc::health::v1::HealthCheckResponse;

constexpr char kEditorToken[] = "editor-token-0123456789";
const bool kPostgres = std::string(BULLETIN_BACKUP_BACKEND) == "postgres";

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

bool Serving(const std::string& address) {
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  HealthCheckResponse resp;
  return health->Check(&ctx, {}, &resp).ok() && resp.status() == HealthCheckResponse::SERVING;
}

// Runs a script of this checkout to completion: its exit code and output (stderr too).
std::pair<int, std::string> RunScript(const std::string& name, const std::string& args) {
  FILE* pipe =
      popen(absl::StrCat(BULLETIN_SOURCE_DIR, "/scripts/", name, " ", args, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A bulletin-content process on `db`, stopped (SIGTERM) when destroyed.
class Content {
 public:
  Content(const std::string& db, const testing::TempDir& dir, const std::string& name) {
    std::ofstream(dir.path() + "/tokens") << "editor " << kEditorToken << "\n";
    address_ = absl::StrCat("127.0.0.1:", testing::FreePort());
    log_ = dir.path() + "/" + name + ".log";
    // No Redis on this port: content serves without it.
    started_ = process_.Start(testing::BinDir() + "/bulletin-content",
                              {"--listen=" + address_, "--db=" + db, "--db-pool-size=4",
                               absl::StrCat("--redis=redis://127.0.0.1:", testing::FreePort()),
                               "--auth-tokens-file=" + dir.path() + "/tokens", "--cache-entries=0"},
                              {}, log_);
    if (started_.ok() &&
        !testing::WaitUntil([this] { return Serving(address_); }, absl::Seconds(20))) {
      started_ = absl::DeadlineExceededError("not SERVING within 20 s; see " + log_);
    }
    stub_ = v1::ContentService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }
  ~Content() {
    stub_.reset();
    process_.Stop(SIGTERM, absl::Seconds(15));
  }

  const absl::Status& started() const { return started_; }
  v1::ContentService::Stub& stub() { return *stub_; }

 private:
  testing::ChildProcess process_;
  std::string address_;
  std::string log_;
  absl::Status started_;
  std::unique_ptr<v1::ContentService::Stub> stub_;
};

absl::StatusOr<v1::Article> CreateArticle(v1::ContentService::Stub& stub, const std::string& title,
                                          bool publish) {
  v1::CreateArticleRequest create;
  create.mutable_article()->set_default_locale("en");
  auto& en = (*create.mutable_article()->mutable_translations())["en"];
  en.set_title(title);
  en.set_summary("Backed up and restored");
  en.set_body("<p>The volunteers of " + title + " kept their records.</p>");
  v1::Article article;
  grpc::Status s = stub.CreateArticle(Ctx(kEditorToken).get(), create, &article);
  if (!s.ok()) return absl::UnknownError(s.error_message());
  if (!publish) return article;
  v1::PublishArticleRequest request;
  request.set_id(article.id());
  s = stub.PublishArticle(Ctx(kEditorToken).get(), request, &article);
  if (!s.ok()) return absl::UnknownError(s.error_message());
  return article;
}

absl::StatusOr<v1::Article> GetArticle(v1::ContentService::Stub& stub, const std::string& id,
                                       const std::string& slug) {
  v1::GetArticleRequest get;
  id.empty() ? get.set_slug(slug) : get.set_id(id);
  v1::Article article;
  grpc::Status s = stub.GetArticle(Ctx(kEditorToken).get(), get, &article);
  if (!s.ok())
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  return article;
}

class BackupTest : public ::testing::Test {
 protected:
  // A fresh database named `name`: a file in the test's directory, or a PostgreSQL database.
  std::string NewDatabase(const std::string& name) {
    if (!kPostgres) return absl::StrCat("sqlite:", dir_.path(), "/", name, "/content.db");
    if (pg_ == nullptr) {
      auto started = testing::PostgresServer::Start();
      EXPECT_OK(started);
      if (!started.ok()) return "";
      pg_ = *std::move(started);
    }
    auto uri = pg_->CreateDatabase(name);
    EXPECT_OK(uri);
    return uri.value_or("");
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::PostgresServer> pg_;
};

TEST_F(BackupTest, ABackupTakenWhileContentWritesRestoresIntoAFreshService) {
  const std::string source = NewDatabase("source");
  ASSERT_FALSE(source.empty());
  std::vector<v1::Article> written;
  std::string former_slug;
  const std::string backup = dir_.path() + "/content.backup";
  {
    Content content(source, dir_, "source");
    ASSERT_OK(content.started());
    for (int i = 0; i < 6; ++i) {
      ASSERT_OK_AND_ASSIGN(v1::Article a,
                           CreateArticle(content.stub(), absl::StrCat("Report ", i), i % 2 == 0));
      written.push_back(a);
    }
    // One renamed: its former slug must resolve after the restore too.
    former_slug = written[0].slug();
    v1::UpdateArticleRequest update;
    update.mutable_article()->set_id(written[0].id());
    update.mutable_article()->set_slug("report-zero-renamed");
    update.mutable_update_mask()->add_paths("slug");
    grpc::Status s = content.stub().UpdateArticle(Ctx(kEditorToken).get(), update, &written[0]);
    ASSERT_TRUE(s.ok()) << s.error_message();

    // As the service reads them back (write answers carry times finer than stored).
    for (v1::Article& a : written) {
      ASSERT_OK_AND_ASSIGN(a, GetArticle(content.stub(), a.id(), ""));
    }
    // The backup runs while a client goes on creating articles.
    std::atomic<bool> stop{false};
    std::atomic<int> during{0};
    std::thread writer([&] {
      for (int i = 0; !stop.load(); ++i) {
        if (CreateArticle(content.stub(), absl::StrCat("During ", i), true).ok()) ++during;
      }
    });
    while (during.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto [code, out] = RunScript("backup", "--db=" + source + " --out=" + backup);
    stop = true;
    writer.join();
    ASSERT_EQ(code, 0) << out;
    EXPECT_TRUE(absl::StrContains(out, "backed up")) << out;
    EXPECT_GT(during.load(), 3);
    // An existing backup is kept unless --force.
    EXPECT_EQ(RunScript("backup", "--db=" + source + " --out=" + backup).first, 1);
  }

  const std::string restored = NewDatabase("restored");
  ASSERT_FALSE(restored.empty());
  const auto [code, out] = RunScript("restore", "--db=" + restored + " --from=" + backup);
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "restored")) << out;

  {
    Content content(restored, dir_, "restored");
    ASSERT_OK(content.started());
    for (const v1::Article& want : written) {
      SCOPED_TRACE(want.id());
      ASSERT_OK_AND_ASSIGN(const v1::Article by_id, GetArticle(content.stub(), want.id(), ""));
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(by_id, want))
          << by_id.DebugString() << "\nwant\n"
          << want.DebugString();
      ASSERT_OK_AND_ASSIGN(const v1::Article by_slug, GetArticle(content.stub(), "", want.slug()));
      EXPECT_EQ(by_slug.id(), want.id());
    }
    ASSERT_OK_AND_ASSIGN(const v1::Article by_former, GetArticle(content.stub(), "", former_slug));
    EXPECT_EQ(by_former.id(), written[0].id());
    EXPECT_EQ(by_former.slug(), "report-zero-renamed");
    v1::SearchArticlesRequest search;
    search.set_query("report");
    search.set_page_size(50);
    v1::SearchArticlesResponse found;
    grpc::Status s = content.stub().SearchArticles(Ctx().get(), search, &found);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(found.results_size(), 3);  // Report 0, 2 and 4 are published
    // Whatever the backup caught of the concurrent writes is whole: each article listed
    // reads back with its translation.
    v1::ListArticlesRequest list;
    list.set_page_size(100);
    v1::ListArticlesResponse listed;
    s = content.stub().ListArticles(Ctx().get(), list, &listed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_GE(listed.articles_size(), 3);
    for (const v1::Article& a : listed.articles()) {
      ASSERT_OK_AND_ASSIGN(const v1::Article full, GetArticle(content.stub(), a.id(), ""));
      EXPECT_EQ(full.translations().count("en"), 1u) << a.id();
      EXPECT_EQ(full.state(), v1::ARTICLE_STATE_PUBLISHED);
    }
    // A new write on the restored database works.
    EXPECT_OK(CreateArticle(content.stub(), "Zebras after the restore", true));
  }

  // The target now holds content: refused without --force, nothing changed; then forced.
  const auto [refused, refused_out] =
      RunScript("restore", "--db=" + restored + " --from=" + backup);
  EXPECT_EQ(refused, 1) << refused_out;
  EXPECT_TRUE(absl::StrContains(refused_out, "is not empty")) << refused_out;
  {
    Content content(restored, dir_, "refused");
    ASSERT_OK(content.started());
    v1::SearchArticlesRequest search;
    search.set_query("zebras");
    v1::SearchArticlesResponse found;
    ASSERT_TRUE(content.stub().SearchArticles(Ctx().get(), search, &found).ok());
    EXPECT_EQ(found.results_size(), 1);
  }
  const auto [forced, forced_out] =
      RunScript("restore", "--db=" + restored + " --from=" + backup + " --force");
  ASSERT_EQ(forced, 0) << forced_out;
  {
    Content content(restored, dir_, "forced");
    ASSERT_OK(content.started());
    v1::SearchArticlesRequest search;
    search.set_query("zebras");
    v1::SearchArticlesResponse found;
    ASSERT_TRUE(content.stub().SearchArticles(Ctx().get(), search, &found).ok());
    EXPECT_EQ(found.results_size(), 0);
    ASSERT_OK_AND_ASSIGN(const v1::Article back, GetArticle(content.stub(), written[1].id(), ""));
    EXPECT_EQ(back.etag(), written[1].etag());
  }
}

TEST_F(BackupTest, BadArgumentsAndMissingSourcesAreRefused) {
  EXPECT_EQ(RunScript("backup", "--out=" + dir_.path() + "/x").first, 2);
  EXPECT_EQ(RunScript("restore", "--db=sqlite:" + dir_.path() + "/y.db").first, 2);
  EXPECT_EQ(
      RunScript("backup", "--db=sqlite:" + dir_.path() + "/none.db --out=" + dir_.path() + "/x")
          .first,
      1);
  EXPECT_EQ(RunScript("restore",
                      "--db=sqlite:" + dir_.path() + "/y.db --from=" + dir_.path() + "/none.backup")
                .first,
            1);
  // Not a backup: refused, and the target is not created.
  std::ofstream(dir_.path() + "/junk") << "not a database";
  EXPECT_EQ(
      RunScript("restore", "--db=sqlite:" + dir_.path() + "/y.db --from=" + dir_.path() + "/junk")
          .first,
      1);
  EXPECT_FALSE(std::ifstream(dir_.path() + "/y.db").good());
}

}  // namespace
}  // namespace bulletin::content
