// Fuzz target tokens_file: the operator's tokens file (common/base/auth.h TokenStore::Parse)
// and the `authorization` header of every call (TokenStore::Authenticate). Besides not
// crashing: a file that parses authenticates each of its plain tokens as the role on its
// line (sha256: lines are digests and cannot be presented; a token holding other ASCII
// whitespace or control characters than the separators is not one a client can send), and
// an absent header is the anonymous caller. Input: a chunk (the header), then the file's text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/auth.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;        // NOLINT
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const std::string header(in.Chunk());
  const std::string text(in.Rest());

  absl::StatusOr<TokenStore> store = TokenStore::Parse(text);
  if (!store.ok()) {
    FUZZ_CHECK(store.status().code() == absl::StatusCode::kInvalidArgument,
               "Parse: " + store.status().ToString().substr(0, 200));
    return 0;
  }
  absl::StatusOr<Caller> anonymous = store->Authenticate(std::nullopt);
  FUZZ_CHECK(anonymous.ok() && !anonymous->has_value(), "no header is not anonymous");
  absl::StatusOr<Caller> caller = store->Authenticate(header);
  FUZZ_CHECK(caller.ok() ? caller->has_value()
                         : caller.status().code() == absl::StatusCode::kUnauthenticated,
             "Authenticate: " + caller.status().ToString().substr(0, 200));

  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() < 2 || absl::StartsWithIgnoreCase(parts[1], "sha256:") ||
        !std::all_of(parts[1].begin(), parts[1].end(),
                     [](char c) { return c > ' ' && c != 0x7F; })) {
      continue;
    }
    absl::StatusOr<Caller> who = store->Authenticate(absl::StrCat("Bearer ", parts[1]));
    FUZZ_CHECK(who.ok() && who->has_value(),
               absl::StrCat("a token of the file does not authenticate: ",
                            who.status().ToString().substr(0, 200)));
    FUZZ_CHECK(RoleName((*who)->role) == parts[0], "a token authenticates with another role");
  }
  return 0;
}
