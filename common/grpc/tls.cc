#include "common/grpc/tls.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/status_macros.h"

namespace bulletin {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

absl::Status Bad(absl::string_view flag, absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, ": ", why));
}

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path);
  if (!in) return Bad(flag, path, "cannot read");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::unique_ptr<BIO, BioFree> MemBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of `pem`: there must be one.
absl::StatusOr<std::unique_ptr<X509, X509Free>> FirstCertificate(const std::string& pem,
                                                                 const std::string& path,
                                                                 absl::string_view flag) {
  auto bio = MemBio(pem);
  std::unique_ptr<X509, X509Free> first(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (first == nullptr) return Bad(flag, path, "no PEM certificate in it");
  return first;
}

absl::StatusOr<std::unique_ptr<EVP_PKEY, KeyFree>> PrivateKey(const std::string& pem,
                                                              const std::string& path,
                                                              absl::string_view flag) {
  auto bio = MemBio(pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) return Bad(flag, path, "no unencrypted PEM private key in it");
  return key;
}

// Reads and checks a certificate chain and its key; returns {cert PEM, key PEM}.
absl::StatusOr<std::pair<std::string, std::string>> ReadKeyPair(const std::string& cert_path,
                                                                absl::string_view cert_flag,
                                                                const std::string& key_path,
                                                                absl::string_view key_flag) {
  if (cert_path.empty() != key_path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", cert_flag, " and --", key_flag, " go together"));
  }
  ASSIGN_OR_RETURN(std::string cert_pem, ReadPem(cert_path, cert_flag));
  ASSIGN_OR_RETURN(std::string key_pem, ReadPem(key_path, key_flag));
  ASSIGN_OR_RETURN(auto cert, FirstCertificate(cert_pem, cert_path, cert_flag));
  ASSIGN_OR_RETURN(auto key, PrivateKey(key_pem, key_path, key_flag));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Bad(key_flag, key_path, absl::StrCat("does not match the certificate in ", cert_path));
  }
  return std::make_pair(std::move(cert_pem), std::move(key_pem));
}

absl::StatusOr<std::string> ReadRoots(const std::string& path, absl::string_view flag) {
  ASSIGN_OR_RETURN(std::string pem, ReadPem(path, flag));
  RETURN_IF_ERROR(FirstCertificate(pem, path, flag).status());
  return pem;
}

}  // namespace

absl::Status CheckServerTls(const ServerTlsConfig& config) {
  if (!config.enabled()) {
    if (!config.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca: needs --tls-cert-file and --tls-key-file (client certificates are "
          "checked in the TLS handshake)");
    }
    return absl::OkStatus();
  }
  if (config.reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tls-reload-interval: must be at least 1s");
  }
  RETURN_IF_ERROR(
      ReadKeyPair(config.cert_file, "tls-cert-file", config.key_file, "tls-key-file").status());
  if (!config.client_ca_file.empty()) {
    RETURN_IF_ERROR(ReadRoots(config.client_ca_file, "tls-client-ca").status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config) {
  RETURN_IF_ERROR(CheckServerTls(config));
  if (!config.enabled()) return grpc::InsecureServerCredentials();
  const auto interval = static_cast<unsigned int>(
      std::min<int64_t>(absl::ToInt64Seconds(config.reload_interval), 24 * 3600));
  // The provider re-reads the files every `interval` and hands changed ones to new
  // handshakes. It does not check that the key matches the certificate: one read between
  // the replacement of the key and of the certificate fails handshakes until the next
  // read, hence the symlinked-directory swap in docs/operations.md.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.key_file, config.cert_file, config.client_ca_file, interval);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (config.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  std::shared_ptr<grpc::ServerCredentials> creds =
      grpc::experimental::TlsServerCredentials(options);
  if (creds == nullptr)
    return absl::InvalidArgumentError("--tls-cert-file: gRPC refused the TLS settings");
  return creds;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsConfig& config, grpc::ChannelArguments* args) {
  if (!config.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  if (!config.ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadRoots(config.ca_file, "tls-ca"));
  }
  if (!config.cert_file.empty() || !config.key_file.empty()) {
    ASSIGN_OR_RETURN(auto pair,
                     ReadKeyPair(config.cert_file, "tls-cert", config.key_file, "tls-key"));
    ssl.pem_cert_chain = std::move(pair.first);
    ssl.pem_private_key = std::move(pair.second);
  }
  if (!config.server_name.empty() && args != nullptr) {
    args->SetSslTargetNameOverride(config.server_name);
  }
  return grpc::SslCredentials(ssl);
}

bool ParseClientTlsFlag(absl::string_view arg, ClientTlsConfig* config) {
  if (arg == "--tls") {
    config->tls = true;
    return true;
  }
  const std::pair<absl::string_view, std::string*> flags[] = {
      {"--tls-ca=", &config->ca_file},
      {"--tls-cert=", &config->cert_file},
      {"--tls-key=", &config->key_file},
      {"--tls-server-name=", &config->server_name},
  };
  for (const auto& [prefix, target] : flags) {
    if (absl::ConsumePrefix(&arg, prefix)) {
      *target = std::string(arg);
      return true;
    }
  }
  return false;
}

ClientTlsConfig ClientTlsFromEnvironment() {
  ClientTlsConfig config;
  auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
  };
  config.ca_file = env("BULLETIN_TLS_CA");
  config.cert_file = env("BULLETIN_TLS_CERT");
  config.key_file = env("BULLETIN_TLS_KEY");
  config.server_name = env("BULLETIN_TLS_SERVER_NAME");
  return config;
}

}  // namespace bulletin
