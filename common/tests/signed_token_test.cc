// common/base/signed_token.h: a token reads back only with the key and purpose it was made
// for, and any alteration -- of the payload, the MAC, or their encoding -- is refused.
#include "common/base/signed_token.h"

#include <gtest/gtest.h>

#include <string>

namespace bulletin {
namespace {

constexpr char kKey[] = "signed-token-test-key-0123456789";

TEST(SignedTokenTest, ReadsBackWithTheSameKeyAndPurposeOnly) {
  const std::string token = SignToken(kKey, "page:articles",
                                      "cursor\x1f"
                                      "42");
  EXPECT_EQ(VerifyToken(kKey, "page:articles", token),
            "cursor\x1f"
            "42");
  EXPECT_EQ(VerifyToken(kKey, "preview", token), std::nullopt);
  EXPECT_EQ(VerifyToken("another-key-0123456789abcdef", "page:articles", token), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, "", SignToken(kKey, "", "")), "");
}

TEST(SignedTokenTest, EveryAlterationIsRefused) {
  const std::string token = SignToken(kKey, "list", "position-7");
  const size_t dot = token.find('.');
  ASSERT_NE(dot, std::string::npos);
  for (size_t i = 0; i < token.size(); ++i) {
    if (i == dot) continue;
    for (char c : std::string("AQgw-_")) {
      if (token[i] == c) continue;
      std::string altered = token;
      altered[i] = c;
      EXPECT_EQ(VerifyToken(kKey, "list", altered), std::nullopt) << altered;
    }
  }
  EXPECT_EQ(VerifyToken(kKey, "list", token.substr(0, dot)), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, "list", token + "="), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, "list", token + "A"), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, "list", ""), std::nullopt);
  // Another payload cannot borrow this MAC.
  const std::string other = SignToken(kKey, "list", "position-8");
  EXPECT_EQ(VerifyToken(kKey, "list", other.substr(0, other.find('.')) + token.substr(dot)),
            std::nullopt);
}

}  // namespace
}  // namespace bulletin
