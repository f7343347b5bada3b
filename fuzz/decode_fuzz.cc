// Fuzz target decode: how every request reaches Bulletin (common/grpc/decode.h): bytes
// decoded as the request message of any method of the three services (found through the
// service descriptors, so a new method is fuzzed without a change here) or as an
// ArticleEvent. Besides not crashing: DecodeMessage accepts exactly what protobuf parses,
// a decoded message parses back after encoding, a refusal is INVALID_ARGUMENT starting
// with the prefix, short and valid UTF-8, and the bytes split into a multi-slice
// ByteBuffer decode the same way. Input: a byte (message type), a byte (prefix and slice
// cuts), the rest (the request bytes).
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.pb.h"
#include "bulletin/events/v1/events.pb.h"
#include "bulletin/notify/v1/notify.pb.h"
#include "common/base/text_rules.h"
#include "common/grpc/decode.h"
#include "fuzz/fuzz_support.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace bulletin::fuzz {
namespace {

namespace pb = google::protobuf;

// Every request type of every method, then ArticleEvent.
const std::vector<const pb::Descriptor*>& Types() {
  static const auto* types = [] {
    auto* out = new std::vector<const pb::Descriptor*>();
    // The files of the three contracts (referenced, so their descriptors are linked in).
    for (const pb::FileDescriptor* file :
         {content::v1::GetArticleRequest::descriptor()->file(),
          analytics::v1::GetStatsRequest::descriptor()->file(),
          notify::v1::GetSubscriptionRequest::descriptor()->file()}) {
      FUZZ_CHECK(file->service_count() > 0, file->name() + " declares no service");
      for (int s = 0; s < file->service_count(); ++s) {
        for (int m = 0; m < file->service(s)->method_count(); ++m) {
          out->push_back(file->service(s)->method(m)->input_type());
        }
      }
    }
    out->push_back(events::v1::ArticleEvent::descriptor());
    return out;
  }();
  return *types;
}

std::unique_ptr<pb::Message> New(const pb::Descriptor* type) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

// `bytes` as a ByteBuffer of up to four slices, cut where `cuts` says.
grpc::ByteBuffer Sliced(absl::string_view bytes, uint8_t cuts) {
  std::vector<grpc::Slice> slices;
  size_t from = 0;
  for (int i = 0; i < 3 && from < bytes.size(); ++i) {
    const size_t len = ((cuts >> (2 * i)) & 3) * (bytes.size() / 5 + 1);
    const size_t n = std::min(len, bytes.size() - from);
    slices.emplace_back(bytes.data() + from, n);
    from += n;
  }
  slices.emplace_back(bytes.data() + from, bytes.size() - from);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;        // NOLINT
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const auto& types = Types();
  const google::protobuf::Descriptor* type = types[in.Byte() % types.size()];
  const uint8_t shape = in.Byte();
  const std::string prefix = (shape & 0x80) != 0 ? "views[3]." : "";
  const absl::string_view bytes = in.Rest();
  const std::string name = type->full_name();

  std::unique_ptr<google::protobuf::Message> message = New(type);
  const absl::Status st = DecodeMessage(bytes, message.get(), prefix);
  std::unique_ptr<google::protobuf::Message> parsed = New(type);
  const bool parses = parsed->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  FUZZ_CHECK(st.ok() == parses, absl::StrCat(name, ": DecodeMessage says ", st.ToString(),
                                             " but protobuf ", parses ? "parses it" : "does not"));
  if (st.ok()) {
    CheckResponse(*message, name);
  } else {
    FUZZ_CHECK(st.code() == absl::StatusCode::kInvalidArgument, name + ": " + st.ToString());
    FUZZ_CHECK(absl::StartsWith(st.message(), prefix), name + ": no prefix: " + st.ToString());
    CheckAnswer(st, name);
    const std::string why = DescribeDecodeError(bytes, *type);
    FUZZ_CHECK(why.size() <= kMaxStatusMessage && IsValidUtf8(why),
               name + ": DescribeDecodeError: " + Excerpt(why, 200));
  }

  std::unique_ptr<google::protobuf::Message> from_buffer = New(type);
  const absl::Status sliced = DecodeMessage(Sliced(bytes, shape), from_buffer.get(), prefix);
  FUZZ_CHECK(sliced == st, absl::StrCat(name, ": a ByteBuffer decodes to ", sliced.ToString(),
                                        ", the same bytes to ", st.ToString()));
  return 0;
}
