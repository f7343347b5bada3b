#include "bench/chain_driver.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"

namespace bulletin::bench {

using Clock = std::chrono::steady_clock;

ChainDriver::ChainDriver(ChainOptions options, std::vector<ChainStep> steps)
    : o_(std::move(options)), steps_(std::move(steps)), bearer_("Bearer " + o_.token) {
  for (int c = 0; c < o_.connections; ++c) {
    std::vector<std::unique_ptr<grpc::GenericStub>> per_target;
    for (const std::string& target : o_.targets) {
      grpc::ChannelArguments args;
      args.SetInt("bench.connection", c);  // distinct args: a connection each
      per_target.push_back(std::make_unique<grpc::GenericStub>(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
    }
    stubs_.push_back(std::move(per_target));
  }
  for (const ChainStep& step : steps_) payloads_.emplace_back(step.request);
}

ChainResult ChainDriver::Run() {
  const int slots = static_cast<int>(o_.connections * o_.in_flight);
  slots_.resize(slots);
  const Clock::time_point start = Clock::now();
  for (int s = 0; s < slots; ++s) {
    slots_[s].connection = s % static_cast<int>(o_.connections);
    StartChain(&slots_[s]);
  }
  {
    absl::MutexLock lock(&mu_);
    auto all_done = [this, slots]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finished_ == slots; };
    mu_.Await(absl::Condition(&all_done));
  }
  ChainResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (Slot& s : slots_) {
    r.latencies_ms.insert(r.latencies_ms.end(), s.latencies.begin(), s.latencies.end());
    r.errors += s.errors;
  }
  r.chains = static_cast<int64_t>(r.latencies_ms.size()) + r.errors;
  r.reply_bytes = reply_bytes_.load();
  return r;
}

void ChainDriver::StartChain(Slot* s) {
  if (started_++ >= o_.chains) {
    absl::MutexLock lock(&mu_);
    ++finished_;
    return;
  }
  s->step = 0;
  s->start = Clock::now();
  Call(s);
}

void ChainDriver::Call(Slot* s) {
  const ChainStep& step = steps_[s->step];
  s->request = grpc::ByteBuffer(&payloads_[s->step], 1);
  s->ctx = std::make_unique<grpc::ClientContext>();
  if (!o_.token.empty()) s->ctx->AddMetadata("authorization", bearer_);
  stubs_[s->connection][step.target]->UnaryCall(
      s->ctx.get(), step.method, grpc::StubOptions(), &s->request, &s->response,
      [this, s](grpc::Status status) { Done(s, status); });
}

void ChainDriver::Done(Slot* s, const grpc::Status& status) {
  if (!status.ok()) {
    if (s->errors++ == 0) {
      std::fprintf(stderr, "error in %s: %s\n", steps_[s->step].method.c_str(),
                   status.error_message().c_str());
    }
    StartChain(s);
    return;
  }
  if (s->step + 1 < static_cast<int>(steps_.size())) {
    ++s->step;
    Call(s);
    return;
  }
  if (reply_bytes_.load(std::memory_order_relaxed) == 0) reply_bytes_ = s->response.Length();
  s->latencies.push_back(std::chrono::duration<float, std::milli>(Clock::now() - s->start).count());
  StartChain(s);
}

}  // namespace bulletin::bench
