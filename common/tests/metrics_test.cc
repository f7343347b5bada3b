// The Prometheus text rendering of counters, gauges and histograms, byte for byte.
#include "common/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace bulletin::metrics {
namespace {

TEST(MetricsTest, CounterWithEscapedLabels) {
  Registry r;
  Family<Counter>& requests =
      r.AddCounter("http_requests_total", "Requests by path.\nSecond \\ line.", {"path", "code"});
  requests.WithLabels({"/a\"b\\c\nd", "200"}).Increment();
  requests.WithLabels({"/a\"b\\c\nd", "200"}).Increment(2);
  requests.WithLabels({"/", "500"}).Increment(0.5);
  requests.WithLabels({"/", "500"}).Increment(-7);  // ignored: counters never go down
  EXPECT_EQ(r.Render(),
            "# HELP http_requests_total Requests by path.\\nSecond \\\\ line.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{path=\"/\",code=\"500\"} 0.5\n"
            "http_requests_total{path=\"/a\\\"b\\\\c\\nd\",code=\"200\"} 3\n");
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
  EXPECT_EQ(r.Render(),
            "# HELP rpc_seconds Latency.\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"0.125\"} 2\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"0.5\"} 2\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"1\"} 3\n"
            "rpc_seconds_bucket{method=\"Get\",le=\"+Inf\"} 4\n"
            "rpc_seconds_sum{method=\"Get\"} 30.9375\n"
            "rpc_seconds_count{method=\"Get\"} 4\n");
}

TEST(MetricsTest, GaugesWithoutLabelsAndFamiliesSortedByName) {
  Registry r;
  r.AddGauge("b_gauge", "B.").Get().Set(1.5e9);
  Gauge& a = r.AddGauge("a_gauge", "A.").Get();
  a.Add(3);
  a.Add(-5);
  r.AddCounter("c_total", "C.", {"x"});  // no child yet: HELP and TYPE only
  EXPECT_EQ(r.Render(),
            "# HELP a_gauge A.\n# TYPE a_gauge gauge\na_gauge -2\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 1500000000\n"
            "# HELP c_total C.\n# TYPE c_total counter\n");
}

TEST(MetricsTest, AddingAgainReturnsTheSameFamily) {
  Registry r;
  Family<Counter>& first = r.AddCounter("x_total", "X.", {"a"});
  Family<Counter>& again = r.AddCounter("x_total", "X.", {"a"});
  EXPECT_EQ(&first, &again);
  first.WithLabels({"1"}).Increment();
  EXPECT_EQ(again.WithLabels({"1"}).Value(), 1);
  EXPECT_DEATH(r.AddGauge("x_total", "X."), "registered as counter and as gauge");
}

TEST(MetricsTest, FormatsSpecialValues) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(1e20), "1e+20");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
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
  EXPECT_EQ(s.cumulative[0], 20000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 0.5 + 20000 * 2);
}

}  // namespace
}  // namespace bulletin::metrics
