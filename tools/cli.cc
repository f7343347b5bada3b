// bulletin-cli: call any Bulletin RPC with a JSON request and print the JSON response, the
// way grpcurl does (grpcurl is not packaged for Debian 12). The CLI knows every Bulletin
// contract because it links them; `list` asks the server itself through reflection.
//
//   bulletin-cli [--token=T] [--timeout=5s] [TLS] HOST:PORT list
//   bulletin-cli [--token=T] [--timeout=5s] [TLS] HOST:PORT SERVICE/METHOD ['{json}']
//   TLS: [--tls] [--tls-ca=FILE] [--tls-cert=FILE --tls-key=FILE] [--tls-server-name=NAME]
//
// TLS is on when any TLS flag is given (--tls alone: the system's roots); the files may also
// come from BULLETIN_TLS_CA, BULLETIN_TLS_CERT, BULLETIN_TLS_KEY (common/grpc/tls.h).
// A RESOURCE_EXHAUSTED answer prints the server's retry delay (trailer retry-after-ms).
//
// Unary and server-streaming methods are supported; a streaming response prints one JSON
// object per line until the stream ends or --timeout passes. The token may also come
// from BULLETIN_TOKEN. Exit status: 0 on OK, 1 on an RPC error (printed as
// "ERROR CODE: message"), 2 on a usage error.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "bulletin/content/v1/content.grpc.pb.h"
#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/grpc/tls.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace {

namespace pb = google::protobuf;

const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

int Fail(const grpc::Status& s, const grpc::ClientContext* ctx = nullptr) {
  int code = static_cast<int>(s.error_code());
  std::fprintf(stderr, "ERROR %s: %s\n", code >= 0 && code <= 16 ? kCodeNames[code] : "?",
               s.error_message().c_str());
  if (ctx != nullptr) {
    const auto& trailers = ctx->GetServerTrailingMetadata();
    if (auto it = trailers.find("retry-after-ms"); it != trailers.end()) {
      std::fprintf(stderr, "retry after %.*s ms\n", static_cast<int>(it->second.size()),
                   it->second.data());
    }
  }
  return 1;
}

void AddAuth(grpc::ClientContext* ctx, const std::string& token, std::chrono::milliseconds t) {
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + t);
}

int List(const std::shared_ptr<grpc::Channel>& channel, std::chrono::milliseconds timeout) {
  using grpc::reflection::v1alpha::ServerReflection;
  auto stub = ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  AddAuth(&ctx, "", timeout);
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  stream->Write(req);
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  while (stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) std::cout << s.name() << "\n";
  }
  grpc::Status s = stream->Finish();
  return s.ok() ? 0 : Fail(s);
}

std::string ToJson(const pb::Message& m) {
  std::string out;
  pb::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)pb::util::MessageToJsonString(m, &out, opts);
  return out;
}

// Touches one message of each contract so that the linker keeps the generated code that
// registers its descriptors (static libraries drop objects nothing refers to).
void LinkContracts() {
  (void)bulletin::content::v1::Article::descriptor();
  (void)bulletin::analytics::v1::RecordViewRequest::descriptor();
  (void)bulletin::notify::v1::Subscription::descriptor();
}

}  // namespace

int main(int argc, char** argv) {
  std::string token = std::getenv("BULLETIN_TOKEN") ? std::getenv("BULLETIN_TOKEN") : "";
  std::chrono::milliseconds timeout(5000);
  std::vector<std::string> args;
  bulletin::ClientTlsConfig tls = bulletin::ClientTlsFromEnvironment();
  for (int i = 1; i < argc; ++i) {
    if (bulletin::ParseClientTlsFlag(argv[i], &tls)) {
      continue;
    } else if (std::strncmp(argv[i], "--token=", 8) == 0) {
      token = argv[i] + 8;
    } else if (std::strncmp(argv[i], "--timeout=", 10) == 0) {
      timeout =
          std::chrono::milliseconds(static_cast<long>(std::strtod(argv[i] + 10, nullptr) * 1000));
    } else {
      args.push_back(argv[i]);
    }
  }
  if (args.size() < 2) {
    std::fprintf(stderr,
                 "usage: bulletin-cli [--token=T] [--timeout=SECONDS] [TLS] HOST:PORT list\n"
                 "       bulletin-cli [--token=T] [--timeout=SECONDS] [TLS] HOST:PORT "
                 "SERVICE/METHOD ['{json}']\n"
                 "  TLS: %s\n",
                 bulletin::kClientTlsUsage);
    return 2;
  }
  grpc::ChannelArguments channel_args;
  auto creds = bulletin::MakeChannelCredentials(tls, &channel_args);
  if (!creds.ok()) {
    std::fprintf(stderr, "bulletin-cli: %s\n", std::string(creds.status().message()).c_str());
    return 2;
  }
  auto channel = grpc::CreateCustomChannel(args[0], *creds, channel_args);
  if (args[1] == "list") return List(channel, timeout);

  std::string full = args[1];
  size_t slash = full.rfind('/');
  if (slash == std::string::npos) slash = full.rfind('.');
  if (slash == std::string::npos) {
    std::fprintf(stderr,
                 "expected SERVICE/METHOD, e.g. bulletin.content.v1.ContentService/GetArticle\n");
    return 2;
  }
  LinkContracts();
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  const pb::ServiceDescriptor* service = pool->FindServiceByName(full.substr(0, slash));
  const pb::MethodDescriptor* method =
      service ? service->FindMethodByName(full.substr(slash + 1)) : nullptr;
  if (method == nullptr) {
    std::fprintf(stderr, "unknown method %s\n", full.c_str());
    return 2;
  }
  if (method->client_streaming()) {
    std::fprintf(stderr, "%s is client-streaming; bulletin-cli sends one request only\n",
                 full.c_str());
  }
  pb::DynamicMessageFactory factory(pool);
  std::unique_ptr<pb::Message> request(factory.GetPrototype(method->input_type())->New());
  std::string json = args.size() > 2 ? args[2] : "{}";
  if (auto st = pb::util::JsonStringToMessage(json, request.get()); !st.ok()) {
    std::fprintf(stderr, "bad request JSON for %s: %s\n", method->input_type()->full_name().c_str(),
                 st.ToString().c_str());
    return 2;
  }
  std::string path = "/" + service->full_name() + "/" + method->name();
  std::string wire;
  request->SerializeToString(&wire);
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  AddAuth(&ctx, token, timeout);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, path, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  grpc::Slice slice(wire);
  grpc::ByteBuffer send(&slice, 1);
  call->Write(send, grpc::WriteOptions().set_last_message(), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  std::unique_ptr<pb::Message> response(factory.GetPrototype(method->output_type())->New());
  while (true) {
    grpc::ByteBuffer recv;
    call->Read(&recv, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    if (!ok) break;
    std::vector<grpc::Slice> slices;
    (void)recv.Dump(&slices);
    std::string bytes;
    for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    response->Clear();
    response->ParseFromString(bytes);
    std::cout << ToJson(*response) << std::flush;
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  if (!status.ok()) return Fail(status, &ctx);
  return 0;
}
