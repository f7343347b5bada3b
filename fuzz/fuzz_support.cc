// FuzzInput, Quiet and the answer checks of fuzz_support.h.
#include "fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "google/protobuf/stubs/logging.h"
#include "spdlog/spdlog.h"

namespace bulletin::fuzz {

uint8_t FuzzInput::Byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }

uint64_t FuzzInput::Uint(int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes && i < 8; ++i) v |= static_cast<uint64_t>(Byte()) << (8 * i);
  return v;
}

absl::string_view FuzzInput::Take(size_t n) {
  const size_t k = std::min(n, remaining());
  absl::string_view out(data_ + pos_, k);
  pos_ += k;
  return out;
}

absl::string_view FuzzInput::Chunk() { return Take(static_cast<size_t>(Uint(2))); }

absl::string_view FuzzInput::Rest() { return Take(remaining()); }

void Quiet() {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
}

Caller CallerOf(uint8_t choice) {
  switch (choice % 6) {
    case 0:
      return std::nullopt;
    case 1:
      return Principal{Role::kAdmin, ""};
    case 2:
      return Principal{Role::kEditor, ""};
    case 3:
      return Principal{Role::kFrontend, ""};
    case 4:
      return Principal{Role::kPartner, "p1"};
    default:
      return Principal{Role::kPartner, "p2"};
  }
}

void Fail(const char* file, int line, absl::string_view what) {
  std::fprintf(stderr, "fuzz invariant failed at %s:%d: %.*s\n", file, line,
               static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

void CheckAnswer(const absl::Status& status, absl::string_view method) {
  static const bool trace = std::getenv("BULLETIN_FUZZ_TRACE") != nullptr;
  if (trace) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(method.size()), method.data(),
                 status.ToString().substr(0, 160).c_str());
  }
  switch (status.code()) {
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kDataLoss:
      Fail(__FILE__, __LINE__,
           absl::StrCat(method, " answered ", status.ToString().substr(0, 300)));
    default:
      break;
  }
  FUZZ_CHECK(status.message().size() <= kMaxStatusMessage,
             absl::StrCat(method, " answered a message of ", status.message().size(),
                          " bytes: ", Excerpt(status.message(), 200)));
  FUZZ_CHECK(IsValidUtf8(status.message()),
             absl::StrCat(method, " answered a message that is not UTF-8: ",
                          absl::CHexEscape(status.message().substr(0, 200))));
}

void CheckResponse(const google::protobuf::Message& response, absl::string_view method) {
  std::string bytes;
  FUZZ_CHECK(response.SerializeToString(&bytes),
             absl::StrCat(method, ": response not serialisable"));
  std::unique_ptr<google::protobuf::Message> back(response.New());
  FUZZ_CHECK(back->ParseFromString(bytes),
             absl::StrCat(method, ": response does not parse back (invalid UTF-8 in a string?): ",
                          response.ShortDebugString().substr(0, 300)));
}

bool ParseRequest(absl::string_view bytes, google::protobuf::Message* message) {
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void Resolve(const std::vector<std::string>& refs, std::string* value) {
  if (refs.empty() || value->empty() || (*value)[0] != '@') return;
  if (value->size() == 1) {
    *value = refs.back();
    return;
  }
  uint32_t n = 0;
  if (!absl::SimpleAtoi(absl::string_view(*value).substr(1), &n)) return;
  *value = refs[n % refs.size()];
}

}  // namespace bulletin::fuzz
