// DecodedService: the base of every Bulletin gRPC adapter. It registers each method of a
// protobuf service as a raw (ByteBuffer) callback method and decodes requests itself
// (decode.h), so a request that does not parse is INVALID_ARGUMENT naming the field, not
// gRPC's empty UNIMPLEMENTED. Every call resolves its caller once (UNAUTHENTICATED for a
// bad token), passes the gate (rate limits) and only then decodes. Unary handlers run on a
// WorkerPool (unless a ReplyReuse answers the call on the callback thread); asynchronous unary
// handlers and stream factories run on the callback thread and must not block. Register every
// method in the adapter's constructor; Complete() says which are missing or mistyped. Thread-safe
// once serving; SetGate before serving.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/method_handler.h>

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/base/auth.h"
#include "common/base/status_macros.h"
#include "common/base/worker_pool.h"
#include "common/grpc/call.h"
#include "common/grpc/decode.h"
#include "common/grpc/status.h"
#include "google/protobuf/descriptor.h"

namespace bulletin {

// Decides whether a call may start: OK, or e.g. RESOURCE_EXHAUSTED with a retry delay.
// `method` is the full path ("/bulletin.content.v1.ContentService/GetArticle").
using CallGate = std::function<absl::Status(const grpc::ServerContextBase& context,
                                            const Caller& caller, absl::string_view method)>;

namespace internal_decoded {

// One asynchronous unary call in flight: its request, its response, and the reactor.
class AsyncCallBase {
 public:
  virtual ~AsyncCallBase() = default;
  // Serialises the response when `status` is OK, finishes the call, deletes this.
  virtual void Finish(const absl::Status& status) = 0;
};

template <typename Req, typename Resp>
class AsyncCall final : public AsyncCallBase {
 public:
  AsyncCall(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
            grpc::ByteBuffer* out)
      : context_(context), reactor_(reactor), out_(out) {}
  void Finish(const absl::Status& status) override {
    if (status.ok()) EncodeMessage(response, out_);
    reactor_->Finish(ToGrpcStatus(status, context_));
    delete this;
  }
  Req request;
  Resp response;

 private:
  grpc::CallbackServerContext* const context_;
  grpc::ServerUnaryReactor* const reactor_;
  grpc::ByteBuffer* const out_;
};

// Stream reactors for a call refused before its handler ran.
class RefusedRead final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedRead(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};
class RefusedWrite final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit RefusedWrite(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace internal_decoded

// Reuse of earlier replies for a unary method (e.g. a cache of public reads), so that a
// call it can answer is finished on the callback thread without the worker pool's hand-off.
// Implementations are thread-safe; Lookup must not block.
class ReplyReuse {
 public:
  virtual ~ReplyReuse() = default;
  // On the callback thread, once the call was admitted. True: `*out` is the reply.
  virtual bool Lookup(const Caller& caller, const grpc::ByteBuffer& in, grpc::ByteBuffer* out) = 0;
  // On the worker, before the handler runs (e.g. the generation of the data it reads).
  virtual uint64_t Ticket() = 0;
  // On the worker, after the handler succeeded; `out` holds the encoded reply.
  virtual void Store(uint64_t ticket, const Caller& caller, const grpc::ByteBuffer& in,
                     const google::protobuf::Message& request, const grpc::ByteBuffer& out) = 0;
};

// Finishes an asynchronous unary call exactly once. Copyable; call it once.
class UnaryDone {
 public:
  explicit UnaryDone(internal_decoded::AsyncCallBase* call) : call_(call) {}
  void operator()(const absl::Status& status) const { call_->Finish(status); }

 private:
  internal_decoded::AsyncCallBase* call_;
};

class DecodedService : public grpc::Service {
 public:
  // "bulletin.content.v1.ContentService".
  const std::string& name() const { return descriptor_.full_name(); }

  // Installs the gate every call passes after its caller is known (a call whose token
  // does not authenticate passes it as anonymous first, so guessing tokens is limited
  // too). Call before serving.
  void SetGate(CallGate gate) { gate_ = std::move(gate); }

  // The full names of the registered methods ("/package.Service/Method").
  std::vector<std::string> methods() const { return {paths_.begin(), paths_.end()}; }

  // OK when every method of the service has a handler of the right types; otherwise
  // INTERNAL listing what is missing (a programming error: the server refuses to start).
  absl::Status Complete() const;

 protected:
  // `service` is the generated service's service_full_name(); it must be linked in.
  // `tokens` and `pool` must outlive the service.
  DecodedService(const char* service, const TokenStore& tokens, WorkerPool& pool);

  // absl::Status Self::handler(const Caller&, const Req*, Resp*), run on the pool.
  template <typename Self, typename Req, typename Resp>
  void Unary(absl::string_view method,
             absl::Status (Self::*handler)(const Caller&, const Req*, Resp*)) {
    Self* self = static_cast<Self*>(this);
    const std::string* path = Declare(method, grpc::internal::RpcMethod::NORMAL_RPC,
                                      Req::descriptor(), Resp::descriptor());
    Attach(new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
        [this, self, handler, path](grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
          return RunUnary(context, pool_, [=]() -> absl::Status {
            ASSIGN_OR_RETURN(const Caller caller, Admit(*context, *path));
            Req request;
            RETURN_IF_ERROR(DecodeMessage(*in, &request));
            Resp response;
            RETURN_IF_ERROR((self->*handler)(caller, &request, &response));
            EncodeMessage(response, out);
            return absl::OkStatus();
          });
        }));
  }

  // As Unary, with earlier replies reused through `reuse` (must outlive the service): the
  // call is admitted on the callback thread and finished there when reuse->Lookup answers
  // it; otherwise the handler runs on the pool and its reply is offered to reuse->Store.
  template <typename Self, typename Req, typename Resp>
  void Unary(absl::string_view method,
             absl::Status (Self::*handler)(const Caller&, const Req*, Resp*), ReplyReuse* reuse) {
    Self* self = static_cast<Self*>(this);
    const std::string* path = Declare(method, grpc::internal::RpcMethod::NORMAL_RPC,
                                      Req::descriptor(), Resp::descriptor());
    Attach(new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
        [this, self, handler, path, reuse](grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
          absl::StatusOr<Caller> admitted = Admit(*context, *path);
          if (!admitted.ok() || reuse->Lookup(*admitted, *in, out)) {
            grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
            reactor->Finish(ToGrpcStatus(admitted.status(), context));
            return reactor;
          }
          return RunUnary(context, pool_, [=, caller = *std::move(admitted)]() -> absl::Status {
            const uint64_t ticket = reuse->Ticket();
            Req request;
            RETURN_IF_ERROR(DecodeMessage(*in, &request));
            Resp response;
            RETURN_IF_ERROR((self->*handler)(caller, &request, &response));
            EncodeMessage(response, out);
            reuse->Store(ticket, caller, *in, request, *out);
            return absl::OkStatus();
          });
        }));
  }

