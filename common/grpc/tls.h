// Transport security, both ends: the server's TLS (and mTLS, when a client CA is given)
// credentials, built on gRPC's FileWatcherCertificateProvider so that certificates replaced
// on disk are picked up by new connections without a restart, and the client credentials
// the tools present. The files are checked at start (readable PEM, the key matches the
// certificate) so a bad setting stops the service with one line instead of failing every
// handshake later. Stateless functions, thread-safe.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin {

struct ServerTlsConfig {
  std::string cert_file;  // PEM certificate chain; with key_file: serve TLS
  std::string key_file;   // PEM private key of cert_file
  // PEM CA bundle: require a client certificate signed by one of these (mTLS).
  std::string client_ca_file;
  // How often the files are checked for changes (at least 1s).
  absl::Duration reload_interval = absl::Minutes(1);

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Checks the settings: InvalidArgument naming the flag (--tls-cert-file, --tls-key-file,
// --tls-client-ca, --tls-reload-interval) for a certificate without a key or the reverse,
// a client CA without server TLS, a file that cannot be read or holds no PEM certificate
// or key, or a key that does not match the certificate.
absl::Status CheckServerTls(const ServerTlsConfig& config);

// Plaintext credentials when TLS is off; else TLS credentials watching the files, which
// require and verify a client certificate when client_ca_file is set. Errors as
// CheckServerTls (which it calls).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config);

struct ClientTlsConfig {
  bool tls = false;       // TLS with the system's roots even when no file is given
  std::string ca_file;    // PEM roots that sign the server's certificate (implies TLS)
  std::string cert_file;  // PEM client certificate chain to present (mTLS; implies TLS)
  std::string key_file;   // its private key
  // The name the server's certificate must carry, when it differs from the target's host
  // (e.g. connecting by address to a certificate issued for a DNS name).
  std::string server_name;

  bool enabled() const {
    return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty();
  }
};

// Insecure credentials when TLS is off; else TLS credentials with the given roots and
// client certificate. InvalidArgument naming the flag (--tls-ca, --tls-cert, --tls-key)
// for an unreadable or non-PEM file, a certificate without its key or the reverse, or a
// key that does not match. `args` receives the server name override, if any.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsConfig& config, grpc::ChannelArguments* args);

// The tools' client TLS flags, for hand-parsed command lines: when `arg` is --tls,
// --tls-ca=FILE, --tls-cert=FILE, --tls-key=FILE or --tls-server-name=NAME, applies it to
// `config` and returns true.
bool ParseClientTlsFlag(absl::string_view arg, ClientTlsConfig* config);
inline constexpr char kClientTlsUsage[] =
    "[--tls] [--tls-ca=FILE] [--tls-cert=FILE --tls-key=FILE] [--tls-server-name=NAME]";

// The same settings from BULLETIN_TLS_CA, BULLETIN_TLS_CERT, BULLETIN_TLS_KEY and
// BULLETIN_TLS_SERVER_NAME (flags given afterwards win).
ClientTlsConfig ClientTlsFromEnvironment();

}  // namespace bulletin
