// bulletin-health: exits 0 when a gRPC server reports SERVING, 1 otherwise.
// For container HEALTHCHECKs and scripts (Debian packages no grpc_health_probe).
//   bulletin-health HOST:PORT [SERVICE] [--timeout-ms=N] [--tls] [--tls-ca=FILE]
//                   [--tls-cert=FILE --tls-key=FILE] [--tls-server-name=NAME]
// TLS settings may also come from BULLETIN_TLS_CA, BULLETIN_TLS_CERT, BULLETIN_TLS_KEY and
// BULLETIN_TLS_SERVER_NAME (common/grpc/tls.h); a bad one exits 2.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/grpc/tls.h"
#include "grpc/health/v1/health.grpc.pb.h"

int main(int argc, char** argv) {
  std::string target;
  std::string service;
  long timeout_ms = 2000;
  bulletin::ClientTlsConfig tls = bulletin::ClientTlsFromEnvironment();
  for (int i = 1; i < argc; ++i) {
    if (bulletin::ParseClientTlsFlag(argv[i], &tls)) {
      continue;
    } else if (std::strncmp(argv[i], "--timeout-ms=", 13) == 0) {
      timeout_ms = std::strtol(argv[i] + 13, nullptr, 10);
    } else if (target.empty()) {
      target = argv[i];
    } else {
      service = argv[i];
    }
  }
  if (target.empty()) {
    std::fprintf(stderr, "usage: bulletin-health HOST:PORT [SERVICE] [--timeout-ms=N] %s\n",
                 bulletin::kClientTlsUsage);
    return 2;
  }
  grpc::ChannelArguments args;
  auto creds = bulletin::MakeChannelCredentials(tls, &args);
  if (!creds.ok()) {
    std::fprintf(stderr, "bulletin-health: %s\n", std::string(creds.status().message()).c_str());
    return 2;
  }
  auto channel = grpc::CreateCustomChannel(target, *creds, args);
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", target.c_str(), s.error_message().c_str());
    return 1;
  }
  const char* name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()).c_str();
  std::printf("%s %s\n", target.c_str(), name);
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}
