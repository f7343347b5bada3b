#include "services/notifications/webhook/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>

#include "absl/base/call_once.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/notifications/core/subscriptions/validation.h"

namespace bulletin::notify {

struct HttpClient::Transfer {
  uint64_t tag = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  bool allow_private = false;
  bool plain_http = false;
  absl::Time start;
  char errbuf[CURL_ERROR_SIZE] = {};
  std::string refused;  // why the connection was refused by us
  std::optional<std::string> retry_after;

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (headers != nullptr) curl_slist_free_all(headers);
  }
};

namespace {

absl::once_flag curl_init;

size_t DiscardBody(char*, size_t size, size_t n, void*) { return size * n; }

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<HttpClient::Transfer*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    t->retry_after = std::string(absl::StripAsciiWhitespace(line.substr(12)));
  }
  return size * n;
}

// Checks the address curl is about to connect to: this is where a public name that
// resolves to a private address is caught, whatever the name looked like.
curl_socket_t OpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<HttpClient::Transfer*>(user);
  char text[INET6_ADDRSTRLEN] = {};
  if (address->family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address->addr)->sin_addr, text,
              sizeof(text));
  } else if (address->family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address->addr)->sin6_addr, text,
              sizeof(text));
  } else {
    t->refused = "refused: not an IP address";
    return CURL_SOCKET_BAD;
  }
  bool is_private = IsPrivateHost(text);
  if (is_private && !t->allow_private) {
    t->refused = absl::StrCat("refused: the host resolves to the loopback/private address ", text,
                              " (allowed only with --allow-private-webhooks)");
    return CURL_SOCKET_BAD;
  }
  if (!is_private && t->plain_http) {
    t->refused = absl::StrCat("refused: plain http to the public address ", text,
                              " (webhooks must use https)");
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  std::string v(absl::StripAsciiWhitespace(value));
  if (v.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(v, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  time_t at = curl_getdate(v.c_str(), nullptr);  // RFC 7231 HTTP-date (and older forms)
  if (at < 0) return std::nullopt;
  return std::max(absl::ZeroDuration(), absl::FromTimeT(at) - now);
}

HttpClient::HttpClient(HttpClientOptions options) : options_(options) {
  absl::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
}

HttpClient::~HttpClient() {
  for (auto& [tag, t] : transfers_) curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  transfers_.clear();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void HttpClient::Post(uint64_t tag, HttpRequest request) {
  auto t = std::make_unique<Transfer>();
  t->tag = tag;
  t->request = std::move(request);
  t->allow_private = options_.allow_private;
  t->plain_http = absl::StartsWithIgnoreCase(t->request.url, "http://");
  t->start = absl::Now();
  t->easy = curl_easy_init();
  for (const std::string& h : t->request.headers)
    t->headers = curl_slist_append(t->headers, h.c_str());
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // a proxy would hide the address we must check
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
  transfers_[tag] = std::move(t);
}

std::vector<std::pair<uint64_t, HttpResponse>> HttpClient::Poll(absl::Duration max_wait) {
  CURLM* multi = static_cast<CURLM*>(multi_);
  int running = 0;
  curl_multi_perform(multi, &running);
  std::vector<std::pair<uint64_t, HttpResponse>> done = Collect();
  if (!done.empty()) return done;
  curl_multi_poll(multi, nullptr, 0, static_cast<int>(absl::ToInt64Milliseconds(max_wait)),
                  nullptr);
  curl_multi_perform(multi, &running);
  return Collect();
}

std::vector<std::pair<uint64_t, HttpResponse>> HttpClient::Collect() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  std::vector<std::pair<uint64_t, HttpResponse>> done;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    HttpResponse r;
    r.latency = absl::Now() - t->start;
    CURLcode code = msg->data.result;
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      r.status = static_cast<int>(status);
      if (r.status < 200 || r.status > 299) {
        r.error =
            absl::StrCat("HTTP ", r.status,
                         r.status >= 300 && r.status < 400 ? " (redirects are not followed)" : "");
      }
      if (t->retry_after) r.retry_after = ParseRetryAfter(*t->retry_after, absl::Now());
    } else if (!t->refused.empty()) {
      r.error = t->refused;
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      r.error = absl::StrCat("timeout after ", absl::FormatDuration(r.latency < options_.timeout
                                                                        ? options_.connect_timeout
                                                                        : options_.timeout));
    } else if (code == CURLE_COULDNT_CONNECT) {
      r.error = absl::StrCat("connection refused: ", t->errbuf);
    } else {
      r.error = t->errbuf[0] != '\0' ? std::string(t->errbuf) : curl_easy_strerror(code);
    }
    uint64_t tag = t->tag;
    curl_multi_remove_handle(multi, t->easy);
    transfers_.erase(tag);
    done.emplace_back(tag, std::move(r));
  }
  return done;
}

void HttpClient::Wakeup() { curl_multi_wakeup(static_cast<CURLM*>(multi_)); }

}  // namespace bulletin::notify
