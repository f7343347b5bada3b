// DecodeRequest for the service fuzz targets: a request decoded as the adapters decode it
// (common/grpc/decode.h DecodeMessage), a refusal checked like any other answer (it must
// be INVALID_ARGUMENT and pass CheckAnswer). Header-only, so only the targets that link
// bulletin_grpc include it.
#pragma once

#include "absl/strings/str_cat.h"
#include "common/grpc/decode.h"
#include "fuzz/fuzz_support.h"

namespace bulletin::fuzz {

// True when `bytes` decodes into `*request`; `prefix` as DecodeMessage takes it.
inline bool DecodeRequest(absl::string_view bytes, google::protobuf::Message* request,
                          absl::string_view prefix = "") {
  const absl::Status status = DecodeMessage(bytes, request, prefix);
  if (status.ok()) return true;
  const std::string what = absl::StrCat("decoding ", request->GetDescriptor()->name());
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
             absl::StrCat(what, ": ", status.ToString().substr(0, 200)));
  CheckAnswer(status, what);
  return false;
}

}  // namespace bulletin::fuzz
