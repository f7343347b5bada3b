#include "services/web/http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/base/log.h"

namespace bulletin::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Beast's own header limit: generous, so that the exact limits (414 vs 431) are ours.
constexpr size_t kParserHeaderLimit = 64 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpLimits& limits, const HttpHandler& handler,
          std::atomic<int>& active)
      : stream_(std::move(socket)), limits_(limits), handler_(handler), active_(active) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kParserHeaderLimit);
    parser_->body_limit(limits_.max_body);
    stream_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(limits_.idle_timeout)));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == asio::error::eof) {
      return Close();
    }
    HttpRequest request;
    beast::error_code peer_ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) request.peer_ip = peer.address().to_string();
    keep_alive_ = false;
    if (ec) {
      // The start line, when it was parsed, tells an API request (JSON answer) from a page.
      request.target = std::string(parser_->get().target().substr(0, limits_.max_target));
      if (ec == http::error::header_limit) {
        request.refused = request.target.empty() && FirstLineLonger(limits_.max_target) ? 414 : 431;
      } else if (ec == http::error::body_limit) {
        request.refused = 413;
      } else {
        request.refused = 400;
      }
      return Dispatch(std::move(request), /*head=*/false);
    }
    const auto& msg = parser_->get();
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    size_t header_bytes = request.method.size() + request.target.size() + 12;
    for (const auto& field : msg) {
      header_bytes += field.name_string().size() + field.value().size() + 4;
      request.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                   std::string(field.value()));
    }
    request.body = msg.body();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    if (request.target.size() > limits_.max_target) {
      request.refused = 414;
    } else if (header_bytes > limits_.max_headers) {
      request.refused = 431;
    }
    if (request.refused != 0) keep_alive_ = false;
    Dispatch(std::move(request), msg.method() == http::verb::head);
  }

  // Whether the unparsed request line in the buffer (cut or whole) is longer than `limit`.
  bool FirstLineLonger(size_t limit) const {
    auto data = buffer_.data();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    size_t end = text.find("\r\n");
    return (end == std::string_view::npos ? text.size() : end) > limit;
  }

  void Dispatch(HttpRequest request, bool head) {
    head_ = head;
    ++active_;
    auto self = shared_from_this();
    handler_(std::move(request), [self](HttpResponse response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    --active_;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) res->insert(name, value);
    res->keep_alive(keep_alive_);
    const size_t length = response.body.size();
    if (!head_) res->body() = std::move(response.body);
    res->content_length(length);
    stream_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(limits_.idle_timeout)));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !self->keep_alive_) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpLimits& limits_;
  const HttpHandler& handler_;
  std::atomic<int>& active_;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
};

}  // namespace

struct HttpServer::Impl {
  Impl(HttpLimits l, HttpHandler h) : limits(l), handler(std::move(h)) {}

  void Accept() {
    acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        s.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(s), limits, handler, active)->Start();
      }
      Accept();
    });
  }

  HttpLimits limits;
  HttpHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<int> active{0};
  bool stopped = false;
};

HttpServer::HttpServer(HttpLimits limits, HttpHandler handler)
    : impl_(std::make_unique<Impl>(limits, std::move(handler))) {}

HttpServer::~HttpServer() { Stop(absl::ZeroDuration()); }

absl::Status HttpServer::Start(const std::string& listen, int threads) {
  std::vector<std::string> parts = absl::StrSplit(listen, absl::MaxSplits(':', 1));
  int port = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("--listen: must be HOST:PORT");
  }
  beast::error_code ec;
  asio::ip::address address =
      asio::ip::make_address(parts[0] == "localhost" ? "127.0.0.1" : parts[0], ec);
  if (ec) return absl::InvalidArgumentError("--listen: the host must be an IP address");
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  impl_->acceptor.emplace(impl_->ioc);
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return absl::UnavailableError("--listen: cannot listen on " + listen + ": " + ec.message());
  port_ = impl_->acceptor->local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return absl::OkStatus();
}

void HttpServer::Stop(absl::Duration grace) {
  if (impl_->stopped || !impl_->acceptor) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  });
  absl::Time deadline = absl::Now() + grace;
  while (impl_->active.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  impl_->work.reset();
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace bulletin::web
