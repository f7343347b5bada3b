#include "common/metrics/http_endpoint.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulletin::metrics {
namespace {

constexpr char kFlag[] = "metrics-listen";
constexpr char kTextFormat[] = "text/plain; version=0.0.4; charset=utf-8";

struct HostPort {
  std::string host;  // empty: every address
  std::string port;
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

MHD_Result Reply(MHD_Connection* connection, unsigned int code, const std::string& body,
                 const char* content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  if (code == MHD_HTTP_METHOD_NOT_ALLOWED) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  }
  MHD_Result result = MHD_queue_response(connection, code, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result Answer(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* /*upload_data*/, size_t* upload_data_size,
                  void** /*request_state*/) {
  auto* registry = static_cast<Registry*>(cls);
  if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    *upload_data_size = 0;  // a body is not read: the answer does not depend on it
    return Reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
                 "text/plain; charset=utf-8");
  }
  if (std::strcmp(url, "/metrics") == 0) {
    return Reply(connection, MHD_HTTP_OK, registry->Render(), kTextFormat);
  }
  if (std::strcmp(url, "/healthz") == 0) {
    return Reply(connection, MHD_HTTP_OK, "ok\n", "text/plain; charset=utf-8");
  }
  return Reply(connection, MHD_HTTP_NOT_FOUND, "not found: try /metrics or /healthz\n",
               "text/plain; charset=utf-8");
}

}  // namespace

absl::Status CheckListenAddress(const std::string& listen, const std::string& flag) {
  return SplitHostPort(listen, flag).status();
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& listen,
                                                                  Registry* registry) {
  absl::StatusOr<HostPort> hp = SplitHostPort(listen, kFlag);
  if (!hp.ok()) return hp.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(hp->host.empty() ? nullptr : hp->host.c_str(), hp->port.c_str(), &hints,
                           &found);
      rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("--", kFlag, ": cannot resolve \"", listen, "\": ", gai_strerror(rc)));
  }
  unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  std::unique_ptr<HttpEndpoint> self(new HttpEndpoint());
  // The port argument is ignored with MHD_OPTION_SOCK_ADDR; the address carries it.
  self->daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &Answer, registry, MHD_OPTION_SOCK_ADDR, found->ai_addr,
      MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  freeaddrinfo(found);
  if (self->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("--", kFlag, ": cannot listen on ", listen));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(self->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  self->port_ = info != nullptr ? info->port : 0;
  return self;
}

HttpEndpoint::~HttpEndpoint() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace bulletin::metrics
