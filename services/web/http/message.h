// HttpRequest and HttpResponse: the plain values bulletin-web's handlers see, with no
// HTTP library type in them, so pages, the API and their tests do not depend on the server
// (http/server.h converts from and to Boost.Beast). Header names are lower-case. Values only;
// not shared between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace bulletin::web {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", "OPTIONS", ...
  std::string target;  // as sent: path and query, still percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string peer_ip;
  // Set by the server when it refused the request before the handler could read it:
  // 400 (malformed), 413 (body), 414 (URL), 431 (headers). The handler answers with that
  // status (a page in the reader's language); target/headers may be partial or empty.
  int refused = 0;

  // The first value of header `name` (lower-case), if present.
  std::optional<absl::string_view> Header(absl::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return absl::string_view(value);
    }
    return std::nullopt;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Replaces header `name` (as given) or adds it.
  void Set(absl::string_view name, std::string value) {
    for (auto& [key, v] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) {
        v = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::string(name), std::move(value));
  }
  std::optional<absl::string_view> Get(absl::string_view name) const {
    for (const auto& [key, v] : headers) {
      if (absl::EqualsIgnoreCase(key, name)) return absl::string_view(v);
    }
    return std::nullopt;
  }
};

}  // namespace bulletin::web
