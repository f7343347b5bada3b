// SecretKeyring (unit): the keys file formats, sealing and opening with AES-256-GCM, the
// binding to a context, rotation (the first key seals, every key opens) and the errors of
// a missing key or an altered value. No files, no network.
#include "services/notifications/secrets/secret_keyring.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "common/testing/status_matchers.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;

const std::string kKeyA(64, 'a');
const std::string kKeyB = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

SecretKeyring Ring(const std::string& contents) {
  absl::StatusOr<SecretKeyring> ring = SecretKeyring::Parse(contents, "keys");
  EXPECT_OK(ring);
  return *std::move(ring);
}

TEST(NotifySecretKeyringTest, KeysFileFormats) {
  SecretKeyring hex = Ring("# rotated 2024-06\n" + kKeyB + "\n\n" + kKeyA + "  # old\n");
  ASSERT_EQ(hex.key_ids().size(), 2u);
  EXPECT_EQ(hex.key_ids()[0].size(), 8u);
  SecretKeyring raw = Ring(absl::HexStringToBytes(kKeyA));  // 32 raw bytes
  ASSERT_EQ(raw.key_ids().size(), 1u);
  EXPECT_EQ(raw.key_ids()[0], hex.key_ids()[1]);  // the id is the key's fingerprint
  for (const std::string& bad : {std::string(""), std::string("# nothing\n"), kKeyA + "0",
                                 std::string(64, 'g'), kKeyA + "\n" + kKeyA + "\n"}) {
    absl::StatusOr<SecretKeyring> r = SecretKeyring::Parse(bad, "--secrets-key-file");
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument, "--secrets-key-file: ")) << bad;
    EXPECT_EQ(r.status().message().find(kKeyA), std::string::npos);  // never quotes a key
  }
  EXPECT_THAT(SecretKeyring::Load("/nonexistent/keys"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--secrets-key-file"));
}

TEST(NotifySecretKeyringTest, LoadsAKeysFile) {
  const std::string path = ::testing::TempDir() + "/notify-secrets-keys";
  {
    std::ofstream out(path, std::ios::trunc);
    out << "# new key first\n" << kKeyB << "\n" << kKeyA << "\n";
  }
  ASSERT_OK_AND_ASSIGN(SecretKeyring ring, SecretKeyring::Load(path));
  EXPECT_EQ(ring.key_ids(), Ring(kKeyB + "\n" + kKeyA).key_ids());
  std::remove(path.c_str());
}

TEST(NotifySecretKeyringTest, SealsWithTheFirstKeyAndOpensWithAny) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  SecretKeyring a = Ring(kKeyA);
  std::string sealed = a.Seal(secret, "sub-1");
  EXPECT_TRUE(SecretKeyring::IsSealed(sealed));
  EXPECT_TRUE(a.IsCurrent(sealed));
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  EXPECT_EQ(sealed.find("MfKQ9r8G"), std::string::npos);
  EXPECT_NE(a.Seal(secret, "sub-1"), sealed);  // a fresh nonce every time
  ASSERT_OK_AND_ASSIGN(std::string back, a.Open(sealed, "sub-1"));
  EXPECT_EQ(back, secret);

  // Rotation: B first seals, A still opens what A sealed.
  SecretKeyring rotated = Ring(kKeyB + "\n" + kKeyA + "\n");
  EXPECT_FALSE(rotated.IsCurrent(sealed));
  ASSERT_OK_AND_ASSIGN(back, rotated.Open(sealed, "sub-1"));
  EXPECT_EQ(back, secret);
  std::string resealed = rotated.Seal(secret, "sub-1");
  EXPECT_TRUE(rotated.IsCurrent(resealed));
  // Once A is dropped, A's values fail clearly, naming the key they need.
  SecretKeyring only_b = Ring(kKeyB);
  EXPECT_OK(only_b.Open(resealed, "sub-1"));
  absl::Status missing = only_b.Open(sealed, "sub-1").status();
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kFailedPrecondition, "--secrets-key-file"));
  EXPECT_NE(missing.message().find(a.key_ids()[0]), std::string::npos) << missing;
}

TEST(NotifySecretKeyringTest, AlteredOrMovedValuesDoNotOpen) {
  SecretKeyring a = Ring(kKeyA);
  const std::string sealed = a.Seal("whsec_abc", "sub-1");
  EXPECT_THAT(a.Open(sealed, "sub-2"), StatusIs(absl::StatusCode::kDataLoss));
  for (size_t i = sealed.rfind(':') + 1; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(a.Open(altered, "sub-1").ok()) << i;
  }
  EXPECT_THAT(a.Open("enc:v1:" + a.key_ids()[0] + ":AAAA", "sub-1"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_FALSE(SecretKeyring::IsSealed("whsec_abc"));
}

}  // namespace
}  // namespace bulletin::notify
