#include "services/analytics/store/redis/view_journal.h"

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/analytics/core/trend.h"

namespace bulletin::analytics {
namespace {

constexpr char kVersion[] = "j1 ";
// Between records: ASCII RS, which no field holds (visitors are C-escaped, ids plain), so
// the entry is one line -- redis-benchmark (scripts/bench) gets it as one argument.
constexpr char kRecordEnd = '\x1e';

absl::Status Malformed(const std::string& id, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("journal entry ", id, ": ", why));
}

}  // namespace

size_t JournalBatch::views() const {
  size_t n = 0;
  for (const JournalGroup& g : groups) n += g.views.size();
  return n;
}

bool JournalBatch::MayDefer() const {
  for (const JournalGroup& g : groups) {
    for (const JournalView& v : g.views) {
      if (v.filtered == NotCounted::kNone) return true;
    }
  }
  return false;
}

std::string JournalPayload(const JournalBatch& batch) {
  std::string out = absl::StrCat(kVersion, absl::ToUnixMicros(batch.now));
  out += kRecordEnd;
  for (const JournalGroup& g : batch.groups) {
    absl::StrAppend(&out, "a ", g.article_id);
    out += kRecordEnd;
    for (const JournalView& v : g.views) {
      absl::StrAppend(&out, absl::CEscape(v.visitor), "\t", absl::ToUnixMicros(v.time), "\t",
                      static_cast<int>(v.filtered));
      out += kRecordEnd;
    }
  }
  return out;
}

absl::StatusOr<JournalBatch> ParseJournalEntry(const std::string& id, absl::string_view entry) {
  JournalBatch batch;
  batch.id = id;
  std::vector<absl::string_view> lines = absl::StrSplit(entry, kRecordEnd);
  if (lines.size() < 2 || !absl::ConsumePrefix(&lines[0], kVersion)) {
    return Malformed(id, "unknown version");
  }
  int64_t micros = 0;
  if (!absl::SimpleAtoi(lines[0], &micros)) return Malformed(id, "bad time");
  batch.now = absl::FromUnixMicros(micros);
  absl::string_view codes = lines.back();
  if (!absl::ConsumePrefix(&codes, "c ")) return Malformed(id, "no codes");
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    absl::string_view line = lines[i];
    if (absl::ConsumePrefix(&line, "a ")) {
      batch.groups.push_back({std::string(line), {}});
      continue;
    }
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    JournalView v;
    int filtered = 0;
    if (batch.groups.empty() || f.size() != 3 || !absl::CUnescape(f[0], &v.visitor) ||
        !absl::SimpleAtoi(f[1], &micros) || !absl::SimpleAtoi(f[2], &filtered) || filtered < 0 ||
        filtered > static_cast<int>(NotCounted::kDuplicateRequest)) {
      return Malformed(id, absl::StrCat("line ", i + 1));
    }
    v.time = absl::FromUnixMicros(micros);
    v.filtered = static_cast<NotCounted>(filtered);
    batch.groups.back().views.push_back(std::move(v));
  }
  std::vector<absl::string_view> each =
      codes.empty() ? std::vector<absl::string_view>{} : absl::StrSplit(codes, ',');
  if (each.size() != batch.views()) return Malformed(id, "codes do not match the views");
  size_t c = 0;
  for (JournalGroup& g : batch.groups) {
    for (JournalView& v : g.views) {
      int code = 0;
      if (!absl::SimpleAtoi(each[c++], &code) || code < 0) return Malformed(id, "bad code");
      v.counted = code / 4 == 0;
    }
  }
  return batch;
}

void AddJournalBatch(const JournalBatch& batch, ViewAggregate& out) {
  const absl::Time here_after = batch.now - absl::Minutes(kVisitorsNowMinutes);
  for (const JournalGroup& g : batch.groups) {
    absl::Time minute = absl::InfinitePast(), landmark;
    ViewAggregate::Entry* entry = nullptr;
    for (const JournalView& v : g.views) {
      const absl::Time m =
          absl::UnixEpoch() + absl::Floor(v.time - absl::UnixEpoch(), absl::Minutes(1));
      if (m != minute) {  // the views of a batch mostly share their minute
        minute = m;
        landmark = TrendLandmark(minute);
        entry = &out.EntryOf(g.article_id, minute);
      }
      // A visitor seen recently is "here now" even when the view is a repeat.
      if (v.filtered == NotCounted::kNone && v.time > here_after) {
        out.AddHere(*entry, minute, v.visitor);
      }
      if (!v.counted) continue;
      ++entry->counted;
      out.AddVisitor(*entry, minute, v.visitor);
      for (int s = 0; s < kTrendScaleCount; ++s) {
        // Forward decay: the weight grows with time instead of old scores shrinking, so
        // a view adds once; readers scale by 2^(-(now - landmark) / half-life).
        entry->trend[s] += TrendWeight(v.time, landmark, kTrendScales[s]);
      }
    }
  }
}

}  // namespace bulletin::analytics
