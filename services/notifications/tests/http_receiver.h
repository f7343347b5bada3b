// A real HTTP/1.1 webhook receiver for tests: plain sockets on a free loopback port,
// one thread per connection, every request recorded, each answered as the test's
// handler says (status, headers, or never). Connections close after one response.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulletin::notify::testing {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct Reply {
  int status = 200;
  std::map<std::string, std::string> headers;
  bool hang = false;  // never answer (the client times out)
};

class HttpReceiver {
 public:
  // `handler` gets each request and its 1-based number; default: 200.
  using Handler = std::function<Reply(const ReceivedRequest&, int)>;
  explicit HttpReceiver(Handler handler = nullptr);
  ~HttpReceiver();

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;
  void SetHandler(Handler handler);
  std::vector<ReceivedRequest> requests();
  size_t count();

 private:
  void Accept();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  Handler handler_;                        // guarded by mu_
  std::vector<ReceivedRequest> requests_;  // guarded by mu_
  std::vector<std::thread> connections_;   // guarded by mu_
};

}  // namespace bulletin::notify::testing
