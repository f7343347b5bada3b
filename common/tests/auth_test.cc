#include "common/base/auth.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "common/base/crypto.h"

namespace bulletin {
namespace {

constexpr char kFile[] = R"(# demo tokens
admin   admin-token-0123456789
editor  editor-token-0123456789
partner partner-token-0123456789 acme
)";

TEST(AuthTest, ResolvesRolesAndPartners) {
  auto store = TokenStore::Parse(kFile);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->size(), 3u);
  auto caller = store->Authenticate("Bearer partner-token-0123456789");
  ASSERT_TRUE(caller.ok());
  ASSERT_TRUE(caller->has_value());
  EXPECT_EQ((*caller)->role, Role::kPartner);
  EXPECT_EQ((*caller)->partner, "acme");
  EXPECT_TRUE(RequireRole(*caller, {Role::kPartner}).ok());
  EXPECT_EQ(RequireRole(*caller, {Role::kEditor, Role::kAdmin}).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AuthTest, AnonymousAndUnknownTokens) {
  auto store = TokenStore::Parse(kFile);
  ASSERT_TRUE(store.ok());
  auto anon = store->Authenticate(std::nullopt);
  ASSERT_TRUE(anon.ok());
  EXPECT_FALSE(anon->has_value());
  EXPECT_EQ(RequireRole(*anon, {Role::kEditor}).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(store->Authenticate("Bearer wrong-token-0123456789").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(store->Authenticate("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(AuthTest, RejectsBadFiles) {
  EXPECT_FALSE(TokenStore::Parse("root some-token-0123456789").ok());
  EXPECT_FALSE(TokenStore::Parse("partner some-token-0123456789").ok());
  EXPECT_FALSE(TokenStore::Parse("editor short").ok());
  EXPECT_FALSE(TokenStore::Parse("editor same-token-0123456789\nadmin same-token-0123456789").ok());
  EXPECT_EQ(TokenStore::LoadFile("/nonexistent/tokens").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace bulletin

namespace bulletin {
namespace {

TEST(CryptoTest, KnownAnswers) {
  // FIPS 180-2 "abc" and RFC 4231 test case 2.
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(absl::BytesToHexString(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace bulletin
