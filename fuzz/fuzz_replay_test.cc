// fuzz_replay_test: every file of fuzz/corpus/<target>/ and fuzz/regressions/<target>/
// run through its fuzz target (compiled here without libFuzzer, LLVMFuzzerTestOneInput
// renamed BulletinFuzz_<target>), so the seeds and every crash a fuzzer ever found stay
// tests of the ordinary build. A target's invariant failure aborts the binary, which
// CTest reports as a failure. fuzz/pending/ (reproducers waiting for a fix) is not run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct FuzzTarget {
  const char* name;
  int (*run)(const uint8_t*, size_t);
};

#include "fuzz_targets.inc"

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class FuzzReplayTest : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplayTest, SeedsAndRegressionsRunClean) {
  const fs::path root(BULLETIN_FUZZ_DIR);
  const std::vector<fs::path> seeds = FilesIn(root / "corpus" / GetParam().name);
  ASSERT_FALSE(seeds.empty()) << "no seed corpus in fuzz/corpus/" << GetParam().name;
  std::vector<fs::path> files = seeds;
  for (const fs::path& p : FilesIn(root / "regressions" / GetParam().name)) files.push_back(p);
  for (const fs::path& path : files) {
    SCOPED_TRACE(path.string());
    // Printed first: a target that aborts or crashes ends the binary before gtest reports.
    std::fprintf(stderr, "replaying %s\n", path.c_str());
    const std::string bytes = Read(path);
    EXPECT_EQ(GetParam().run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(kFuzzTargets),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) {
                           return std::string(info.param.name);
                         });

// A folder of corpus/, regressions/ or pending/ that names no target would never run.
TEST(FuzzReplay, EveryFolderNamesATarget) {
  std::set<std::string> names;
  for (const FuzzTarget& t : kFuzzTargets) names.insert(t.name);
  const fs::path root(BULLETIN_FUZZ_DIR);
  for (const char* kind : {"corpus", "regressions", "pending"}) {
    if (!fs::is_directory(root / kind)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(root / kind)) {
      EXPECT_TRUE(names.count(e.path().filename().string()) > 0)
          << e.path() << " names no fuzz target";
    }
  }
}

}  // namespace
