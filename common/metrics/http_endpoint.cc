#include "common/metrics/http_endpoint.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <civetweb.h>
#include <netdb.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/base/status_macros.h"

namespace bulletin::metrics {
namespace {

constexpr char kFlag[] = "metrics-listen";

struct HostPort {
  std::string host;  // empty: every address
  std::string port;
};

struct ListenAddress {
  std::string host;  // numeric
  bool v6 = false;
  std::string option;  // civetweb's listening_ports: "127.0.0.1:9100", "[::1]:9100"
};

absl::StatusOr<HostPort> SplitHostPort(const std::string& listen, const std::string& flag) {
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": expected HOST:PORT, got \"", listen, "\""));
  }
  HostPort hp{listen.substr(0, colon), listen.substr(colon + 1)};
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  return hp;
}

// Debian 12's civetweb is built without IPv6 (mg_check_feature(8) == 0).
bool CivetwebHasIpv6() { return mg_check_feature(8) != 0; }

// civetweb's `listening_ports` takes numeric addresses only ("127.0.0.1:9100",
// "[::1]:9100"), so the host is resolved here, the way a listening socket would be.
absl::StatusOr<ListenAddress> Resolve(const std::string& listen) {
  ASSIGN_OR_RETURN(HostPort hp, SplitHostPort(listen, kFlag));
  const bool ipv6 = CivetwebHasIpv6();
  if (!ipv6 && hp.host.find(':') != std::string::npos) {
    return absl::UnavailableError(absl::StrCat(
        "--", kFlag, ": cannot listen on ", listen,
        ": the civetweb library serving metrics was built without IPv6; use an IPv4 address"));
  }
  addrinfo hints{};
  hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc =
          getaddrinfo(hp.host.empty() ? nullptr : hp.host.c_str(), hp.port.c_str(), &hints, &found);
      rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("--", kFlag, ": cannot resolve \"", listen, "\": ", gai_strerror(rc)));
  }
  char host[NI_MAXHOST];
  int rc = getnameinfo(found->ai_addr, found->ai_addrlen, host, sizeof(host), nullptr, 0,
                       NI_NUMERICHOST);
  ListenAddress address;
  address.v6 = found->ai_family == AF_INET6;
  freeaddrinfo(found);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("--", kFlag, ": cannot resolve \"", listen, "\": ", gai_strerror(rc)));
  }
  address.host = host;
  address.option =
      address.v6 ? absl::StrCat("[", host, "]:", hp.port) : absl::StrCat(host, ":", hp.port);
  return address;
}

// Opens and closes one connection to the endpoint (see ~HttpEndpoint).
void Poke(const std::string& host, bool v6, int port) {
  std::string target = host;
  if (target == "0.0.0.0") target = "127.0.0.1";
  if (target == "::") target = "::1";
  sockaddr_storage address{};
  socklen_t size = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, target.c_str(), &in6->sin6_addr) != 1) return;
    size = sizeof(*in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, target.c_str(), &in->sin_addr) != 1) return;
    size = sizeof(*in);
  }
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  connect(fd, reinterpret_cast<const sockaddr*>(&address), size);  // refused once closed: fine
  close(fd);
}

// What civetweb reports while the calling thread starts an endpoint (why a bind failed).
thread_local std::string* start_errors = nullptr;

int LogMessage(const mg_connection* /*connection*/, const char* message) {
  if (start_errors == nullptr) return 0;  // civetweb's default: its error log, if configured
  absl::StrAppend(start_errors, start_errors->empty() ? "" : "; ", message);
  return 1;
}

int Reply(mg_connection* connection, int code, const char* reason, const std::string& body,
          bool head, const char* extra_headers = "") {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
            code, reason, body.size(), extra_headers);
  if (!head) mg_write(connection, body.data(), body.size());
  return code;
}

// Runs before the Exposer's handler: everything but `GET /metrics` is answered here
// (returning the status code); 0 hands the request on to prometheus-cpp.
int BeginRequest(mg_connection* connection) {
  const mg_request_info* request = mg_get_request_info(connection);
  const std::string method = request->request_method != nullptr ? request->request_method : "";
  const std::string path = request->local_uri != nullptr ? request->local_uri : "";
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return Reply(connection, 405, "Method Not Allowed", "method not allowed\n", false,
                 "Allow: GET, HEAD\r\n");
  }
  if (path == "/metrics") {
    if (!head) return 0;
    // The length of a scrape is not known without rendering it; HEAD says only that it exists.
    mg_printf(connection,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Connection: close\r\n\r\n");
    return 200;
  }
  if (path == "/healthz") return Reply(connection, 200, "OK", "ok\n", head);
  return Reply(connection, 404, "Not Found", "not found: try /metrics or /healthz\n", head);
}

// What the Exposer collects on each scrape: the registry, in its stable order.
class RegistryCollectable : public prometheus::Collectable {
 public:
  explicit RegistryCollectable(const Registry& registry) : registry_(registry) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return registry_.Collect(); }

 private:
  const Registry& registry_;
};

}  // namespace

absl::Status CheckListenAddress(const std::string& listen, const std::string& flag) {
  return SplitHostPort(listen, flag).status();
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& listen,
                                                                  Registry* registry) {
  ASSIGN_OR_RETURN(ListenAddress address, Resolve(listen));
  CivetCallbacks callbacks;  // copied by civetweb
  callbacks.begin_request = &BeginRequest;
  callbacks.log_message = &LogMessage;
  std::unique_ptr<HttpEndpoint> self(new HttpEndpoint());
  std::string errors;
  start_errors = &errors;
  try {
    self->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", address.option, "num_threads", "2",
                                 "request_timeout_ms", "10000"},
        &callbacks);
  } catch (const std::exception& e) {  // CivetException: civetweb could not start
    start_errors = nullptr;
    return absl::UnavailableError(absl::StrCat("--", kFlag, ": cannot listen on ", listen, ": ",
                                               errors.empty() ? e.what() : errors));
  }
  start_errors = nullptr;
  self->collectable_ = std::make_shared<RegistryCollectable>(*registry);
  self->exposer_->RegisterCollectable(self->collectable_);
  std::vector<int> ports = self->exposer_->GetListeningPorts();
  self->port_ = ports.empty() ? 0 : ports.front();
  self->host_ = address.host;
  self->v6_ = address.v6;
  return self;
}

HttpEndpoint::~HttpEndpoint() {
  // civetweb's listener polls in rounds of 2 s and sees a stop only between them, so a bare
  // stop takes up to 2 s. A connection ends the round: poke the endpoint until it stopped.
  absl::Notification stopped;
  std::thread waker([this, &stopped] {
    do {
      Poke(host_, v6_, port_);
    } while (!stopped.WaitForNotificationWithTimeout(absl::Milliseconds(5)));
  });
  exposer_.reset();
  stopped.Notify();
  waker.join();
}

}  // namespace bulletin::metrics
