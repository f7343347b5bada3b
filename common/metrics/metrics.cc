#include "common/metrics/metrics.h"

#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <type_traits>

namespace bulletin::metrics {
namespace {

template <typename T>
constexpr const char* TypeName() {
  if constexpr (std::is_same_v<T, Counter>) {
    return "counter";
  } else if constexpr (std::is_same_v<T, Gauge>) {
    return "gauge";
  } else {
    return "histogram";
  }
}

template <typename T>
auto NativeBuilder() {
  if constexpr (std::is_same_v<T, Counter>) {
    return prometheus::BuildCounter();
  } else if constexpr (std::is_same_v<T, Gauge>) {
    return prometheus::BuildGauge();
  } else {
    return prometheus::BuildHistogram();
  }
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::abort();
}

// prometheus-cpp 1.0 writes HELP text as given; the text format wants \\ and \n escaped.
std::string EscapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Names are checked once, here, so that adding a child later cannot throw.
void CheckNames(const std::string& name, const std::vector<std::string>& label_names,
                bool histogram) {
  if (!prometheus::CheckMetricName(name)) Die("metric name \"" + name + "\" is not valid");
  std::set<std::string> seen;
  for (const std::string& label : label_names) {
    if (!prometheus::CheckLabelName(label) || (histogram && label == "le") ||
        !seen.insert(label).second) {
      Die("metric " + name + ": label name \"" + label + "\" is not valid or repeated");
    }
  }
}

}  // namespace

Histogram::Snapshot Histogram::Read() const {
  prometheus::ClientMetric metric = native_.Collect();
  Snapshot s;
  s.cumulative.reserve(metric.histogram.bucket.size());
  for (const prometheus::ClientMetric::Bucket& bucket : metric.histogram.bucket) {
    s.cumulative.push_back(bucket.cumulative_count);
  }
  s.sum = metric.histogram.sample_sum;
  s.count = metric.histogram.sample_count;
  return s;
}

const std::vector<double>& DefaultBuckets() {
  static const auto* buckets =
      new std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  return *buckets;
}

template <typename T>
Family<T>::Family(Native& native, std::vector<std::string> label_names, std::vector<double> bounds)
    : native_(native),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)),
      overflow_native_(NewNative()),
      overflow_(std::make_unique<T>(*overflow_native_)) {}

template <typename T>
std::unique_ptr<typename T::Native> Family<T>::NewNative() const {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<typename T::Native>(bounds_);
  } else {
    return std::make_unique<typename T::Native>();
  }
}

template <typename T>
typename T::Native& Family<T>::AddNative(const prometheus::Labels& labels) {
  if constexpr (std::is_same_v<T, Histogram>) {
    return native_.Add(labels, bounds_);
  } else {
    return native_.Add(labels);
  }
}

template <typename T>
T& Family<T>::WithLabels(std::vector<std::string> values) {
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
  prometheus::Labels labels;
  for (size_t i = 0; i < label_names_.size(); ++i) labels.emplace(label_names_[i], values[i]);
  T& child =
      *children_.emplace(std::move(values), std::make_unique<T>(AddNative(labels))).first->second;
  return child;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

template <typename T>
Family<T>& Registry::Add(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names, std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    CheckNames(name, label_names, std::is_same_v<T, Histogram>);
    typename Family<T>::Native* native = nullptr;
    try {
      native = &NativeBuilder<T>().Name(name).Help(EscapeHelp(help)).Register(native_);
    } catch (const std::exception& e) {
      Die("metric " + name + ": " + e.what());
    }
    it = families_
             .emplace(name, std::make_unique<Family<T>>(*native, std::move(label_names),
                                                        std::move(bounds)))
             .first;
  }
  auto* family = std::get_if<std::unique_ptr<Family<T>>>(&it->second);
  if (family == nullptr) {
    const char* existing = std::visit(
        [](const auto& f) { return TypeName<typename std::decay_t<decltype(*f)>::Child>(); },
        it->second);
    Die("metric " + name + " registered as " + existing + " and as " + TypeName<T>());
  }
  return **family;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return Add<Counter>(name, help, std::move(label_names), {});
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  return Add<Gauge>(name, help, std::move(label_names), {});
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  // prometheus-cpp wants strictly increasing finite bounds; it adds +Inf itself.
  bounds.erase(
      std::remove_if(bounds.begin(), bounds.end(), [](double b) { return !std::isfinite(b); }),
      bounds.end());
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return Add<Histogram>(name, help, std::move(label_names), std::move(bounds));
}

std::vector<prometheus::MetricFamily> Registry::Collect() const {
  std::vector<prometheus::MetricFamily> families = native_.Collect();
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (prometheus::MetricFamily& family : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  return families;
}

std::string Registry::Render() const { return prometheus::TextSerializer().Serialize(Collect()); }

}  // namespace bulletin::metrics
