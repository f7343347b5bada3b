#include "services/analytics/store/redis/updates_file.h"

#include <unistd.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/analytics/core/spill_file.h"

namespace bulletin::analytics {
namespace {

constexpr char kUpdatesHeader[] = "# bulletin-analytics updates v1";

}  // namespace

absl::Status WriteUpdatesFile(const std::string& path, const std::vector<SiteDelta::Call>& calls) {
  std::string text = absl::StrCat(kUpdatesHeader, "\n");
  for (const SiteDelta::Call& call : calls) {
    absl::StrAppend(&text, "call ", call.keys.size(), " ", call.args.size(), "\n");
    for (const std::string& k : call.keys) absl::StrAppend(&text, absl::CEscape(k), "\n");
    for (const std::string& a : call.args) absl::StrAppend(&text, absl::CEscape(a), "\n");
  }
  return WriteFileAtomically(path, text);
}

absl::StatusOr<std::vector<SiteDelta::Call>> ReadUpdatesFile(const std::string& path) {
  std::vector<SiteDelta::Call> calls;
  std::ifstream in(path);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0) return calls;
    return absl::InvalidArgumentError(absl::StrCat("--spill-file: cannot read \"", path, "\""));
  }
  std::string line;
  int n = 0;
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("--spill-file: \"", path, "\" line ", n, " is malformed"));
  };
  auto next = [&](std::string* out) {
    ++n;
    return static_cast<bool>(std::getline(in, line)) && absl::CUnescape(line, out);
  };
  std::string header;
  if (!next(&header) || header != kUpdatesHeader) return bad();
  std::string head;
  while (next(&head)) {
    std::vector<std::string> f = absl::StrSplit(head, ' ');
    size_t keys = 0, args = 0;
    if (f.size() != 3 || f[0] != "call" || !absl::SimpleAtoi(f[1], &keys) ||
        !absl::SimpleAtoi(f[2], &args) || keys > 1000000 || args > 1000000) {
      return bad();
    }
    SiteDelta::Call call;
    call.keys.resize(keys);
    call.args.resize(args);
    for (std::string& k : call.keys) {
      if (!next(&k)) return bad();
    }
    for (std::string& a : call.args) {
      if (!next(&a)) return bad();
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

}  // namespace bulletin::analytics
