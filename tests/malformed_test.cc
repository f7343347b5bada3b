// The wire layer, tried as a hostile client would: every method of every service of the
// real binaries gets a request with invalid UTF-8 in a string field, a truncated one and
// garbage bytes, sent as raw bytes over real gRPC (GenericStub), and must answer
// INVALID_ARGUMENT naming the field -- never gRPC's empty UNIMPLEMENTED -- while each
// service stays SERVING and logs no protobuf error line per request.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

constexpr char kBadUtf8[] = "\xC3\x28\xFF\xFE";

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A length-delimited field: tag, length, payload.
std::string Field(int number, const std::string& payload) {
  return Varint((static_cast<uint64_t>(number) << 3) | 2) + Varint(payload.size()) + payload;
}

// A string field of `d` (depth-first, at most two levels down) with the path an error names,
// and the bytes of a `d` message whose string there is `value`. False when none.
bool StringField(const Descriptor& d, const std::string& value, int depth, std::string* path,
                 std::string* bytes) {
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor& f = *d.field(i);
    if (f.type() == FieldDescriptor::TYPE_STRING) {
      *path = f.is_repeated() ? f.name() + "[0]" : f.name();
      *bytes = Field(f.number(), value);
      return true;
    }
  }
  if (depth >= 2) return false;
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor& f = *d.field(i);
    if (f.type() != FieldDescriptor::TYPE_MESSAGE || f.is_map()) continue;
    if (f.message_type()->full_name().rfind("google.protobuf.", 0) == 0) continue;
    std::string inner_path, inner;
    if (StringField(*f.message_type(), value, depth + 1, &inner_path, &inner)) {
      *path = (f.is_repeated() ? f.name() + "[0]" : f.name()) + "." + inner_path;
      *bytes = Field(f.number(), inner);
      return true;
    }
  }
  return false;
}

// Sends `messages` as raw request messages of `method` and returns the call's status.
grpc::Status SendRaw(const std::string& addr, const std::string& token, const std::string& method,
                     const std::vector<std::string>& messages) {
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::ClientContext> context = Context(token);
  auto call = stub.PrepareCall(context.get(), method, &cq);
  void* tag;
  bool ok;
  auto wait = [&] { return cq.Next(&tag, &ok) && ok; };
  call->StartCall(reinterpret_cast<void*>(1));
  bool open = wait();
  for (const std::string& m : messages) {
    if (!open) break;
    grpc::Slice slice(m);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    open = wait();
  }
  if (open) {
    call->WritesDone(reinterpret_cast<void*>(3));
    wait();
  }
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(4));
  wait();
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class MalformedRequestTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(system_.Start().ok()) << system_.Logs(); }
  void TearDown() override {
    if (HasFailure()) std::cerr << system_.Logs();
  }

  // A token the method's decoding is reached with (RecordViews checks its role first).
  static std::string TokenFor(const MethodDescriptor& m) {
    if (m.service()->name() == "AnalyticsService") return kFrontendToken;
    if (m.service()->name() == "NotificationService") return kPartnerToken;
    return kAdminToken;
  }

  System system_;
};

TEST_F(MalformedRequestTest, EveryMethodOfEveryServiceNamesTheField) {
  const std::pair<const char*, Service> services[] = {
      {"bulletin.content.v1.ContentService", Service::kContent},
      {"bulletin.analytics.v1.AnalyticsService", Service::kAnalytics},
      {"bulletin.notify.v1.NotificationService", Service::kNotifications}};
  int calls = 0;
  for (const auto& [name, service] : services) {
    const ServiceDescriptor* sd =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(sd, nullptr) << name;
    for (int i = 0; i < sd->method_count(); ++i) {
      const MethodDescriptor& m = *sd->method(i);
      const std::string path = absl::StrCat("/", sd->full_name(), "/", m.name());
      // RecordViews names the item: "views[0].".
      const std::string prefix = m.client_streaming() ? "views[0]." : "";
      std::string field, bad_utf8;
      ASSERT_TRUE(StringField(*m.input_type(), kBadUtf8, 0, &field, &bad_utf8)) << path;
      // A cut message: the outermost field is the one whose bytes are missing.
      std::string truncated_field, whole;
      StringField(*m.input_type(), "0123456789", 0, &truncated_field, &whole);
      truncated_field = truncated_field.substr(0, truncated_field.find('.'));
      const struct {
        const char* kind;
        std::string bytes;
        std::string expected;
      } cases[] = {
          {"invalid UTF-8", bad_utf8, prefix + field + ": not valid UTF-8"},
          {"truncated", whole.substr(0, whole.size() - 4),
           prefix + truncated_field + ": truncated"},
          {"garbage", std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 11),
           prefix + "request: malformed"},
      };
      for (const auto& c : cases) {
        grpc::Status status = SendRaw(system_.addr(service), TokenFor(m), path, {c.bytes});
        ++calls;
        EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << path << " " << c.kind << ": " << status.error_message();
        EXPECT_TRUE(absl::StartsWith(status.error_message(), c.expected))
            << path << " " << c.kind << ": \"" << status.error_message()
            << "\" does not start with \"" << c.expected << "\"";
      }
    }
    EXPECT_TRUE(IsServing(system_.addr(service))) << name;
  }
  EXPECT_GE(calls, 3 * (17 + 6 + 12));
  // protobuf's parse errors go to the debug level only (anyone could flood the log).
  for (absl::string_view line : absl::StrSplit(system_.Logs(), '\n')) {
    if (absl::StrContains(line, "invalid UTF-8 data")) {
      EXPECT_TRUE(absl::StrContains(line, " D [")) << line;
    }
  }
}

TEST_F(MalformedRequestTest, NestedFieldIsNamedWithItsMapKey) {
  // CreateArticleRequest{article{translations{"en": {title: <bad>}}}}: article = 1.
  const Descriptor& article = *content::v1::Article::descriptor();
  const FieldDescriptor* translations = article.FindFieldByName("translations");
  ASSERT_NE(translations, nullptr);
  const FieldDescriptor* title =
      translations->message_type()->map_value()->message_type()->FindFieldByName("title");
  ASSERT_NE(title, nullptr);
  const std::string entry = Field(1, "en") + Field(2, Field(title->number(), kBadUtf8));
  const std::string request =
      Field(content::v1::CreateArticleRequest::descriptor()->FindFieldByName("article")->number(),
            Field(translations->number(), entry));
  grpc::Status status = SendRaw(system_.content_addr(), kEditorToken,
                                "/bulletin.content.v1.ContentService/CreateArticle", {request});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "article.translations[en].title: not valid UTF-8");
}

TEST_F(MalformedRequestTest, RecordViewsBadItemEndsTheCallWithItsIndexAndTheTally) {
  analytics::v1::RecordViewRequest view;
  view.set_article_id(system_.demo_article_id());
  view.set_visitor_id("visitor-malformed-1");
  const std::string good = view.SerializeAsString();
  view.set_visitor_id("visitor-malformed-2");
  const std::string good2 = view.SerializeAsString();
  const std::string bad =
      Field(analytics::v1::RecordViewRequest::descriptor()->FindFieldByName("article_id")->number(),
            kBadUtf8);
  grpc::Status status =
      SendRaw(system_.analytics_addr(), kFrontendToken,
              "/bulletin.analytics.v1.AnalyticsService/RecordViews", {good, bad, good2, good2});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "views[1].article_id: not valid UTF-8"))
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "(before it: 1 item received, "))
      << status.error_message();
}

}  // namespace
}  // namespace bulletin::testing
