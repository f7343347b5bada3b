// The trend score of TRENDING top lists, the same for every ViewStore. A view at time t
// adds TrendWeight(t, landmark) = 2^((t - landmark) / half-life) to its article's sum for
// the landmark (the start of t's UTC week), so a view is added once and never decays in
// storage; a reader scales a sum by TrendDecay(now, landmark). A decayed sum D estimates
// the rate D * ln2 / half-life views per hour, and an article scores
// rate(fast) / max(rate(slow), kTrendFloorPerHour). Pure functions.
#pragma once

#include "absl/time/time.h"
#include "services/analytics/core/view_types.h"

namespace bulletin::analytics {

// The half-lives of the decayed sums.
enum class TrendScale { k1h, k24h, k168h };
inline constexpr TrendScale kTrendScales[] = {TrendScale::k1h, TrendScale::k24h, TrendScale::k168h};
inline constexpr int kTrendScaleCount = 3;

// A page with fewer views than this per hour in the long run counts as this many.
inline constexpr double kTrendFloorPerHour = 2.0;
// Landmarks are weekly; readers add the previous landmark's sums too.
inline constexpr absl::Duration kTrendLandmarkStep = absl::Hours(24 * 7);

absl::Duration HalfLife(TrendScale scale);

// The start of t's UTC week (Monday).
absl::Time TrendLandmark(absl::Time t);

// 2^((view - landmark) / half-life): what a view adds to the sum of `landmark`.
double TrendWeight(absl::Time view, absl::Time landmark, TrendScale scale);

// 2^(-(now - landmark) / half-life): the factor that decays the sum of `landmark` to now.
double TrendDecay(absl::Time now, absl::Time landmark, TrendScale scale);

// ln 2 / half-life in hours: a decayed sum times this is views per hour.
double TrendRatePerHour(TrendScale scale);

// The short and the long scale of a TRENDING window: LAST_HOUR compares 1 h against 24 h,
// LAST_DAY 24 h against 7 days.
TrendScale FastScale(Window window);
TrendScale SlowScale(Window window);

}  // namespace bulletin::analytics
