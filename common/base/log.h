// Logging setup: one named spdlog logger per service, as text or as JSON lines.
//
// InitLogging() is called once from main before any thread starts; afterwards
// Logger() returns the process's default logger (thread-safe, as spdlog's are).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "spdlog/spdlog.h"

namespace bulletin {

// format: "text" or "json"; level: trace, debug, info, warn, error.
// Returns InvalidArgument naming --log-format or --log-level for an unknown value.
absl::Status InitLogging(const std::string& service, const std::string& format,
                         const std::string& level);

// The service's logger (spdlog's default logger once InitLogging ran).
std::shared_ptr<spdlog::logger> Logger();

// Escapes `s` for inclusion inside a JSON string literal (quotes not added).
std::string JsonEscape(std::string_view s);

}  // namespace bulletin
