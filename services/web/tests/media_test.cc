// /media/... from --media-dir: the files a page's cover and body images point at. Unit
// tests of MediaFiles (allowed names and types, no way out of the root by "..", hidden
// names or symlinks, size bound) and of the route through Site (Content-Type, ETag and
// Last-Modified, 304, the SVG sandbox, 404 without --media-dir). Real files in a temp dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <future>

#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "services/web/core/media_files.h"
#include "services/web/site/site.h"
#include "services/web/tests/fake_backend.h"

namespace bulletin::web {
namespace {

using ::bulletin::testing::StatusIs;
using ::bulletin::testing::TempDir;

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class MediaFilesTest : public ::testing::Test {
 protected:
  MediaFilesTest() {
    root_ = dir_.path() + "/media";
    mkdir(root_.c_str(), 0755);
    mkdir((root_ + "/2018").c_str(), 0755);
    mkdir((root_ + "/2018/02").c_str(), 0755);
    Write(root_ + "/2018/02/cover.jpg", "\xff\xd8\xff jpeg bytes");
    Write(root_ + "/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    Write(root_ + "/notes.txt", "not an image");
    Write(root_ + "/.hidden.png", "hidden");
    Write(dir_.path() + "/secret.png", "outside the root");
    EXPECT_EQ(symlink((dir_.path() + "/secret.png").c_str(), (root_ + "/link.png").c_str()), 0);
    EXPECT_EQ(symlink(dir_.path().c_str(), (root_ + "/up").c_str()), 0);
    auto media = MediaFiles::Open(root_);
    EXPECT_TRUE(media.ok()) << media.status();
    media_ = *std::move(media);
  }

  TempDir dir_;
  std::string root_;
  std::unique_ptr<MediaFiles> media_;
};

TEST_F(MediaFilesTest, ServesImagesBelowTheRootWithTheirType) {
  ASSERT_OK_AND_ASSIGN(MediaFile jpg, media_->Read({"2018", "02", "cover.jpg"}));
  EXPECT_EQ(jpg.content_type, "image/jpeg");
  EXPECT_EQ(jpg.body, "\xff\xd8\xff jpeg bytes");
  EXPECT_EQ(jpg.etag.front(), '"');
  ASSERT_OK_AND_ASSIGN(MediaFile svg, media_->Read({"logo.svg"}));
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  // The validator changes with the file.
  Write(root_ + "/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>");
  ASSERT_OK_AND_ASSIGN(MediaFile changed, media_->Read({"logo.svg"}));
  EXPECT_NE(changed.etag, svg.etag);
}

TEST_F(MediaFilesTest, NothingOutsideTheRootNorOtherThanImages) {
  for (std::vector<std::string> path :
       std::vector<std::vector<std::string>>{{"..", "secret.png"},
                                             {"2018", "..", "..", "secret.png"},
                                             {"link.png"},
                                             {"up", "secret.png"},
                                             {".hidden.png"},
                                             {"notes.txt"},
                                             {"2018", "02"},
                                             {"2018", "02", "missing.jpg"},
                                             {"2018/02/cover.jpg"},
                                             {},
                                             {"a", "b", "c", "d", "e", "f", "g", "h", "i.png"}}) {
    EXPECT_THAT(media_->Read(path), StatusIs(absl::StatusCode::kNotFound)) << path.size();
  }
}

TEST_F(MediaFilesTest, RefusesFilesPastTheBound) {
  std::string big = root_ + "/big.png";
  Write(big, "x");
  ASSERT_EQ(truncate(big.c_str(), MediaFiles::kMaxFileBytes + 1), 0);
  EXPECT_THAT(media_->Read({"big.png"}), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(MediaFilesOpenTest, AMissingDirectoryNamesTheFlag) {
  EXPECT_THAT(MediaFiles::Open("/nonexistent/bulletin-media"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--media-dir"));
}

class MediaRouteTest : public MediaFilesTest {
 protected:
  MediaRouteTest()
      : cache_(1 << 20),
        tokens_("media-test-key-0123456789", absl::Hours(1)),
        pool_(std::make_unique<WorkerPool>(1, 16)) {}
  ~MediaRouteTest() override { pool_.reset(); }

  HttpResponse Get(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    Site site(options_, backend_, cache_, tokens_, *pool_);
    HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.headers = std::move(headers);
    r.peer_ip = "192.0.2.7";
    std::promise<HttpResponse> done;
    std::future<HttpResponse> f = done.get_future();
    site.Handle(std::move(r),
                [&done](HttpResponse response) { done.set_value(std::move(response)); });
    return f.get();
  }

  testing::FakeBackend backend_;
  ResponseCache cache_;
  ViewTokens tokens_;
  std::unique_ptr<WorkerPool> pool_;
  SiteOptions options_;
};

TEST_F(MediaRouteTest, ServesTheFileWithValidatorsAnd304) {
  options_.media = std::move(media_);
  HttpResponse r = Get("/media/2018/02/cover.jpg");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "\xff\xd8\xff jpeg bytes");
  EXPECT_EQ(r.Get("content-type").value_or(""), "image/jpeg");
  EXPECT_EQ(r.Get("cache-control").value_or(""), "public, max-age=86400");
  std::string etag(r.Get("etag").value_or(""));
  ASSERT_FALSE(etag.empty());
  EXPECT_FALSE(r.Get("last-modified").value_or("").empty());
  HttpResponse again = Get("/media/2018/02/cover.jpg", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  HttpResponse svg = Get("/media/logo.svg");
  ASSERT_EQ(svg.status, 200);
  EXPECT_NE(svg.Get("content-security-policy").value_or("").find("sandbox"), std::string::npos);

  EXPECT_EQ(Get("/media/../secret.png").status, 404);
  EXPECT_EQ(Get("/media/%2e%2e/secret.png").status, 404);
  EXPECT_EQ(Get("/media/up/secret.png").status, 404);
  EXPECT_EQ(Get("/media/notes.txt").status, 404);
}

TEST_F(MediaRouteTest, WithoutAMediaDirEveryMediaPathIs404) {
  EXPECT_EQ(Get("/media/2018/02/cover.jpg").status, 404);
}

}  // namespace
}  // namespace bulletin::web
