// Bulletin's metrics API: a thin facade over prometheus-cpp's Registry (Debian's
// prometheus-cpp-dev), so services name a family once and then update children by label
// values in declaration order. A family owns one child per tuple of label values, created on
// first use and never removed, so a reference to a child stays valid for the registry's life.
// Everything here is thread-safe; updates go straight to prometheus-cpp's children.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace bulletin::metrics {

// A value that only goes up (requests handled, bytes sent).
class Counter {
 public:
  using Native = prometheus::Counter;
  explicit Counter(Native& native) : native_(native) {}

  // A `by` that is not positive (or NaN) is ignored: counters never go down.
  void Increment(double by = 1) {
    if (by > 0) native_.Increment(by);
  }
  double Value() const { return native_.Value(); }

 private:
  Native& native_;
};

// A value that goes up and down (queue length, a start time).
class Gauge {
 public:
  using Native = prometheus::Gauge;
  explicit Gauge(Native& native) : native_(native) {}

  void Set(double value) { native_.Set(value); }
  void Add(double by) { native_.Increment(by); }  // `by` may be negative
  double Value() const { return native_.Value(); }

 private:
  Native& native_;
};

// Counts observations into buckets by upper bound (`le`, inclusive), plus their sum.
class Histogram {
 public:
  using Native = prometheus::Histogram;
  explicit Histogram(Native& native) : native_(native) {}

  // NaN is ignored (it would poison the sum).
  void Observe(double value) {
    if (!std::isnan(value)) native_.Observe(value);
  }

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  Native& native_;
};

// The Prometheus client libraries' default buckets, in seconds: 5ms .. 10s.
const std::vector<double>& DefaultBuckets();

// One metric name with its label names and children. Made by Registry::Add*.
template <typename T>
class Family {
 public:
  // A family stops adding children past kMaxChildren label sets (a guard against unbounded
  // label values); later label sets share one child that is not exposed.
  static constexpr size_t kMaxChildren = 5000;

  using Child = T;
  using Native = prometheus::Family<typename T::Native>;
  Family(Native& native, std::vector<std::string> label_names, std::vector<double> bounds);

  // The child for `values`, one per label name in order (missing ones are empty strings,
  // extra ones dropped). Created on first use.
  T& WithLabels(std::vector<std::string> values) ABSL_LOCKS_EXCLUDED(mu_);
  // The child of a family without labels.
  T& Get() { return WithLabels({}); }

 private:
  // A native child outside any family (never exposed), and one added to `native_`.
  std::unique_ptr<typename T::Native> NewNative() const;
  typename T::Native& AddNative(const prometheus::Labels& labels);

  Native& native_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  const std::unique_ptr<typename T::Native> overflow_native_;
  const std::unique_ptr<T> overflow_;
  absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_ ABSL_GUARDED_BY(mu_);
};

// The metric families of a process (Default()) or of a test.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry that the service binaries serve on --metrics-listen.
  static Registry& Default();

  // Adds a family, or returns the existing one of that name. Adding a name again as another
  // type, or a name or label name Prometheus does not accept, is a programming error and
  // aborts. `help` may hold any text (newlines and backslashes are escaped).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {}) ABSL_LOCKS_EXCLUDED(mu_);
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {}) ABSL_LOCKS_EXCLUDED(mu_);
  // `bounds`: the buckets' upper bounds in any order; +Inf is always added.
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names = {},
                                  std::vector<double> bounds = DefaultBuckets())
      ABSL_LOCKS_EXCLUDED(mu_);

  // Every family that has a child, sorted by name, its children sorted by labels (so the
  // exposition is stable). This is what the metrics endpoint serves.
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the text exposition format 0.0.4, written by prometheus-cpp's
  // TextSerializer.
  std::string Render() const;

 private:
  using AnyFamily = std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
                                 std::unique_ptr<Family<Histogram>>>;
  template <typename T>
  Family<T>& Add(const std::string& name, const std::string& help,
                 std::vector<std::string> label_names, std::vector<double> bounds)
      ABSL_LOCKS_EXCLUDED(mu_);

  prometheus::Registry native_;
  absl::Mutex mu_;
  std::map<std::string, AnyFamily> families_ ABSL_GUARDED_BY(mu_);
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

}  // namespace bulletin::metrics
