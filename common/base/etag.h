// Optimistic concurrency, once for every service: a core answers a write with a stale etag
// with StaleEtag(...), an ABORTED status that carries the current etag as a payload, and
// ToGrpcStatus (common/grpc/status.h) sends that payload to the client as the trailing
// metadata `bulletin-current-etag`. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bulletin {

// The payload type URL of the status and the name of the gRPC trailer.
inline constexpr char kCurrentEtagKey[] = "bulletin-current-etag";

// ABORTED: "FIELD: "GIVEN" is stale; the current etag is "CURRENT"", with CURRENT as the
// payload. `given` is quoted as a short excerpt.
absl::Status StaleEtag(absl::string_view field, absl::string_view given, absl::string_view current);

// The current etag a status carries, if any.
std::optional<std::string> CurrentEtagOf(const absl::Status& status);

}  // namespace bulletin
