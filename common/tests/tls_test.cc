// TLS and mTLS through a real GrpcServer on port 0, with certificates made by
// scripts/dev-certs in temp directories: with --tls-client-ca a client presenting a
// certificate the CA signed is served, one without a certificate, with one from another CA
// or in plaintext is refused; certificates replaced on disk reach new connections without a
// restart; bad files stop the start with the flag named.
#include "common/grpc/tls.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/server.h"
#include "common/testing/process.h"
#include "common/testing/status_matchers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;
using ::bulletin::testing::TempDir;
using grpc::health::v1::HealthCheckResponse;

// scripts/dev-certs into `dir`; its files are dir/{ca,server,client}.{pem,key}.
void MakeCerts(const std::string& dir) {
  const std::string command =
      absl::StrCat(BULLETIN_SOURCE_DIR, "/scripts/dev-certs ", dir, " >/dev/null");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

ClientTlsConfig Client(const std::string& ca_dir, const std::string& client_dir = "") {
  ClientTlsConfig c;
  c.ca_file = ca_dir + "/ca.pem";
  if (!client_dir.empty()) {
    c.cert_file = client_dir + "/client.pem";
    c.key_file = client_dir + "/client.key";
  }
  return c;
}

// The health check over a new connection: the gRPC status (OK means the handshake passed).
grpc::Status Check(int port, const ClientTlsConfig& tls, const std::string& host = "localhost") {
  grpc::ChannelArguments args;
  // A connection of its own, never one an earlier channel left in the global pool.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      MakeChannelCredentials(tls, &args);
  EXPECT_OK(creds.status());
  if (!creds.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no credentials");
  auto channel = grpc::CreateCustomChannel(absl::StrCat(host, ":", port), *creds, args);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  HealthCheckResponse response;
  grpc::Status status =
      grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response);
  if (status.ok()) {
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  }
  return status;
}

std::unique_ptr<GrpcServer> Serve(const ServerTlsConfig& tls) {
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.drain_timeout = absl::Milliseconds(100);
  config.rpc_metrics = false;
  config.tls = tls;
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(config, {});
  EXPECT_OK(server.status());
  return server.ok() ? *std::move(server) : nullptr;
}

ServerTlsConfig ServerFiles(const std::string& dir, bool require_client_certs) {
  ServerTlsConfig tls;
  tls.cert_file = dir + "/server.pem";
  tls.key_file = dir + "/server.key";
  if (require_client_certs) tls.client_ca_file = dir + "/ca.pem";
  tls.reload_interval = absl::Seconds(1);
  return tls;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeCerts(a_.path()));
    ASSERT_NO_FATAL_FAILURE(MakeCerts(b_.path()));
  }
  TempDir a_;  // one local CA and its certificates
  TempDir b_;  // another
};

