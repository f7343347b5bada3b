// Browser tests of bulletin-web (label browser): the real system -- redis-server, content
// seeded with the demo article, analytics (tests/system.h) and bulletin-web on free
// loopback ports, each stopped by its PID -- with two related articles published, then
// tests/browser/seed_page.mjs drives Debian's headless Chromium through the seed page in
// both languages (playwright-core from `npm ci` in tests/browser, as scripts/test runs it).
// The script's checks and the screenshots' paths are in the test output; the screenshots
// go to $BULLETIN_ARTIFACTS_DIR, else <build>/artifacts/browser. One test thread.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace cv1 = ::bulletin::content::v1;

constexpr char kViewTokenKey[] = "browser-test-view-token-key-0001";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Env(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Runs `argv` (found on PATH) with stdout and stderr into `log_path` and waits for its exit
// up to `timeout` (then SIGTERM, and SIGKILL 5 s later). Returns the waitpid status.
int RunToExit(const std::vector<std::string>& argv, const std::string& log_path,
              absl::Duration timeout) {
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (std::string& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    FILE* log = std::fopen(log_path.c_str(), "w");
    if (log != nullptr) {
      dup2(fileno(log), 1);
      dup2(fileno(log), 2);
    }
    execvp(args[0], args.data());
    std::perror("execvp");
    _exit(127);
  }
  const absl::Time deadline = absl::Now() + timeout;
  absl::Time killed_at = absl::InfiniteFuture();
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline && killed_at == absl::InfiniteFuture()) {
      kill(pid, SIGTERM);  // playwright closes its browser on SIGTERM
      killed_at = absl::Now();
    } else if (absl::Now() > killed_at + absl::Seconds(5)) {
      kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(system_.Start());
    content_ = system_.Content();
    ASSERT_NO_FATAL_FAILURE(PublishRelatedArticles());
    ASSERT_NO_FATAL_FAILURE(StartWeb());
  }

  void TearDown() override {
    if (web_.pid() > 0) web_.Stop(SIGTERM);
  }

  // Two bilingual articles in the demo article's category sharing one of its tags, so the
  // seed page has Related News; waits until content lists them as related.
  void PublishRelatedArticles() {
    cv1::GetArticleRequest get;
    get.set_id(system_.demo_article_id());
    cv1::Article demo;
    grpc::Status s = content_->GetArticle(Context(kEditorToken).get(), get, &demo);
    ASSERT_TRUE(s.ok()) << s.error_message();
    // Titles with markup characters: the related links must show them as text.
    const std::pair<std::string, std::string> titles[] = {
        {"Volunteers plant trees in Beijing & Tianjin", "志愿者在京津植树"},
        {"Belt and Road volunteer <alliance> meets", "一带一路志愿服务联盟会议"}};
    for (const auto& [en, zh] : titles) {
      cv1::CreateArticleRequest create;
      cv1::Article* a = create.mutable_article();
      a->set_default_locale("en");
      a->set_category_id(demo.category_id());
      a->add_tags("volunteer service");
      (*a->mutable_translations())["en"].set_title(en);
      (*a->mutable_translations())["en"].set_body("<p>" + en + "</p>");
      (*a->mutable_translations())["zh-CN"].set_title(zh);
      (*a->mutable_translations())["zh-CN"].set_body("<p>" + zh + "</p>");
      cv1::Article created;
      s = content_->CreateArticle(Context(kEditorToken).get(), create, &created);
      ASSERT_TRUE(s.ok()) << s.error_message();
      cv1::PublishArticleRequest publish;
      publish.set_id(created.id());
      publish.set_etag(created.etag());
      cv1::Article published;
      s = content_->PublishArticle(Context(kEditorToken).get(), publish, &published);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    int related = 0;
    WaitUntil(
        [&] {
          cv1::ListRelatedArticlesRequest request;
          request.set_article_id(system_.demo_article_id());
          request.set_locale("en");
          cv1::ListRelatedArticlesResponse response;
          grpc::Status r =
              content_->ListRelatedArticles(Context(kEditorToken).get(), request, &response);
          related = r.ok() ? response.articles_size() : 0;
          return related >= 2;
        },
        absl::Seconds(10));
    ASSERT_GE(related, 2) << "content never listed the two articles as related";
  }

  void StartWeb() {
    {
      std::ofstream tokens(dir_.path() + "/tokens");
      tokens << "frontend " << kFrontendToken << "\n";
    }
    const int http_port = FreePort();
    const int grpc_port = FreePort();
    base_url_ = absl::StrCat("http://127.0.0.1:", http_port);
    web_log_ = dir_.path() + "/bulletin-web.log";
    ASSERT_OK(web_.Start(
        BinDir() + "/bulletin-web",
        {absl::StrCat("--listen=127.0.0.1:", http_port),
         absl::StrCat("--grpc-listen=127.0.0.1:", grpc_port), "--content=" + system_.content_addr(),
         "--analytics=" + system_.analytics_addr(), "--redis=" + system_.redis().url(),
         "--auth-tokens-file=" + dir_.path() + "/tokens", "--public-url=" + base_url_,
         std::string("--view-token-key=") + kViewTokenKey,
         std::string("--media-dir=") + BULLETIN_SOURCE_DIR + "/services/content/demo/media",
         // Long enough that every view of the run after the first is a cached page.
         "--cache-ttl=10m", "--log-level=debug", "--drain-timeout=5s"},
        {}, web_log_));
    const std::string grpc_addr = absl::StrCat("127.0.0.1:", grpc_port);
    ASSERT_TRUE(WaitUntil([&] { return IsServing(grpc_addr) && HttpGet(base_url_ + "/en/").ok(); },
                          absl::Seconds(15)))
        << "bulletin-web never served " << base_url_ << "/en/\n"
        << ReadAll(web_log_);
  }

  std::string Logs() {
    return absl::StrCat(system_.Logs(), "\n--- bulletin-web\n", ReadAll(web_log_));
  }

  System system_;
  TempDir dir_;
  std::unique_ptr<cv1::ContentService::Stub> content_;
  ChildProcess web_;
  std::string base_url_;
  std::string web_log_;
};

TEST_F(BrowserTest, SeedPageInBothLanguagesCountsEachNewVisitorOnce) {
  const std::string script_dir = std::string(BULLETIN_SOURCE_DIR) + "/tests/browser";
  ASSERT_TRUE(std::filesystem::exists(script_dir + "/node_modules/playwright-core/package.json"))
      << "playwright-core is not installed: run `npm ci` in " << script_dir
      << " (scripts/test does)";
  const std::string chromium = Env("BULLETIN_CHROMIUM", "/usr/bin/chromium");
  ASSERT_TRUE(std::filesystem::exists(chromium))
      << chromium << " is missing: install Debian's chromium (scripts/test does)";
  const std::string artifacts =
      Env("BULLETIN_ARTIFACTS_DIR", std::string(BULLETIN_BINARY_DIR) + "/artifacts/browser");

  const std::string log = dir_.path() + "/seed_page.log";
  int status =
      RunToExit({Env("BULLETIN_NODE", "node"), script_dir + "/seed_page.mjs",
                 "--base-url=" + base_url_, "--slug=" + system_.demo_slug(),
                 "--artifacts=" + artifacts, "--expect-related=2", "--chromium=" + chromium},
                log, absl::Seconds(150));
  const std::string output = ReadAll(log);
  std::printf("%s", output.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "seed_page.mjs failed (waitpid status " << status << "):\n"
      << output << "\n"
      << Logs();
  EXPECT_NE(output.find("seed page tests passed"), std::string::npos) << output;
  EXPECT_TRUE(std::filesystem::exists(artifacts + "/seed-en.png"));
  EXPECT_TRUE(std::filesystem::exists(artifacts + "/seed-zh-CN.png"));
}

}  // namespace
}  // namespace bulletin::testing
