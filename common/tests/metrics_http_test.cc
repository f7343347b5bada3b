// The metrics endpoint (prometheus-cpp's Exposer) over real HTTP (libcurl), the names a
// service start-up registers as served, and the gRPC interceptor counting real RPCs made to
// a GrpcServer on port 0 (the health service: grpc.health.v1.Health/Check).
#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc/metrics_interceptor.h"
#include "common/grpc/server.h"
#include "common/metrics/http_endpoint.h"
#include "common/service/service_flags.h"
#include "common/testing/process.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin {
namespace {

struct HttpReply {
  long code = 0;
  std::string content_type;
  std::string allow;
  std::string body;
};

HttpReply HttpGet(const std::string& url, const char* method = "GET", bool gzip = false) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (std::string(method) == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  }
  if (gzip) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");  // and decode it
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(
      curl, CURLOPT_HEADERFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        std::string line(data, size * n);
        if (absl::StartsWithIgnoreCase(line, "allow:")) {
          *static_cast<std::string*>(out) = std::string(absl::StripAsciiWhitespace(line.substr(6)));
        }
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.allow);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.code);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) reply.content_type = type;
  }
  curl_easy_cleanup(curl);
  return reply;
}

TEST(MetricsHttpTest, ServesMetricsAndHealthz) {
  metrics::Registry registry;
  registry.AddCounter("bulletin_demo_total", "Demo.", {"k"}).WithLabels({"v"}).Increment(7);
  auto endpoint = metrics::HttpEndpoint::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);
  std::string base = absl::StrCat("http://127.0.0.1:", (*endpoint)->port());

  // The exposition is prometheus-cpp's: the registry as its TextSerializer writes it, after
  // the Exposer's own scrape metrics.
  HttpReply metrics = HttpGet(base + "/metrics");
  EXPECT_EQ(metrics.code, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; charset=utf-8");
  EXPECT_TRUE(absl::EndsWith(metrics.body, registry.Render())) << metrics.body;
  EXPECT_TRUE(absl::StrContains(metrics.body,
                                "# HELP bulletin_demo_total Demo.\n"
                                "# TYPE bulletin_demo_total counter\n"
                                "bulletin_demo_total{k=\"v\"} 7\n"))
      << metrics.body;
  EXPECT_TRUE(absl::StrContains(metrics.body, "# TYPE exposer_scrapes_total counter\n"));
  // Prometheus asks for gzip; the library compresses and curl decodes.
  HttpReply zipped = HttpGet(base + "/metrics", "GET", /*gzip=*/true);
  EXPECT_EQ(zipped.code, 200);
  EXPECT_TRUE(absl::StrContains(zipped.body, "bulletin_demo_total{k=\"v\"} 7\n")) << zipped.body;
  HttpReply head = HttpGet(base + "/metrics", "HEAD");
  EXPECT_EQ(head.code, 200);
  EXPECT_EQ(head.body, "");

  HttpReply health = HttpGet(base + "/healthz");
  EXPECT_EQ(health.code, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(HttpGet(base + "/healthz", "HEAD").code, 200);
  HttpReply nope = HttpGet(base + "/nope");
  EXPECT_EQ(nope.code, 404);
  EXPECT_EQ(nope.body, "not found: try /metrics or /healthz\n");
  EXPECT_EQ(HttpGet(base + "/metrics/sub").code, 404);
  HttpReply post = HttpGet(base + "/metrics", "POST");
  EXPECT_EQ(post.code, 405);
  EXPECT_EQ(post.allow, "GET, HEAD");
}

TEST(MetricsHttpTest, RefusesAMalformedOrBusyAddress) {
  metrics::Registry registry;
  auto bad = metrics::HttpEndpoint::Start("localhost", &registry);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "--metrics-listen"));
  auto first = metrics::HttpEndpoint::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(first.ok());
  auto second =
      metrics::HttpEndpoint::Start(absl::StrCat("127.0.0.1:", (*first)->port()), &registry);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(second.status().message(), "--metrics-listen")) << second.status();
}

TEST(MetricsHttpTest, ListensOnAHostName) {
  metrics::Registry registry;
  registry.AddGauge("bulletin_demo", "Demo.").Get().Set(1);
  auto named = metrics::HttpEndpoint::Start("localhost:0", &registry);
  ASSERT_TRUE(named.ok()) << named.status();
  HttpReply reply = HttpGet(absl::StrCat("http://127.0.0.1:", (*named)->port(), "/metrics"));
  EXPECT_EQ(reply.code, 200);
  EXPECT_TRUE(absl::StrContains(reply.body, "bulletin_demo 1\n")) << reply.body;
}