TEST_F(TlsTest, WithAClientCaOnlyClientsWithACertificateItSignedAreServed) {
  std::unique_ptr<GrpcServer> server = Serve(ServerFiles(a_.path(), true));
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  EXPECT_TRUE(Check(port, Client(a_.path(), a_.path())).ok());
  EXPECT_TRUE(Check(port, Client(a_.path(), a_.path()), "127.0.0.1").ok()) << "IP SAN";
  // No client certificate: the handshake fails.
  EXPECT_EQ(Check(port, Client(a_.path())).error_code(), grpc::StatusCode::UNAVAILABLE);
  // A client certificate from another CA.
  EXPECT_EQ(Check(port, Client(a_.path(), b_.path())).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Plaintext.
  EXPECT_EQ(Check(port, ClientTlsConfig()).error_code(), grpc::StatusCode::UNAVAILABLE);
  // A client that does not trust the server's CA refuses it.
  EXPECT_EQ(Check(port, Client(b_.path(), a_.path())).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, WithoutAClientCaAnyTlsClientIsServedButNotPlaintext) {
  std::unique_ptr<GrpcServer> server = Serve(ServerFiles(a_.path(), false));
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(Check(server->port(), Client(a_.path())).ok());
  EXPECT_TRUE(Check(server->port(), Client(a_.path(), b_.path())).ok());
  EXPECT_EQ(Check(server->port(), ClientTlsConfig()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ReplacedCertificatesReachNewConnectionsWithoutARestart) {
  TempDir live;
  auto copy = [](const std::string& from, const std::string& to) {
    // Written beside the target and renamed over it, as an operator (or dev-certs) would.
    std::ifstream in(from, std::ios::binary);
    std::ofstream(to + ".tmp", std::ios::binary) << in.rdbuf();
    ASSERT_EQ(std::rename((to + ".tmp").c_str(), to.c_str()), 0) << to;
  };
  for (const char* f : {"server.pem", "server.key", "ca.pem"}) {
    copy(a_.path() + "/" + f, live.path() + "/" + f);
  }
  std::unique_ptr<GrpcServer> server = Serve(ServerFiles(live.path(), true));
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  ASSERT_TRUE(Check(port, Client(a_.path(), a_.path())).ok());
  ASSERT_FALSE(Check(port, Client(b_.path(), b_.path())).ok());

  // Rotate to CA b: its server certificate and key, and its CA for client certificates.
  copy(b_.path() + "/server.key", live.path() + "/server.key");
  copy(b_.path() + "/server.pem", live.path() + "/server.pem");
  copy(b_.path() + "/ca.pem", live.path() + "/ca.pem");
  EXPECT_TRUE(testing::WaitUntil([&] { return Check(port, Client(b_.path(), b_.path())).ok(); },
                                 absl::Seconds(15)))
      << "the new certificates were not picked up";
  EXPECT_FALSE(Check(port, Client(a_.path(), a_.path())).ok()) << "the old ones still work";
}

TEST_F(TlsTest, BadSettingsNameTheFlag) {
  TempDir dir;
  const std::string junk = dir.path() + "/junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  struct Case {
    ServerTlsConfig tls;
    std::string flag;
  };
  std::vector<Case> cases;
  ServerTlsConfig only_cert;
  only_cert.cert_file = a_.path() + "/server.pem";
  cases.push_back({only_cert, "--tls-cert-file and --tls-key-file go together"});
  ServerTlsConfig missing = ServerFiles(a_.path(), false);
  missing.cert_file = dir.path() + "/absent.pem";
  cases.push_back({missing, "--tls-cert-file"});
  ServerTlsConfig not_pem = ServerFiles(a_.path(), false);
  not_pem.cert_file = junk;
  cases.push_back({not_pem, "--tls-cert-file"});
  ServerTlsConfig mismatched = ServerFiles(a_.path(), false);
  mismatched.key_file = b_.path() + "/server.key";
  cases.push_back({mismatched, "--tls-key-file"});
  ServerTlsConfig bad_ca = ServerFiles(a_.path(), true);
  bad_ca.client_ca_file = junk;
  cases.push_back({bad_ca, "--tls-client-ca"});
  ServerTlsConfig ca_alone;
  ca_alone.client_ca_file = a_.path() + "/ca.pem";
  cases.push_back({ca_alone, "--tls-client-ca"});
  ServerTlsConfig fast = ServerFiles(a_.path(), false);
  fast.reload_interval = absl::Milliseconds(10);
  cases.push_back({fast, "--tls-reload-interval"});
  for (const Case& c : cases) {
    EXPECT_THAT(CheckServerTls(c.tls), StatusIs(absl::StatusCode::kInvalidArgument, c.flag))
        << c.flag;
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls = c.tls;
    EXPECT_THAT(GrpcServer::Start(config, {}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, c.flag));
  }

  ClientTlsConfig client = Client(a_.path(), a_.path());
  client.key_file = b_.path() + "/client.key";
  EXPECT_THAT(MakeChannelCredentials(client, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--tls-key"));
  client = Client(a_.path());
  client.ca_file = junk;
  EXPECT_THAT(MakeChannelCredentials(client, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "--tls-ca"));
}

TEST_F(TlsTest, TheToolsPresentTheirCertificates) {
  std::unique_ptr<GrpcServer> server = Serve(ServerFiles(a_.path(), true));
  ASSERT_NE(server, nullptr);
  const std::string health = testing::BinDir() + "/bulletin-health";
  const std::string target = absl::StrCat(" localhost:", server->port());
  const std::string a = a_.path();
  auto run = [](const std::string& command) {
    int status = std::system((command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run(health + target + " --tls-ca=" + a + "/ca.pem --tls-cert=" + a +
                "/client.pem --tls-key=" + a + "/client.key"),
            0);
  EXPECT_EQ(run("BULLETIN_TLS_CA=" + a + "/ca.pem BULLETIN_TLS_CERT=" + a +
                "/client.pem BULLETIN_TLS_KEY=" + a + "/client.key " + health + target),
            0);
  EXPECT_EQ(run(health + target + " --tls-ca=" + a + "/ca.pem"), 1) << "no client certificate";
  EXPECT_EQ(run(health + target), 1) << "plaintext";
  EXPECT_EQ(run(health + target + " --tls-ca=" + a + "/client.key"), 2) << "not a certificate";
  const std::string cli = testing::BinDir() + "/bulletin-cli";
  EXPECT_EQ(run(cli + " --tls-ca=" + a + "/ca.pem --tls-cert=" + a + "/client.pem --tls-key=" + a +
                "/client.key" + target + " list"),
            0);
  EXPECT_EQ(run(cli + " --tls-ca=" + a + "/ca.pem" + target + " list"), 1);
}

TEST_F(TlsTest, DevCertsIsIdempotent) {
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::string ca = read(a_.path() + "/ca.pem");
  const std::string server = read(a_.path() + "/server.pem");
  ASSERT_NO_FATAL_FAILURE(MakeCerts(a_.path()));
  EXPECT_EQ(read(a_.path() + "/ca.pem"), ca);
  EXPECT_EQ(read(a_.path() + "/server.pem"), server);
  // A missing leaf is made again, signed by the same CA.
  std::remove((a_.path() + "/client.pem").c_str());
  ASSERT_NO_FATAL_FAILURE(MakeCerts(a_.path()));
  EXPECT_EQ(read(a_.path() + "/ca.pem"), ca);
  std::unique_ptr<GrpcServer> srv = Serve(ServerFiles(a_.path(), true));
  ASSERT_NE(srv, nullptr);
  EXPECT_TRUE(Check(srv->port(), Client(a_.path(), a_.path())).ok());
}

}  // namespace
}  // namespace bulletin