  // void Self::handler(const Caller&, const Req*, Resp*, UnaryDone done), run on the
  // callback thread; `done` finishes the call (request and response live until then).
  template <typename Self, typename Req, typename Resp>
  void AsyncUnary(absl::string_view method,
                  void (Self::*handler)(const Caller&, const Req*, Resp*, UnaryDone)) {
    Self* self = static_cast<Self*>(this);
    const std::string* path = Declare(method, grpc::internal::RpcMethod::NORMAL_RPC,
                                      Req::descriptor(), Resp::descriptor());
    Attach(new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
        [this, self, handler, path](grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
          grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
          auto* call = new internal_decoded::AsyncCall<Req, Resp>(context, reactor, out);
          absl::StatusOr<Caller> caller = Admit(*context, *path);
          absl::Status decoded = caller.ok() ? DecodeMessage(*in, &call->request) : caller.status();
          if (!decoded.ok()) {
            call->Finish(decoded);
          } else {
            (self->*handler)(*caller, &call->request, &call->response, UnaryDone(call));
          }
          return reactor;
        }));
  }

  // A client stream: Self::factory(context, caller, response) returns the reactor, which
  // decodes its items (DecodeMessage with an "items[i]." prefix) and encodes `response`.
  template <typename Self, typename Req, typename Resp>
  void ClientStream(absl::string_view method,
                    grpc::ServerReadReactor<grpc::ByteBuffer>* (Self::*factory)(
                        grpc::CallbackServerContext*, const Caller&, grpc::ByteBuffer*)) {
    Self* self = static_cast<Self*>(this);
    const std::string* path = Declare(method, grpc::internal::RpcMethod::CLIENT_STREAMING,
                                      Req::descriptor(), Resp::descriptor());
    Attach(new grpc::internal::CallbackClientStreamingHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
        [this, self, factory, path](
            grpc::CallbackServerContext* context,
            grpc::ByteBuffer* response) -> grpc::ServerReadReactor<grpc::ByteBuffer>* {
          absl::StatusOr<Caller> caller = Admit(*context, *path);
          if (!caller.ok()) {
            return new internal_decoded::RefusedRead(ToGrpcStatus(caller.status(), context));
          }
          return (self->*factory)(context, *caller, response);
        }));
  }

  // A server stream: Self::factory(context, caller, request) returns the reactor, which
  // writes encoded (EncodeMessage) responses.
  template <typename Self, typename Req, typename Resp>
  void ServerStream(absl::string_view method,
                    grpc::ServerWriteReactor<grpc::ByteBuffer>* (Self::*factory)(
                        grpc::CallbackServerContext*, const Caller&, const Req&)) {
    Self* self = static_cast<Self*>(this);
    const std::string* path = Declare(method, grpc::internal::RpcMethod::SERVER_STREAMING,
                                      Req::descriptor(), Resp::descriptor());
    Attach(new grpc::internal::CallbackServerStreamingHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
        [this, self, factory, path](
            grpc::CallbackServerContext* context,
            const grpc::ByteBuffer* in) -> grpc::ServerWriteReactor<grpc::ByteBuffer>* {
          absl::StatusOr<Caller> caller = Admit(*context, *path);
          Req request;
          absl::Status decoded = caller.ok() ? DecodeMessage(*in, &request) : caller.status();
          if (!decoded.ok()) {
            return new internal_decoded::RefusedWrite(ToGrpcStatus(decoded, context));
          }
          return (self->*factory)(context, *caller, request);
        }));
  }

  WorkerPool& pool() const { return pool_; }

 private:
  // Adds the method's RpcServiceMethod; the returned path lives as long as the service.
  const std::string* Declare(absl::string_view method, grpc::internal::RpcMethod::RpcType type,
                             const google::protobuf::Descriptor* request,
                             const google::protobuf::Descriptor* response);
  // Installs the raw handler of the method Declare added last.
  void Attach(grpc::internal::MethodHandler* handler);
  // The caller, once the gate let it through.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               const std::string& path) const;

  const google::protobuf::ServiceDescriptor& descriptor_;
  const TokenStore& tokens_;
  WorkerPool& pool_;
  CallGate gate_;
  std::deque<std::string> paths_;      // stable addresses for RpcServiceMethod names
  std::vector<std::string> problems_;  // mistyped or unknown methods, for Complete()
};

}  // namespace bulletin
