// The tokens file with secrets at rest: `sha256:HEX` entries stand for their token, errors
// never quote a token, and each principal's id (what rate limits count by).
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/auth.h"
#include "common/base/crypto.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

std::string HashedEntry(absl::string_view token) {
  return absl::StrCat("sha256:", absl::BytesToHexString(Sha256(token)));
}

TEST(HashedTokensTest, AHashedEntryStandsForItsToken) {
  // `printf %s editor-token-0123456789 | sha256sum`, as docs/operations.md says.
  constexpr char kEditorHash[] =
      "sha256:7e6daed05d39f20ace1ce85350b4bc688968d52a22e49acbc2d50caa27546405";
  const std::string file =
      absl::StrCat("editor ", kEditorHash, "\npartner ", HashedEntry("acme-token-0123456789"),
                   " acme\nadmin admin-token-in-clear-0123\n");
  ASSERT_OK_AND_ASSIGN(TokenStore store, TokenStore::Parse(file));
  EXPECT_EQ(store.size(), 3u);
  ASSERT_OK_AND_ASSIGN(Caller editor, store.Authenticate("Bearer editor-token-0123456789"));
  ASSERT_TRUE(editor.has_value());
  EXPECT_EQ(editor->role, Role::kEditor);
  ASSERT_OK_AND_ASSIGN(Caller partner, store.Authenticate("Bearer acme-token-0123456789"));
  ASSERT_TRUE(partner.has_value());
  EXPECT_EQ(partner->partner, "acme");
  ASSERT_OK_AND_ASSIGN(Caller admin, store.Authenticate("Bearer admin-token-in-clear-0123"));
  EXPECT_EQ(admin->role, Role::kAdmin);
  // The digest itself is not a token.
  EXPECT_THAT(store.Authenticate(absl::StrCat("Bearer ", HashedEntry("editor-token-0123456789"))),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store.Authenticate("Bearer editor-token-0123456780"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(HashedTokensTest, UpperCaseWorksToo) {
  // printf %s abc | sha256sum, upper-cased
  ASSERT_OK_AND_ASSIGN(
      TokenStore store,
      TokenStore::Parse(
          "frontend SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n"));
  ASSERT_OK_AND_ASSIGN(Caller caller, store.Authenticate("Bearer abc"));
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->role, Role::kFrontend);
}

TEST(HashedTokensTest, MalformedDigestsAreRefusedNamingTheLine) {
  const std::string good = HashedEntry("editor-token-0123456789");
  for (const std::string& entry :
       {good.substr(0, good.size() - 1), good + "0", absl::StrCat(good.substr(0, 70), "zz"),
        std::string("sha256:"), absl::StrCat("Sha256:", good.substr(8))}) {
    absl::StatusOr<TokenStore> store = TokenStore::Parse(absl::StrCat("# x\neditor ", entry));
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kInvalidArgument, "line 2")) << entry;
    if (entry.size() > 7) {
      EXPECT_EQ(store.status().message().find(entry.substr(7)), std::string::npos)
          << "an error quotes the entry: " << store.status();
    }
  }
}

TEST(HashedTokensTest, ATokenInClearAndItsDigestAreDuplicates) {
  EXPECT_THAT(TokenStore::Parse(absl::StrCat("editor editor-token-0123456789\nadmin ",
                                             HashedEntry("editor-token-0123456789"))),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 2: duplicate token"));
}

TEST(HashedTokensTest, ErrorsNeverQuoteAToken) {
  // Fields swapped: the token sits where the role belongs.
  absl::StatusOr<TokenStore> swapped = TokenStore::Parse("secret-token-0123456789 editor\n");
  EXPECT_THAT(swapped, StatusIs(absl::StatusCode::kInvalidArgument, "line 1: unknown role"));
  EXPECT_EQ(swapped.status().message().find("secret"), std::string::npos) << swapped.status();
  EXPECT_THAT(TokenStore::Parse("edtior editor-token-0123456789\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "\"edtior\""));
  absl::StatusOr<TokenStore> short_token = TokenStore::Parse("editor short-secret\n");
  EXPECT_EQ(short_token.status().message().find("short-secret"), std::string::npos);
}

TEST(PrincipalIdTest, PartnersShareAnIdOtherTokensHaveTheirLine) {
  ASSERT_OK_AND_ASSIGN(TokenStore store,
                       TokenStore::Parse("# header\n"
                                         "editor editor-token-one-0123456789\n"
                                         "partner acme-token-one-0123456789 acme\n"
                                         "partner acme-token-two-0123456789 acme\n"));
  ASSERT_OK_AND_ASSIGN(Caller editor, store.Authenticate("Bearer editor-token-one-0123456789"));
  EXPECT_EQ(editor->id, "editor@line 2");
  EXPECT_EQ(LimitKey(*editor), "editor@line 2");
  ASSERT_OK_AND_ASSIGN(Caller one, store.Authenticate("Bearer acme-token-one-0123456789"));
  ASSERT_OK_AND_ASSIGN(Caller two, store.Authenticate("Bearer acme-token-two-0123456789"));
  EXPECT_EQ(LimitKey(*one), "partner:acme");
  EXPECT_EQ(LimitKey(*two), "partner:acme");
  EXPECT_EQ(LimitKey(Principal{Role::kEditor, ""}), "role:editor");
  EXPECT_EQ(LimitKey(Principal{Role::kPartner, "beta"}), "partner:beta");
}

}  // namespace
}  // namespace bulletin
