#include "common/grpc/decode.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace bulletin {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// protobuf's own default nesting limit.
constexpr int kMaxDepth = 100;

// Map keys quoted in paths are cut to this many bytes.
constexpr size_t kMaxKeyExcerpt = 24;

std::string Join(absl::string_view path, absl::string_view name) {
  return path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
}

bool Utf8Checked(const FieldDescriptor& field) {
  return field.type() == FieldDescriptor::TYPE_STRING &&
         field.file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
}

class Walker {
 public:
  // The first problem in `bytes` as a `descriptor` message at `path`, or "" when none.
  std::string Message(absl::string_view bytes, const Descriptor& descriptor,
                      const std::string& path, int depth) {
    if (depth > kMaxDepth) return Problem(path, "nested too deeply");
    CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                        static_cast<int>(bytes.size()));
    std::vector<int> seen(descriptor.field_count(), 0);  // occurrences, for "[i]"
    while (true) {
      const uint32_t tag = in.ReadTag();
      if (tag == 0) {
        if (in.CurrentPosition() < static_cast<int>(bytes.size()) || !in.ConsumedEntireMessage()) {
          return Problem(
              path, absl::StrCat("malformed (bad field tag at byte ", in.CurrentPosition(), ")"));
        }
        return "";
      }
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      const WireFormatLite::WireType wire = WireFormatLite::GetTagWireType(tag);
      if (wire == WireFormatLite::WIRETYPE_END_GROUP || number == 0) {
        return Problem(
            path, absl::StrCat("malformed (bad field tag at byte ", in.CurrentPosition(), ")"));
      }
      const FieldDescriptor* field = descriptor.FindFieldByNumber(number);
      if (field == nullptr || wire != WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
          (field->type() != FieldDescriptor::TYPE_STRING &&
           field->type() != FieldDescriptor::TYPE_MESSAGE)) {
        // Scalars, packed scalars and unknown fields: only their framing can be wrong.
        if (!WireFormatLite::SkipField(&in, tag)) {
          const std::string name =
              field == nullptr ? absl::StrCat("field ", number) : field->name();
          return Problem(Join(path, name), "truncated or malformed");
        }
        continue;  // (a mismatched wire type is kept by protobuf as an unknown field)
      }
      std::string name = field->name();
      if (field->is_repeated() && !field->is_map()) {
        absl::StrAppend(&name, "[", seen[field->index()], "]");
      }
      ++seen[field->index()];
      std::string value;
      uint32_t length;
      if (!in.ReadVarint32(&length) || !in.ReadString(&value, static_cast<int>(length))) {
        return Problem(Join(path, name), "truncated");
      }
      std::string problem;
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        if (Utf8Checked(*field) && !IsValidUtf8(value)) {
          problem = Problem(Join(path, name), "not valid UTF-8");
        }
      } else if (field->is_map()) {
        problem = MapEntry(value, *field->message_type(), Join(path, name), depth + 1);
      } else {
        problem = Message(value, *field->message_type(), Join(path, name), depth + 1);
      }
      if (!problem.empty()) return problem;
    }
  }

 private:
  static std::string Problem(absl::string_view path, absl::string_view what) {
    return absl::StrCat(path.empty() ? "request" : path, ": ", what);
  }

  // A map entry is a message {key = 1, value = 2}; its value is named "path[key]".
  std::string MapEntry(absl::string_view bytes, const Descriptor& entry, const std::string& path,
                       int depth) {
    const FieldDescriptor& key_field = *entry.map_key();
    const FieldDescriptor& value_field = *entry.map_value();
    std::string key;
    CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                        static_cast<int>(bytes.size()));
    while (uint32_t tag = in.ReadTag()) {
      if (WireFormatLite::GetTagFieldNumber(tag) == key_field.number() &&
          WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED &&
          key_field.type() == FieldDescriptor::TYPE_STRING) {
        uint32_t length;
        if (!in.ReadVarint32(&length) || !in.ReadString(&key, static_cast<int>(length))) break;
        if (!IsValidUtf8(key)) return Problem(path, "a key is not valid UTF-8");
        continue;
      }
      if (!WireFormatLite::SkipField(&in, tag)) break;
    }
    const std::string value_path = absl::StrCat(path, "[", Excerpt(key, kMaxKeyExcerpt), "]");
    CodedInputStream again(reinterpret_cast<const uint8_t*>(bytes.data()),
                           static_cast<int>(bytes.size()));
    while (true) {
      const uint32_t tag = again.ReadTag();
      if (tag == 0) {
        if (again.CurrentPosition() < static_cast<int>(bytes.size())) {
          return Problem(value_path, "malformed");
        }
        return "";
      }
      const int number = WireFormatLite::GetTagFieldNumber(tag);
      if (number == value_field.number() &&
          WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED &&
          (value_field.type() == FieldDescriptor::TYPE_STRING ||
           value_field.type() == FieldDescriptor::TYPE_MESSAGE)) {
        std::string value;
        uint32_t length;
        if (!again.ReadVarint32(&length) || !again.ReadString(&value, static_cast<int>(length))) {
          return Problem(value_path, "truncated");
        }
        if (value_field.type() == FieldDescriptor::TYPE_MESSAGE) {
          std::string problem = Message(value, *value_field.message_type(), value_path, depth + 1);
          if (!problem.empty()) return problem;
        } else if (Utf8Checked(value_field) && !IsValidUtf8(value)) {
          return Problem(value_path, "not valid UTF-8");
        }
        continue;
      }
      if (!WireFormatLite::SkipField(&again, tag)) return Problem(value_path, "truncated");
    }
  }
};

}  // namespace

std::string DescribeDecodeError(absl::string_view bytes,
                                const google::protobuf::Descriptor& descriptor) {
  std::string problem = Walker().Message(bytes, descriptor, "", 0);
  if (problem.empty()) {
    problem = absl::StrCat("request: not a valid ", descriptor.full_name(), " message");
  }
  return problem;
}

absl::Status DecodeMessage(absl::string_view bytes, google::protobuf::Message* message,
                           absl::string_view prefix) {
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, DescribeDecodeError(bytes, *message->GetDescriptor())));
}

absl::Status DecodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message* message,
                           absl::string_view prefix) {
  grpc::Slice slice;
  if (buffer.TrySingleSlice(&slice).ok()) {
    return DecodeMessage(
        absl::string_view(reinterpret_cast<const char*>(slice.begin()), slice.size()), message,
        prefix);
  }
  if (!buffer.DumpToSingleSlice(&slice).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "request: unreadable message"));
  }
  return DecodeMessage(
      absl::string_view(reinterpret_cast<const char*>(slice.begin()), slice.size()), message,
      prefix);
}

void EncodeMessage(const google::protobuf::Message& message, grpc::ByteBuffer* buffer) {
  buffer->Clear();  // the serialiser requires an empty buffer
  bool own_buffer;
  grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, buffer, &own_buffer);
}

}  // namespace bulletin
