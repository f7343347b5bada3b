#include "services/analytics/core/spill_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/text_rules.h"
#include "services/analytics/core/view_validation.h"

namespace bulletin::analytics {
namespace {

constexpr char kHeader[] = "# bulletin-analytics spill v1";
// The range of protobuf's Timestamp (0001-01-01 .. 9999-12-31), which every view time
// came through.
const absl::Time kMinSpilledTime = absl::FromUnixSeconds(-62135596800);
const absl::Time kMaxSpilledTime = absl::FromUnixSeconds(253402300799);

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  if (fd >= 0) ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    return absl::UnavailableError(
        absl::StrCat("spill file \"", path, "\": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

namespace {

std::string SpillLine(const QueuedView& v) {
  return absl::StrCat(v.article_id, "\t", absl::CEscape(v.visitor_id), "\t", v.client_ip, "\t",
                      absl::CEscape(v.user_agent), "\t", v.request_id, "\t",
                      absl::ToUnixMicros(v.time), "\t", static_cast<int>(v.filtered), "\n");
}

}  // namespace

absl::Status WriteSpillFile(const std::string& path, const std::deque<QueuedView>& views) {
  std::string text = absl::StrCat(kHeader, "\n");
  for (const QueuedView& v : views) text += SpillLine(v);
  return WriteFileAtomically(path, text);
}

absl::Status AppendSpillFile(const std::string& path, const std::vector<QueuedView>& views) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  struct stat st;
  bool ok = fd >= 0 && fstat(fd, &st) == 0;
  const bool created = ok && st.st_size == 0;
  std::string text = created ? absl::StrCat(kHeader, "\n") : "";
  for (const QueuedView& v : views) text += SpillLine(v);
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fdatasync(fd) == 0;
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (ok && created) {
    // A new file's name must be on disk too.
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = dfd >= 0 && fsync(dfd) == 0;
    if (dfd >= 0) close(dfd);
  }
  if (!ok) {
    return absl::UnavailableError(
        absl::StrCat("spill file \"", path, "\": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::deque<QueuedView>> ReadSpillFile(const std::string& path) {
  std::deque<QueuedView> views;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0) return views;
    return absl::InvalidArgumentError(absl::StrCat("--spill-file: cannot read \"", path, "\""));
  }
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<absl::string_view> lines = absl::StrSplit(content, '\n');
  // The text after the last newline is empty, or a line cut short by a crash while it was
  // appended: its view was never answered, so it is dropped.
  lines.pop_back();
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = i + 1;
    auto bad = [&] {
      return absl::InvalidArgumentError(
          absl::StrCat("--spill-file: \"", path, "\" line ", n, " is malformed"));
    };
    if (n == 1) {
      if (lines[i] != kHeader) return bad();
      continue;
    }
    std::vector<std::string> f = absl::StrSplit(lines[i], '\t');
    QueuedView v;
    int64_t micros = 0;
    int filtered = 0;
    if (f.size() != 7 || !absl::CUnescape(f[1], &v.visitor_id) ||
        !absl::CUnescape(f[3], &v.user_agent) || !absl::SimpleAtoi(f[5], &micros) ||
        !absl::SimpleAtoi(f[6], &filtered) || filtered < 0 || filtered > 4) {
      return bad();
    }
    v.article_id = f[0];
    v.client_ip = f[2];
    v.request_id = f[4];
    v.time = absl::FromUnixMicros(micros);
    // What the core validated before spilling: a damaged or foreign file must not reach
    // the store with an id, address or time no request could have carried.
    if (!IsValidId(v.article_id) || (!v.request_id.empty() && !IsValidId(v.request_id)) ||
        (!v.client_ip.empty() && CanonicalIp(v.client_ip).empty()) ||
        (v.visitor_id.empty() && v.client_ip.empty()) || v.time < kMinSpilledTime ||
        v.time > kMaxSpilledTime) {
      return bad();
    }
    v.filtered = static_cast<NotCounted>(filtered);
    views.push_back(std::move(v));
  }
  return views;
}

}  // namespace bulletin::analytics