// Debian 12's civetweb has no IPv6: an IPv6 address is refused with the reason, not bound
// to something else. (With an IPv6 civetweb it is served.)
TEST(MetricsHttpTest, Ipv6IsServedOrRefusedWithTheReason) {
  metrics::Registry registry;
  registry.AddGauge("bulletin_demo", "Demo.").Get().Set(1);
  auto v6 = metrics::HttpEndpoint::Start("[::1]:0", &registry);
  if (v6.ok()) {
    HttpReply reply = HttpGet(absl::StrCat("http://[::1]:", (*v6)->port(), "/metrics"));
    EXPECT_EQ(reply.code, 200);
    EXPECT_TRUE(absl::StrContains(reply.body, "bulletin_demo 1\n")) << reply.body;
  } else {
    EXPECT_EQ(v6.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(absl::StrContains(v6.status().message(), "--metrics-listen")) << v6.status();
    EXPECT_TRUE(absl::StrContains(v6.status().message(), "without IPv6")) << v6.status();
  }
}

// civetweb alone would take up to 2 s to notice a stop (SIGTERM would wait for it).
TEST(MetricsHttpTest, StopsPromptly) {
  metrics::Registry registry;
  auto endpoint = metrics::HttpEndpoint::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const int port = (*endpoint)->port();
  EXPECT_EQ(HttpGet(absl::StrCat("http://127.0.0.1:", port, "/healthz")).code, 200);
  absl::Time start = absl::Now();
  endpoint->reset();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(HttpGet(absl::StrCat("http://127.0.0.1:", port, "/healthz")).code, 0) << "stopped";
}

// The names every service binary registers at start-up (dashboards select on them) are
// served, with their types.
TEST(MetricsHttpTest, ServiceStartServesProcessAndServiceInfo) {
  ServiceFlags config;
  config.metrics_listen = "127.0.0.1:0";
  ASSERT_TRUE(ValidateServiceFlags(config).ok());
  auto endpoint = StartService("metrics-test", config);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_NE(*endpoint, nullptr);
  std::string body =
      HttpGet(absl::StrCat("http://127.0.0.1:", (*endpoint)->port(), "/metrics")).body;
  EXPECT_TRUE(absl::StrContains(body, "# TYPE process_start_time_seconds gauge\n")) << body;
  EXPECT_TRUE(absl::StrContains(body, "\nprocess_start_time_seconds 1")) << body;
  EXPECT_TRUE(absl::StrContains(body, "# TYPE bulletin_service_info gauge\n")) << body;
  EXPECT_TRUE(absl::StrContains(body, "bulletin_service_info{service=\"metrics-test\"} 1\n"))
      << body;
}

TEST(MetricsHttpTest, InterceptorCountsRealRpcsByMethodAndCode) {
  metrics::Registry registry;
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics = &registry;
  auto server = GrpcServer::Start(config, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto endpoint = metrics::HttpEndpoint::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const char* service : {"", "", "no.such.Service"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    EXPECT_EQ(status.error_code(),
              *service == '\0' ? grpc::StatusCode::OK : grpc::StatusCode::NOT_FOUND);
  }
  // prometheus-cpp writes labels sorted by name (grpc_code first, le last).
  const std::string labels =
      "grpc_method=\"Check\",grpc_service=\"grpc.health.v1.Health\",grpc_type=\"unary\"";
  std::string body;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        body = HttpGet(absl::StrCat("http://127.0.0.1:", (*endpoint)->port(), "/metrics")).body;
        return absl::StrContains(body, "grpc_code=\"NotFound\"");
      },
      absl::Seconds(5)));
  for (const char* family : {"grpc_server_started_total", "grpc_server_handled_total",
                             "grpc_server_msg_received_total", "grpc_server_msg_sent_total"}) {
    EXPECT_TRUE(absl::StrContains(body, absl::StrCat("# TYPE ", family, " counter\n"))) << family;
  }
  EXPECT_TRUE(absl::StrContains(body, "# TYPE grpc_server_handling_seconds histogram\n"));
  EXPECT_TRUE(absl::StrContains(body, "grpc_server_started_total{" + labels + "} 3\n")) << body;
  EXPECT_TRUE(
      absl::StrContains(body, "grpc_server_handled_total{grpc_code=\"OK\"," + labels + "} 2\n"))
      << body;
  EXPECT_TRUE(absl::StrContains(
      body, "grpc_server_handled_total{grpc_code=\"NotFound\"," + labels + "} 1\n"))
      << body;
  EXPECT_TRUE(absl::StrContains(
      body, "grpc_server_handling_seconds_bucket{" + labels + ",le=\"+Inf\"} 3\n"))
      << body;
  EXPECT_TRUE(absl::StrContains(body, "grpc_server_handling_seconds_count{" + labels + "} 3\n"));
  EXPECT_TRUE(absl::StrContains(body, "grpc_server_msg_received_total{" + labels + "} 3\n"));
  EXPECT_TRUE(absl::StrContains(body, "grpc_server_msg_sent_total{" + labels + "} 2\n"));
  (*server)->Shutdown();
}

TEST(MetricsHttpTest, CodeNamesAreGoGrpcPrometheusNames) {
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "ResourceExhausted");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
}

}  // namespace
}  // namespace bulletin
