#include "common/grpc/decoded_service.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bulletin {
namespace {

const google::protobuf::ServiceDescriptor& ServiceNamed(const char* service) {
  const google::protobuf::ServiceDescriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  if (d == nullptr) {
    std::fprintf(stderr, "DecodedService: no service %s is linked in\n", service);
    std::abort();
  }
  return *d;
}

}  // namespace

DecodedService::DecodedService(const char* service, const TokenStore& tokens, WorkerPool& pool)
    : descriptor_(ServiceNamed(service)), tokens_(tokens), pool_(pool) {}

const std::string* DecodedService::Declare(absl::string_view method,
                                           grpc::internal::RpcMethod::RpcType type,
                                           const google::protobuf::Descriptor* request,
                                           const google::protobuf::Descriptor* response) {
  const google::protobuf::MethodDescriptor* m = descriptor_.FindMethodByName(std::string(method));
  if (m == nullptr) {
    problems_.push_back(absl::StrCat(method, " is not a method of ", name()));
  } else if (m->input_type() != request || m->output_type() != response) {
    problems_.push_back(absl::StrCat(method, " is registered with the wrong message types"));
  } else if (m->client_streaming() != (type == grpc::internal::RpcMethod::CLIENT_STREAMING) ||
             m->server_streaming() != (type == grpc::internal::RpcMethod::SERVER_STREAMING)) {
    problems_.push_back(absl::StrCat(method, " is registered with the wrong streaming kind"));
  }
  paths_.push_back(absl::StrCat("/", name(), "/", method));
  AddMethod(new grpc::internal::RpcServiceMethod(paths_.back().c_str(), type, nullptr));
  return &paths_.back();
}

void DecodedService::Attach(grpc::internal::MethodHandler* handler) {
  MarkMethodRawCallback(static_cast<int>(paths_.size()) - 1, handler);
}

absl::Status DecodedService::Complete() const {
  std::vector<std::string> problems = problems_;
  for (int i = 0; i < descriptor_.method_count(); ++i) {
    const std::string path = absl::StrCat("/", name(), "/", descriptor_.method(i)->name());
    if (std::find(paths_.begin(), paths_.end(), path) == paths_.end()) {
      problems.push_back(absl::StrCat(descriptor_.method(i)->name(), " has no handler"));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(name(), ": ", absl::StrJoin(problems, "; ")));
}

absl::StatusOr<Caller> DecodedService::Admit(const grpc::ServerContextBase& context,
                                             const std::string& path) const {
  absl::StatusOr<Caller> caller = CallerOf(context, tokens_);
  if (gate_) RETURN_IF_ERROR(gate_(context, caller.ok() ? *caller : Caller(), path));
  return caller;
}

}  // namespace bulletin
