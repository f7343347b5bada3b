// The metrics facade over prometheus-cpp: what it records, and its exposition byte for byte
// as prometheus-cpp's TextSerializer writes it (labels sorted by name, histograms as _count,
// _sum, then _bucket lines; families sorted by name).
#include "common/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"

namespace bulletin::metrics {
namespace {

TEST(MetricsTest, CounterWithEscapedLabels) {
  Registry r;
  Family<Counter>& requests =
      r.AddCounter("http_requests_total", "Requests by path.\nSecond \\ line.", {"path", "code"});
  requests.WithLabels({"/a\"b\\c\nd", "200"}).Increment();
  requests.WithLabels({"/a\"b\\c\nd", "200"}).Increment(2);
  requests.WithLabels({"/", "500"}).Increment(0.5);
  requests.WithLabels({"/", "500"}).Increment(-7);   // ignored: counters never go down
  requests.WithLabels({"/", "500"}).Increment(NAN);  // ignored too
  EXPECT_EQ(r.Render(),
            "# HELP http_requests_total Requests by path.\\nSecond \\\\ line.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 3\n"
            "http_requests_total{code=\"500\",path=\"/\"} 0.5\n");
}

TEST(MetricsTest, HistogramBucketsSumAndCount) {
  Registry r;
  Family<Histogram>& latency =
      r.AddHistogram("rpc_seconds", "Latency.", {"method"}, {1, 0.125, 0.5});  // sorted on add
  Histogram& get = latency.WithLabels({"Get"});
  get.Observe(0.0625);
  get.Observe(0.125);  // `le` is inclusive
  get.Observe(0.75);
  get.Observe(30);
  get.Observe(NAN);  // ignored
  EXPECT_EQ(r.Render(),
            "# HELP rpc_seconds Latency.\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_count{method=\"Get\"} 4\n"
            "rpc_seconds_sum{method=\"Get\"} 30.9375\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"0.125\"} 2\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"0.5\"} 2\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"1\"} 3\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"+Inf\"} 4\n");
}

TEST(MetricsTest, DefaultBucketsAreThePrometheusDefaults) {
  Registry r;
  r.AddHistogram("d_seconds", "D.").Get().Observe(0.3);
  const std::string text = r.Render();
  for (const char* le :
       {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
    EXPECT_TRUE(absl::StrContains(text, std::string("d_seconds_bucket{le=\"") + le + "\"}"))
        << le << "\n"
        << text;
  }
  EXPECT_TRUE(absl::StrContains(text, "d_seconds_bucket{le=\"0.25\"} 0\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "d_seconds_bucket{le=\"0.5\"} 1\n")) << text;
}

TEST(MetricsTest, GaugesWithoutLabelsAndFamiliesSortedByName) {
  Registry r;
  r.AddGauge("b_gauge", "B.").Get().Set(1.5e9);
  Gauge& a = r.AddGauge("a_gauge", "A.").Get();
  a.Add(3);
  a.Add(-5);
  r.AddCounter("c_total", "C.", {"x"});  // no child yet: prometheus-cpp exposes nothing of it
  EXPECT_EQ(r.Render(),
            "# HELP a_gauge A.\n# TYPE a_gauge gauge\na_gauge -2\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 1500000000\n");
  r.AddCounter("c_total", "C.", {"x"}).WithLabels({"1"}).Increment();
  EXPECT_TRUE(absl::EndsWith(r.Render(), "# TYPE c_total counter\nc_total{x=\"1\"} 1\n"));
}

TEST(MetricsTest, AddingAgainReturnsTheSameFamily) {
  Registry r;
  Family<Counter>& first = r.AddCounter("x_total", "X.", {"a"});
  Family<Counter>& again = r.AddCounter("x_total", "X.", {"a"});
  EXPECT_EQ(&first, &again);
  first.WithLabels({"1"}).Increment();
  EXPECT_EQ(again.WithLabels({"1"}).Value(), 1);
  EXPECT_EQ(&first.WithLabels({"1"}), &again.WithLabels({"1", "extra dropped"}));
  EXPECT_DEATH(r.AddGauge("x_total", "X."), "registered as counter and as gauge");
}

TEST(MetricsTest, NamesPrometheusRejectsAbort) {
  Registry r;
  EXPECT_DEATH(r.AddCounter("bad name", "B."), "metric name \"bad name\" is not valid");
  EXPECT_DEATH(r.AddCounter("ok_total", "O.", {"a-b"}), "label name \"a-b\" is not valid");
  EXPECT_DEATH(r.AddCounter("ok_total", "O.", {"a", "a"}), "label name \"a\"");
  EXPECT_DEATH(r.AddHistogram("h_seconds", "H.", {"le"}), "label name \"le\"");
}

TEST(MetricsTest, FormatsSpecialValues) {
  Registry r;
  Family<Gauge>& g = r.AddGauge("v", "V.", {"case"});
  g.WithLabels({"a_zero"}).Set(0);
  g.WithLabels({"b_negative"}).Set(-3);
  g.WithLabels({"c_fraction"}).Set(0.005);
  g.WithLabels({"d_large"}).Set(1e20);
  g.WithLabels({"e_inf"}).Set(INFINITY);
  g.WithLabels({"f_minus_inf"}).Set(-INFINITY);
  g.WithLabels({"g_nan"}).Set(NAN);
  EXPECT_EQ(r.Render(),
            "# HELP v V.\n# TYPE v gauge\n"
            "v{case=\"a_zero\"} 0\n"
            "v{case=\"b_negative\"} -3\n"
            "v{case=\"c_fraction\"} 0.005\n"
            "v{case=\"d_large\"} 1e+20\n"
            "v{case=\"e_inf\"} +Inf\n"
            "v{case=\"f_minus_inf\"} -Inf\n"
            "v{case=\"g_nan\"} Nan\n");
}

TEST(MetricsTest, LabelSetsPastTheLimitShareOneChildThatIsNotExposed) {
  Registry r;
  Family<Counter>& c = r.AddCounter("many_total", "M.", {"id"});
  for (size_t i = 0; i < Family<Counter>::kMaxChildren; ++i) {
    c.WithLabels({std::to_string(i)}).Increment();
  }
  Counter& past = c.WithLabels({"past-the-limit"});
  EXPECT_EQ(&past, &c.WithLabels({"also-past"}));
  past.Increment(5);
  EXPECT_EQ(past.Value(), 5);
  const std::string text = r.Render();
  EXPECT_TRUE(absl::StrContains(text, "many_total{id=\"4999\"} 1\n"));
  EXPECT_FALSE(absl::StrContains(text, "past")) << "the overflow child is not exposed";
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Registry r;
  Family<Counter>& c = r.AddCounter("n_total", "N.", {"k"});
  Histogram& h = r.AddHistogram("h", "H.", {}, {1}).Get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.WithLabels({i % 2 == 0 ? "even" : "odd"}).Increment();
        h.Observe(t % 2 == 0 ? 0.5 : 2);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.WithLabels({"even"}).Value() + c.WithLabels({"odd"}).Value(), 40000);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.count, 40000u);
  ASSERT_EQ(s.cumulative.size(), 2u);  // le="1", le="+Inf"
  EXPECT_EQ(s.cumulative[0], 20000u);
  EXPECT_EQ(s.cumulative[1], 40000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 0.5 + 20000 * 2);
}

}  // namespace
}  // namespace bulletin::metrics
