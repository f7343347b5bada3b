#include "services/analytics/core/trend.h"

#include <cmath>

namespace bulletin::analytics {

absl::Duration HalfLife(TrendScale scale) {
  switch (scale) {
    case TrendScale::k1h:
      return absl::Hours(1);
    case TrendScale::k24h:
      return absl::Hours(24);
    case TrendScale::k168h:
      break;
  }
  return absl::Hours(168);
}

absl::Time TrendLandmark(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  const int back =
      (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) % 7;
  return absl::FromCivil(day - back, absl::UTCTimeZone());
}

double TrendWeight(absl::Time view, absl::Time landmark, TrendScale scale) {
  return std::exp2((view - landmark) / HalfLife(scale));
}

double TrendDecay(absl::Time now, absl::Time landmark, TrendScale scale) {
  return std::exp2(-((now - landmark) / HalfLife(scale)));
}

double TrendRatePerHour(TrendScale scale) {
  return std::log(2.0) / absl::ToDoubleHours(HalfLife(scale));
}

TrendScale FastScale(Window window) {
  return window == Window::kLastHour ? TrendScale::k1h : TrendScale::k24h;
}

TrendScale SlowScale(Window window) {
  return window == Window::kLastHour ? TrendScale::k24h : TrendScale::k168h;
}

}  // namespace bulletin::analytics
