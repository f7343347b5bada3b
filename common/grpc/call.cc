#include "common/grpc/call.h"

#include "absl/strings/string_view.h"

namespace bulletin {

absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase& context, const TokenStore& tokens) {
  const auto& md = context.client_metadata();
  auto range = md.equal_range("authorization");
  if (range.first == range.second) return tokens.Authenticate(std::nullopt);
  if (std::next(range.first) != range.second) {
    return absl::UnauthenticatedError("authorization: more than one header");
  }
  const grpc::string_ref& v = range.first->second;
  return tokens.Authenticate(absl::string_view(v.data(), v.size()));
}

}  // namespace bulletin
