#include "services/notifications/tests/http_receiver.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bulletin::notify::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Waits until `fd` is readable or `stopping`; false when stopping or on error.
bool WaitReadable(int fd, const std::atomic<bool>& stopping) {
  while (!stopping) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r > 0) return true;
    if (r < 0) return false;
  }
  return false;
}

}  // namespace

HttpReceiver::HttpReceiver(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(listen_fd_, 512);
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

HttpReceiver::~HttpReceiver() {
  stopping_ = true;
  acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(connections_);
  }
  for (std::thread& t : threads) t.join();
}

std::string HttpReceiver::url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

void HttpReceiver::SetHandler(Handler handler) {
  absl::MutexLock lock(&mu_);
  handler_ = std::move(handler);
}

std::vector<ReceivedRequest> HttpReceiver::requests() {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t HttpReceiver::count() {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

void HttpReceiver::Accept() {
  while (WaitReadable(listen_fd_, stopping_)) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    absl::MutexLock lock(&mu_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpReceiver::Serve(int fd) {
  std::string data;
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  char buf[8192];
  while (!stopping_) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    if (!WaitReadable(fd, stopping_)) break;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos &&
        (header_end = data.find("\r\n\r\n")) != std::string::npos) {
      for (absl::string_view line : absl::StrSplit(data.substr(0, header_end), "\r\n")) {
        if (absl::StartsWithIgnoreCase(line, "content-length:")) {
          (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &content_length);
        }
      }
    }
  }
  if (header_end == std::string::npos || data.size() < header_end + 4 + content_length) {
    close(fd);
    return;
  }
  ReceivedRequest req;
  std::vector<std::string> lines = absl::StrSplit(data.substr(0, header_end), "\r\n");
  std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
  if (first.size() >= 2) {
    req.method = first[0];
    req.path = first[1];
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    req.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  req.body = data.substr(header_end + 4, content_length);
  Handler handler;
  int number;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(req);
    number = static_cast<int>(requests_.size());
    handler = handler_;
  }
  Reply reply = handler ? handler(req, number) : Reply{};
  if (reply.hang) {
    while (WaitReadable(fd, stopping_) && read(fd, buf, sizeof(buf)) > 0) {
    }
    close(fd);
    return;
  }
  std::string out = absl::StrCat("HTTP/1.1 ", reply.status, " ", Reason(reply.status),
                                 "\r\nContent-Length: 0\r\nConnection: close\r\n");
  for (const auto& [k, v] : reply.headers) absl::StrAppend(&out, k, ": ", v, "\r\n");
  out += "\r\n";
  (void)!write(fd, out.data(), out.size());
  close(fd);
}

}  // namespace bulletin::notify::testing
