// HttpServer: bulletin-web's HTTP/1.1 front on Boost.Beast (docs/web.md says why this
// library): an acceptor and keep-alive sessions on a few I/O threads, each session on its
// own strand. It enforces the request limits (URL, headers, body) itself and hands refused
// requests to the handler with HttpRequest::refused set, so the answer is a page in the
// reader's language and never a dropped connection. The handler answers through a callback
// that may run on any thread (a worker finishing a gRPC call); the server posts the write
// back to the session's strand. Start/Stop from one thread; handlers run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/web/http/message.h"

namespace bulletin::web {

struct HttpLimits {
  size_t max_target = 8192;                         // request-target bytes; beyond: 414
  size_t max_headers = 16384;                       // request line and header bytes; beyond: 431
  size_t max_body = 16384;                          // body bytes; beyond: 413
  absl::Duration idle_timeout = absl::Seconds(30);  // keep-alive and slow clients
};

using Respond = std::function<void(HttpResponse)>;
// Called once per request; must call `respond` exactly once, from any thread.
using HttpHandler = std::function<void(HttpRequest request, Respond respond)>;

class HttpServer {
 public:
  HttpServer(HttpLimits limits, HttpHandler handler);
  ~HttpServer();  // Stop()

  // Listens on "HOST:PORT" (port 0: any free port) and starts `threads` I/O threads.
  // InvalidArgument for a malformed address, Unavailable when it cannot listen.
  absl::Status Start(const std::string& listen, int threads);
  // The port listened on (after Start).
  int port() const { return port_; }
  // Stops accepting, gives in-flight requests up to `grace` to finish, then stops the
  // I/O threads. Idempotent.
  void Stop(absl::Duration grace = absl::Seconds(2));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace bulletin::web
