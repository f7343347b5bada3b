// In-process metrics in the Prometheus data model: counters, gauges and histograms with
// labels, rendered in the text exposition format 0.0.4.
//
// A Registry owns metric families by name; a family owns one child per tuple of label
// values, created on first use and never removed, so a reference to a child stays valid for
// the registry's life. Updating a child is lock-free (atomics); finding a child takes a
// shared lock (an exclusive one only the first time). Everything here is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace bulletin::metrics {

// A value that only goes up (requests handled, bytes sent).
class Counter {
 public:
  void Increment(double by = 1);  // a negative `by` is ignored: counters never go down
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (queue length, a start time).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets by upper bound (`le`, inclusive), plus their sum.
class Histogram {
 public:
  // `bounds`: sorted upper bounds, without +Inf.
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return *bounds_; }

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative; bounds_->size() + 1
  std::atomic<double> sum_{0};
};

// The Prometheus client libraries' default buckets, in seconds: 5ms .. 10s.
const std::vector<double>& DefaultBuckets();

// One metric name with its help text, label names and children.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  // Appends the HELP and TYPE lines and every child's samples.
  void Render(std::string* out) const;

 protected:
  // Appends the samples of every child.
  virtual void RenderChildren(std::string* out) const = 0;
  // `name{labels} value` for one sample; `labels` may be empty.
  void AppendSample(const std::string& suffix, const std::string& labels, double value,
                    std::string* out) const;
  // `a="x",b="y"` for the values of one child (label values escaped).
  std::string LabelText(const std::vector<std::string>& values) const;

  const std::string name_;
  const std::string help_;
  const std::string type_;
  const std::vector<std::string> label_names_;
};

template <typename T>
class Family : public FamilyBase {
 public:
  // A family stops adding children past `max_children` label sets (a guard against
  // unbounded label values); later label sets share one child that is not rendered.
  static constexpr size_t kMaxChildren = 5000;

  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : FamilyBase(std::move(name), std::move(help), std::move(type), std::move(label_names)),
        make_(std::move(make)),
        overflow_(make_()) {}

  // The child for `values`, one per label name in order (missing ones are empty strings,
  // extra ones dropped). Created on first use.
  T& WithLabels(std::vector<std::string> values) {
    values.resize(label_names_.size());
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
    if (children_.size() >= kMaxChildren) return *overflow_;
    return *children_.emplace(std::move(values), make_()).first->second;
  }
  // The child of a family without labels.
  T& Get() { return WithLabels({}); }

 protected:
  void RenderChildren(std::string* out) const override;

 private:
  const std::function<std::unique_ptr<T>()> make_;
  const std::unique_ptr<T> overflow_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_ ABSL_GUARDED_BY(mu_);
};

// Counters and gauges: one sample per child.
template <typename T>
void Family<T>::RenderChildren(std::string* out) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [values, child] : children_) {
    AppendSample("", LabelText(values), child->Value(), out);
  }
}

// Histograms: _bucket per bound and +Inf, _sum, _count.
template <>
void Family<Histogram>::RenderChildren(std::string* out) const;

// The metric families of a process (Default()) or of a test.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry that the service binaries serve on --metrics-listen.
  static Registry& Default();

  // Adds a family, or returns the existing one of that name. Adding a name again as
  // another type is a programming error and aborts.
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names = {},
                                  std::vector<double> bounds = DefaultBuckets());

  // Every family, sorted by name, in the text exposition format 0.0.4.
  std::string Render() const;

 private:
  FamilyBase& Add(const std::string& name, const std::string& type,
                  const std::function<std::unique_ptr<FamilyBase>()>& make);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
};

// Text-format helpers, exposed for tests.
std::string FormatValue(double value);                   // 1, 0.25, +Inf, NaN
std::string EscapeLabelValue(const std::string& value);  // \\ \" \n
std::string EscapeHelp(const std::string& help);         // \\ \n

}  // namespace bulletin::metrics
