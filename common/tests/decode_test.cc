// decode.h: a request that does not parse is INVALID_ARGUMENT naming the field at fault,
// found by walking the wire format (here with protobuf's own well-known messages).
#include "common/grpc/decode.h"

#include <gtest/gtest.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/struct.pb.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string Field(int number, const std::string& payload) {
  return Varint((static_cast<uint64_t>(number) << 3) | 2) + Varint(payload.size()) + payload;
}

constexpr char kBad[] = "\xC3\x28\xFF\xFE";

TEST(DecodeMessage, ParsesAValidMessage) {
  google::protobuf::FieldMask mask;
  mask.add_paths("title");
  google::protobuf::FieldMask decoded;
  ASSERT_OK(DecodeMessage(mask.SerializeAsString(), &decoded));
  EXPECT_EQ(decoded.paths(0), "title");
}

TEST(DecodeMessage, NamesARepeatedStringByIndex) {
  google::protobuf::FieldMask mask;
  const std::string bytes = Field(1, "title") + Field(1, kBad);
  EXPECT_THAT(DecodeMessage(bytes, &mask),
              StatusIs(absl::StatusCode::kInvalidArgument, "paths[1]: not valid UTF-8"));
}

TEST(DecodeMessage, NamesAMapValueByItsKeyAndUsesThePrefix) {
  // Struct{fields: {"lang": Value{string_value (3): <bad>}}}
  const std::string entry = Field(1, "lang") + Field(2, Field(3, kBad));
  google::protobuf::Struct s;
  absl::Status status = DecodeMessage(Field(1, entry), &s, "items[2].");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(status.message(), "items[2].fields[lang].string_value: not valid UTF-8");
}

TEST(DecodeMessage, NamesATruncatedField) {
  google::protobuf::FieldMask mask;
  const std::string whole = Field(1, "0123456789");
  EXPECT_THAT(DecodeMessage(whole.substr(0, whole.size() - 3), &mask),
              StatusIs(absl::StatusCode::kInvalidArgument, "paths[0]: truncated"));
}

TEST(DecodeMessage, GarbageIsMalformedRequest) {
  google::protobuf::FieldMask mask;
  EXPECT_THAT(DecodeMessage(std::string(12, '\xFF'), &mask),
              StatusIs(absl::StatusCode::kInvalidArgument, "request: malformed"));
  // An end-group tag with nothing open.
  EXPECT_THAT(DecodeMessage(std::string("\x0C", 1), &mask),
              StatusIs(absl::StatusCode::kInvalidArgument, "request: malformed"));
}

TEST(DecodeMessage, DeepNestingIsBoundedNotACrash) {
  // ListValue{values: Value{list_value: ListValue{...}}} 200 levels deep.
  std::string bytes = Field(3, kBad);                               // Value.string_value
  for (int i = 0; i < 200; ++i) bytes = Field(6, Field(1, bytes));  // Value.list_value.values
  google::protobuf::Value value;
  absl::Status status = DecodeMessage(bytes, &value);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_LE(status.message().size(), 4096u);
}

}  // namespace
}  // namespace bulletin
