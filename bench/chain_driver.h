// ChainDriver: a closed-loop gRPC load client over the generic stub. Each of
// connections x in_flight slots runs a chain of unary calls (one call, or the several a
// web page makes, in order), then starts the next chain, until `chains` were started.
// Request bytes are built by the caller before the clock starts, so the floor and a
// Bulletin method see exactly the same client; latency is per chain. Run() once; the
// driver's own threads are gRPC's callback threads (state per slot, a counter shared).
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace bulletin::bench {

// One call of a chain: the target (index into the driver's targets), the method path
// ("/echo.Echo/Echo") and the serialized request.
struct ChainStep {
  int target = 0;
  std::string method;
  std::string request;
};

struct ChainOptions {
  std::vector<std::string> targets;  // HOST:PORT of each server the chain calls
  std::string token;                 // bearer token sent with every call ("" = none)
  int64_t chains = 10000;
  int64_t connections = 4;  // HTTP/2 connections per target
  int64_t in_flight = 16;   // chains in flight per connection
};

struct ChainResult {
  int64_t chains = 0, errors = 0;
  double seconds = 0;
  std::vector<float> latencies_ms;  // per completed chain
  size_t reply_bytes = 0;           // bytes of the last step's first reply
};

class ChainDriver {
 public:
  ChainDriver(ChainOptions options, std::vector<ChainStep> steps);
  ChainResult Run();

 private:
  struct Slot {
    int connection = 0;
    int step = 0;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer request, response;
    std::chrono::steady_clock::time_point start;
    std::vector<float> latencies;
    int64_t errors = 0;
  };
  void StartChain(Slot* s);
  void Call(Slot* s);
  void Done(Slot* s, const grpc::Status& status);

  const ChainOptions o_;
  const std::vector<ChainStep> steps_;
  const std::string bearer_;
  std::vector<grpc::Slice> payloads_;  // one per step
  // stubs_[connection][target]
  std::vector<std::vector<std::unique_ptr<grpc::GenericStub>>> stubs_;
  std::vector<Slot> slots_;
  std::atomic<int64_t> started_{0};
  std::atomic<size_t> reply_bytes_{0};
  absl::Mutex mu_;
  int finished_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::bench
