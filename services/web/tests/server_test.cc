// Unit tests of the HTTP server over loopback sockets: keep-alive (two requests, one
// connection), HEAD, answers from another thread, and the request limits -- a long URL is
// 414, large headers 431, a large body 413, garbage 400 -- each handed to the handler
// (refused set) instead of dropping the connection.
#include "services/web/http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace bulletin::web {
namespace {

// Sends `data` on a fresh connection and reads until the server closes it.
std::string Exchange(int port, const std::string& data) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "connect failed";
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(HttpLimits{}, [](HttpRequest r, Respond respond) {
      HttpResponse response;
      response.status = r.refused != 0 ? r.refused : 200;
      response.body = absl::StrCat(r.method, " ", r.target.substr(0, 40), " refused=", r.refused,
                                   " body=", r.body.size());
      response.Set("Content-Type", "text/plain");
      if (absl::StrContains(r.target, "thread")) {
        std::thread([respond, response] { respond(response); }).detach();
      } else {
        respond(std::move(response));
      }
    });
    ASSERT_TRUE(server_->Start("127.0.0.1:0", 2).ok());
  }
  void TearDown() override { server_->Stop(); }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string out = Exchange(server_->port(),
                             "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /thread HTTP/1.1\r\nHost: x\r\n\r\n"
                             "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(absl::StrContains(out, "GET /a refused=0"));
  EXPECT_TRUE(absl::StrContains(out, "GET /thread refused=0"));
  EXPECT_TRUE(absl::StrContains(out, "GET /c refused=0"));
  EXPECT_LT(out.find("GET /a"), out.find("GET /thread"));
  EXPECT_LT(out.find("GET /thread"), out.find("GET /c"));
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  std::string out =
      Exchange(server_->port(), "HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(out, "HTTP/1.1 200 OK"));
  EXPECT_TRUE(absl::StrContains(out, "Content-Length: 24\r\n"));  // "HEAD /h refused=0 body=0"
  EXPECT_TRUE(absl::EndsWith(out, "\r\n\r\n"));
}

TEST_F(ServerTest, LongUrlIs414) {
  std::string url = "/" + std::string(9000, 'a');
  EXPECT_TRUE(absl::StartsWith(
      Exchange(server_->port(), "GET " + url + " HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 414"));
  std::string huge = "/" + std::string(70000, 'a');
  EXPECT_TRUE(absl::StartsWith(
      Exchange(server_->port(), "GET " + huge + " HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 414"));
}

TEST_F(ServerTest, LargeHeadersAre431) {
  std::string h = "X-Big: " + std::string(20000, 'h') + "\r\n";
  std::string out = Exchange(server_->port(), "GET /api/x HTTP/1.1\r\nHost: x\r\n" + h + "\r\n");
  EXPECT_TRUE(absl::StartsWith(out, "HTTP/1.1 431"));
  EXPECT_TRUE(absl::StrContains(out, "GET /api/x refused=431"));  // the handler knows the path
  std::string huge = "X-Big: " + std::string(70000, 'h') + "\r\n";
  EXPECT_TRUE(absl::StartsWith(
      Exchange(server_->port(), "GET /x HTTP/1.1\r\nHost: x\r\n" + huge + "\r\n"), "HTTP/1.1 431"));
}

TEST_F(ServerTest, LargeBodyIs413) {
  std::string body(20000, 'b');
  std::string out = Exchange(
      server_->port(), absl::StrCat("POST /api/v1/views HTTP/1.1\r\nHost: x\r\nContent-Length: ",
                                    body.size(), "\r\n\r\n", body));
  EXPECT_TRUE(absl::StartsWith(out, "HTTP/1.1 413")) << out.substr(0, 100);
  std::string ok = Exchange(
      server_->port(),
      "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_TRUE(absl::StrContains(ok, "POST /p refused=0 body=5"));
}

TEST_F(ServerTest, GarbageIs400) {
  EXPECT_TRUE(absl::StartsWith(Exchange(server_->port(), "GARBAGE\r\n\r\n"), "HTTP/1.1 400"));
  EXPECT_TRUE(
      absl::StartsWith(Exchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
                       "HTTP/1.1 400"));
}

}  // namespace
}  // namespace bulletin::web
