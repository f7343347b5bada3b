#include "services/web/core/media_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bulletin::web {
namespace {

bool AllowedName(const std::string& s) {
  if (s.empty() || s.size() > 128 || s[0] == '.') return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MediaFiles>> MediaFiles::Open(const std::string& root) {
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--media-dir: not a readable directory: ", root.substr(0, 200)));
  }
  return std::unique_ptr<MediaFiles>(new MediaFiles(fd));
}

MediaFiles::~MediaFiles() { close(root_fd_); }

std::string MediaFiles::ContentTypeOf(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext = absl::AsciiStrToLower(name.substr(dot + 1));
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "avif") return "image/avif";
  if (ext == "svg") return "image/svg+xml";
  return "";
}

absl::StatusOr<MediaFile> MediaFiles::Read(const std::vector<std::string>& segments) const {
  absl::Status not_found = absl::NotFoundError("path: no such media file");
  if (segments.empty() || segments.size() > kMaxSegments) return not_found;
  for (const std::string& s : segments) {
    if (!AllowedName(s)) return not_found;
  }
  MediaFile file;
  file.content_type = ContentTypeOf(segments.back());
  if (file.content_type.empty()) return not_found;

  // Walk down from the root, one O_NOFOLLOW open per component.
  std::unique_ptr<Fd> dir;
  int at = root_fd_;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    int next = openat(at, segments[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return not_found;
    dir = std::make_unique<Fd>(next);
    at = next;
  }
  Fd fd(openat(at, segments.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return not_found;
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return not_found;
  if (static_cast<size_t>(st.st_size) > kMaxFileBytes) {
    return absl::ResourceExhaustedError("path: media file too large to serve");
  }
  file.body.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < file.body.size()) {
    ssize_t n = read(fd.get(), file.body.data() + got, file.body.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  file.body.resize(got);  // a file truncated while read is served as it is now
  file.last_modified = absl::TimeFromTimespec(st.st_mtim);
  file.etag = absl::StrFormat("\"m%x-%x\"", static_cast<uint64_t>(got),
                              static_cast<uint64_t>(absl::ToUnixNanos(file.last_modified)));
  return file;
}

}  // namespace bulletin::web
