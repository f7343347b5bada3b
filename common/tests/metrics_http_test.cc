// The metrics endpoint over real HTTP (libcurl), and the gRPC interceptor counting real
// RPCs made to a GrpcServer on port 0 (the health service: grpc.health.v1.Health/Check).
#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/metrics_interceptor.h"
#include "common/grpc/server.h"
#include "common/metrics/http_endpoint.h"
#include "common/testing/process.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin {
namespace {

struct HttpReply {
  long code = 0;
  std::string content_type;
  std::string body;
};

HttpReply HttpGet(const std::string& url, const char* method = "GET") {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
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
  registry.AddCounter("demo_total", "Demo.", {"k"}).WithLabels({"v"}).Increment(7);
  auto endpoint = metrics::HttpEndpoint::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);
  std::string base = absl::StrCat("http://127.0.0.1:", (*endpoint)->port());

  HttpReply metrics = HttpGet(base + "/metrics");
  EXPECT_EQ(metrics.code, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, registry.Render());
  EXPECT_TRUE(absl::StrContains(metrics.body, "demo_total{k=\"v\"} 7\n"));

  HttpReply health = HttpGet(base + "/healthz");
  EXPECT_EQ(health.code, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(HttpGet(base + "/nope").code, 404);
  EXPECT_EQ(HttpGet(base + "/metrics", "POST").code, 405);
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
  const std::string labels =
      "grpc_type=\"unary\",grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Check\"";
  std::string body;
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        body = HttpGet(absl::StrCat("http://127.0.0.1:", (*endpoint)->port(), "/metrics")).body;
        return absl::StrContains(body, "grpc_code=\"NotFound\"");
      },
      absl::Seconds(5)));
  EXPECT_TRUE(absl::StrContains(body, "grpc_server_started_total{" + labels + "} 3\n")) << body;
  EXPECT_TRUE(
      absl::StrContains(body, "grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"} 2\n"))
      << body;
  EXPECT_TRUE(absl::StrContains(
      body, "grpc_server_handled_total{" + labels + ",grpc_code=\"NotFound\"} 1\n"))
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
