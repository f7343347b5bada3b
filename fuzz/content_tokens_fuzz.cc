// Fuzz target content_tokens: content's signed page and preview tokens
// (services/content/core/signed_token.h). A token from outside is verified for every
// purpose the service uses; fields from the input are signed and must verify to the same
// fields for their purpose only; a token changed in one byte must never verify to other
// fields (base64 may decode a changed character to the same bytes; that is no forgery).
// Input: a chunk (a token as a client sends it), a byte (which byte to change), then the
// fields to sign separated by NUL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "fuzz/fuzz_support.h"
#include "services/content/core/signed_token.h"

namespace {

constexpr const char* kPurposes[] = {"preview", "page:articles", "page:revisions", "page:search",
                                     "page:categories"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin::content;  // NOLINT
  using namespace bulletin::fuzz;     // NOLINT
  Quiet();
  static const TokenSigner signer("fuzz-key-0123456789abcdef");
  static const TokenSigner other("another-key-0123456789abcdef");
  FuzzInput in(data, size);
  const std::string token(in.Chunk());
  const uint8_t change = in.Byte();
  const std::vector<std::string> fields = absl::StrSplit(in.Rest(), '\0');

  for (const char* purpose : kPurposes) (void)signer.Verify(purpose, token);

  bool plain = true;
  for (const std::string& f : fields) plain = plain && f.find('\x1f') == std::string::npos;
  const char* purpose = kPurposes[change % 5];
  const std::string signed_token = signer.Sign(purpose, fields);
  const auto back = signer.Verify(purpose, signed_token);
  FUZZ_CHECK(back.has_value(), "a token does not verify: " + signed_token.substr(0, 200));
  if (plain) FUZZ_CHECK(*back == fields, "a token verifies to other fields");
  FUZZ_CHECK(!signer.Verify(kPurposes[(change + 1) % 5], signed_token),
             "a token verifies for another purpose");
  FUZZ_CHECK(!other.Verify(purpose, signed_token), "a token verifies with another key");

  std::string altered = signed_token;
  const size_t at = (static_cast<size_t>(change) * 131 + in.remaining()) % altered.size();
  altered[at] = static_cast<char>(altered[at] ^ (1 + (change >> 5)));
  const auto forged = signer.Verify(purpose, altered);
  FUZZ_CHECK(!forged || *forged == *back, "an altered token verifies to other fields");

  (void)Fingerprint(fields);
  return 0;
}
