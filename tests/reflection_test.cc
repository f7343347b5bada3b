// What grpcurl and grpc_cli would see: each real binary answers the reflection protocol
// with its own service, the health service and reflection itself, and can describe its
// methods (the file containing the service symbol). grpcurl is not packaged for Debian 12,
// so this test speaks the reflection protocol directly.
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <set>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/system.h"

namespace bulletin::testing {
namespace {

namespace rv = ::grpc::reflection::v1alpha;

class ReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status s = system_.Start();
    ASSERT_TRUE(s.ok()) << s;
  }

  // Sends one reflection request and returns the response.
  rv::ServerReflectionResponse Ask(const std::string& addr, const rv::ServerReflectionRequest& r) {
    auto stub = rv::ServerReflection::NewStub(
        grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
    auto ctx = Context();
    auto stream = stub->ServerReflectionInfo(ctx.get());
    rv::ServerReflectionResponse resp;
    EXPECT_TRUE(stream->Write(r));
    stream->WritesDone();
    EXPECT_TRUE(stream->Read(&resp));
    rv::ServerReflectionResponse extra;
    while (stream->Read(&extra)) {
    }
    EXPECT_TRUE(stream->Finish().ok());
    return resp;
  }

  System system_;
};

TEST_F(ReflectionTest, EachServiceListsItselfHealthAndReflection) {
  struct Case {
    std::string addr;
    std::string service;
  };
  for (const Case& c : {Case{system_.content_addr(), "bulletin.content.v1.ContentService"},
                        Case{system_.analytics_addr(), "bulletin.analytics.v1.AnalyticsService"},
                        Case{system_.notify_addr(), "bulletin.notify.v1.NotificationService"}}) {
    rv::ServerReflectionRequest list;
    list.set_list_services("*");
    rv::ServerReflectionResponse resp = Ask(c.addr, list);
    std::set<std::string> names;
    for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
    EXPECT_TRUE(names.count(c.service)) << c.addr;
    EXPECT_TRUE(names.count("grpc.health.v1.Health")) << c.addr;
    EXPECT_TRUE(names.count("grpc.reflection.v1alpha.ServerReflection")) << c.addr;

    // grpcurl's "describe" and request building need the service's file descriptor.
    rv::ServerReflectionRequest symbol;
    symbol.set_file_containing_symbol(c.service);
    resp = Ask(c.addr, symbol);
    ASSERT_GT(resp.file_descriptor_response().file_descriptor_proto_size(), 0) << c.addr;
    bool found = false;
    for (const std::string& bytes : resp.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(bytes));
      for (const auto& svc : file.service()) {
        if (file.package() + "." + svc.name() == c.service) found = svc.method_size() > 0;
      }
    }
    EXPECT_TRUE(found) << c.service << " not described by " << c.addr;
  }
}

}  // namespace
}  // namespace bulletin::testing
