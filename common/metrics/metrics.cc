#include "common/metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bulletin::metrics {
namespace {

void AtomicAdd(std::atomic<double>& target, double by) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + by, std::memory_order_relaxed)) {
  }
}

}  // namespace

void Counter::Increment(double by) {
  if (by > 0) AtomicAdd(value_, by);
}

void Gauge::Add(double by) { AtomicAdd(value_, by); }

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // The first bound >= value: `le` is inclusive. Past the last bound: the +Inf bucket.
  size_t i = std::lower_bound(bounds_->begin(), bounds_->end(), value) - bounds_->begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.reserve(bounds_->size() + 1);
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    s.count += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(s.count);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

const std::vector<double>& DefaultBuckets() {
  static const auto* buckets =
      new std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  return *buckets;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return absl::StrFormat("%.0f", value);
  }
  char buf[32];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), value);  // shortest exact
  return std::string(buf, r.ptr);
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

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

FamilyBase::FamilyBase(std::string name, std::string help, std::string type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(std::move(type)),
      label_names_(std::move(label_names)) {}

void FamilyBase::Render(std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", EscapeHelp(help_), "\n# TYPE ", name_, " ", type_,
                  "\n");
  RenderChildren(out);
}

std::string FamilyBase::LabelText(const std::vector<std::string>& values) const {
  std::string text;
  for (size_t i = 0; i < label_names_.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ",", label_names_[i], "=\"", EscapeLabelValue(values[i]),
                    "\"");
  }
  return text;
}

void FamilyBase::AppendSample(const std::string& suffix, const std::string& labels, double value,
                              std::string* out) const {
  absl::StrAppend(out, name_, suffix);
  if (!labels.empty()) absl::StrAppend(out, "{", labels, "}");
  absl::StrAppend(out, " ", FormatValue(value), "\n");
}

template <>
void Family<Histogram>::RenderChildren(std::string* out) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [values, child] : children_) {
    std::string labels = LabelText(values);
    std::string prefix = labels.empty() ? "" : labels + ",";
    Histogram::Snapshot s = child->Read();
    const std::vector<double>& bounds = child->bounds();
    for (size_t i = 0; i < s.cumulative.size(); ++i) {
      std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
      AppendSample("_bucket", absl::StrCat(prefix, "le=\"", le, "\""),
                   static_cast<double>(s.cumulative[i]), out);
    }
    AppendSample("_sum", labels, s.sum, out);
    AppendSample("_count", labels, static_cast<double>(s.count), out);
  }
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

FamilyBase& Registry::Add(const std::string& name, const std::string& type,
                          const std::function<std::unique_ptr<FamilyBase>()>& make) {
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(name, make()).first;
  if (it->second->type() != type) {
    std::fprintf(stderr, "metric %s registered as %s and as %s\n", name.c_str(),
                 it->second->type().c_str(), type.c_str());
    std::abort();
  }
  return *it->second;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  return static_cast<Family<Counter>&>(Add(name, "counter", [&] {
    return std::make_unique<Family<Counter>>(name, help, "counter", std::move(label_names),
                                             [] { return std::make_unique<Counter>(); });
  }));
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  return static_cast<Family<Gauge>&>(Add(name, "gauge", [&] {
    return std::make_unique<Family<Gauge>>(name, help, "gauge", std::move(label_names),
                                           [] { return std::make_unique<Gauge>(); });
  }));
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  return static_cast<Family<Histogram>&>(Add(name, "histogram", [&] {
    bounds.erase(
        std::remove_if(bounds.begin(), bounds.end(), [](double b) { return !std::isfinite(b); }),
        bounds.end());  // +Inf is always added
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    auto owned = std::make_shared<const std::vector<double>>(std::move(bounds));
    return std::make_unique<Family<Histogram>>(
        name, help, "histogram", std::move(label_names),
        [owned] { return std::make_unique<Histogram>(owned); });
  }));
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(&out);
  return out;
}

}  // namespace bulletin::metrics
