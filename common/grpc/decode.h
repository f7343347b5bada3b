// Decoding requests in Bulletin's own code. gRPC's generated callback handlers answer a
// message that does not parse with UNIMPLEMENTED and an empty message before any handler
// runs; Bulletin's services take raw bytes instead (decoded_service.h) and decode them
// here, so such a request is INVALID_ARGUMENT naming the field that broke it, e.g.
// "article.translations[en].title: not valid UTF-8". The field is found by walking the
// wire format against the message's descriptor, only after the fast parse failed.
// Pure functions, thread-safe.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace bulletin {

// Parses `bytes` into `*message` (cleared first). On failure: INVALID_ARGUMENT whose
// message starts with the path of the field at fault, prefixed by `prefix` (e.g.
// "views[3]." for an item of a stream), or "request: ..." when no field can be named.
absl::Status DecodeMessage(absl::string_view bytes, google::protobuf::Message* message,
                           absl::string_view prefix = "");
absl::Status DecodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message* message,
                           absl::string_view prefix = "");

// Serialises `message` into `*buffer`, replacing what it held.
void EncodeMessage(const google::protobuf::Message& message, grpc::ByteBuffer* buffer);

// Why `bytes` is not a valid `descriptor` message: "<path>: <problem>" (without prefix).
// Exposed for tests and fuzzing; "request: ..." when the walk finds no field at fault.
std::string DescribeDecodeError(absl::string_view bytes,
                                const google::protobuf::Descriptor& descriptor);

}  // namespace bulletin
