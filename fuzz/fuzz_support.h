// What every fuzz target in fuzz/ shares: FuzzInput, a cursor that turns the fuzzer's bytes
// into choices and strings (reading past the end gives zeros and empty strings, never an
// error); FUZZ_CHECK, an invariant whose failure prints why and aborts, so libFuzzer and
// fuzz_replay_test both report it as a crash; and the checks every service target applies
// to what a core answers. Quiet() turns logging off once per process. Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/base/auth.h"
#include "google/protobuf/message.h"

namespace bulletin::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  // One byte; 0 once the input is used up.
  uint8_t Byte();
  bool Bool() { return (Byte() & 1) != 0; }
  // `bytes` (at most 8) bytes, little-endian.
  uint64_t Uint(int bytes);
  // Up to `n` bytes.
  absl::string_view Take(size_t n);
  // A two-byte little-endian length, then that many bytes (fewer at the end of the input).
  absl::string_view Chunk();
  // Everything not read yet.
  absl::string_view Rest();

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Logging off: spdlog's default logger and protobuf's log handler. Idempotent.
void Quiet();

// A caller chosen by one byte: anonymous, admin, editor, frontend, partner "p1", partner "p2".
Caller CallerOf(uint8_t choice);

// Prints "fuzz invariant failed at FILE:LINE: WHAT" to stderr and aborts.
[[noreturn]] void Fail(const char* file, int line, absl::string_view what);

#define FUZZ_CHECK(cond, what)                                     \
  do {                                                             \
    if (!(cond)) ::bulletin::fuzz::Fail(__FILE__, __LINE__, what); \
  } while (0)

// The longest status message a core may answer (issue 13: bounded, short excerpts only).
inline constexpr size_t kMaxStatusMessage = 1024;

// What every answer of a core to a request that parsed must satisfy: not UNKNOWN,
// INTERNAL, UNIMPLEMENTED or DATA_LOSS (the in-memory stores never fail), a message of
// at most kMaxStatusMessage bytes in valid UTF-8. `method` names the call in the report.
// With BULLETIN_FUZZ_TRACE set, every answer is printed (to see what a seed reaches).
void CheckAnswer(const absl::Status& status, absl::string_view method);

// A response message serialises and parses back (every string field valid UTF-8, so a
// client can read it).
void CheckResponse(const google::protobuf::Message& response, absl::string_view method);

// Parses `bytes` into `message`; false (the input is skipped) when it is not a valid
// encoding.
bool ParseRequest(absl::string_view bytes, google::protobuf::Message* message);

// Replaces a reference "@N" in `*value` by refs[N % refs.size()] and "@" by refs.back()
// (ids, etags or tokens answered earlier to the same input, which the fuzzer cannot guess);
// anything else, or any value while `refs` is empty, is left alone.
void Resolve(const std::vector<std::string>& refs, std::string* value);

}  // namespace bulletin::fuzz
