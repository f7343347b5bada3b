// A real HTTP/1.1 webhook receiver for tests: plain sockets on a free loopback port,
// one thread per connection, every request recorded, each answered as the test's
// handler says (status, headers, or never). Connections close after one response.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

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
  void SetHandler(Handler handler) ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<ReceivedRequest> requests() ABSL_LOCKS_EXCLUDED(mu_);
  size_t count() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Accept();
  void Serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  Handler handler_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin::notify::testing
