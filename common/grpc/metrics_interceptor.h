// Server-side gRPC metrics under the names go-grpc-prometheus uses, so existing
// dashboards and alerts work unchanged:
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} (histogram)
//   grpc_server_msg_received_total / grpc_server_msg_sent_total{grpc_type,grpc_service,grpc_method}
// grpc_type is unary, client_stream, server_stream or bidi_stream; grpc_code is the Go
// name of the status code (OK, InvalidArgument, Unavailable, ...). GrpcServer installs the
// interceptor on every server; the factory is thread-safe.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "common/metrics/metrics.h"

namespace bulletin {

// "OK", "Canceled", ..., "Unauthenticated": the names go-grpc-prometheus puts in grpc_code.
std::string GrpcCodeName(grpc::StatusCode code);

// An interceptor factory recording into `registry` (not owned; must outlive the server).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewMetricsInterceptorFactory(
    metrics::Registry* registry);

}  // namespace bulletin
