// Paired bootstrap of strict/fast step times: fixed inputs, pinned answers.
#include "harness/run/paired_bootstrap.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace repro {
namespace {

TEST(PairedBootstrap, ConstantRatioGivesADegenerateInterval) {
  const std::vector<double> fast = {100, 120, 90, 110};
  const std::vector<double> strict = {50, 60, 45, 55};
  const RatioInterval r = paired_bootstrap_ratio(fast, strict, 2000, 0.95, 7);
  EXPECT_DOUBLE_EQ(r.ratio, 0.5);
  EXPECT_DOUBLE_EQ(r.low, 0.5);
  EXPECT_DOUBLE_EQ(r.high, 0.5);
  EXPECT_EQ(r.resamples, 2000);
}

TEST(PairedBootstrap, RatioOfMeansWithAnIntervalInsideThePairRatios) {
  const std::vector<double> fast = {100, 100, 100, 100, 100};
  const std::vector<double> strict = {40, 50, 60, 45, 55};
  const RatioInterval r = paired_bootstrap_ratio(fast, strict, 10000, 0.95, 1);
  EXPECT_DOUBLE_EQ(r.ratio, 0.5);  // 250 / 500
  EXPECT_GE(r.low, 0.4);
  EXPECT_LE(r.high, 0.6);
  EXPECT_LT(r.low, r.ratio);
  EXPECT_GT(r.high, r.ratio);
  // Resampled means of five values from {40, 45, 50, 55, 60}: the 95% interval is narrower
  // than the range of single pairs.
  EXPECT_GT(r.low, 0.42);
  EXPECT_LT(r.high, 0.58);
}

TEST(PairedBootstrap, SameSeedSameInterval) {
  const std::vector<double> fast = {61, 58, 70, 66, 59, 63};
  const std::vector<double> strict = {30, 33, 29, 41, 28, 31};
  const RatioInterval a = paired_bootstrap_ratio(fast, strict, 5000, 0.9, 42);
  const RatioInterval b = paired_bootstrap_ratio(fast, strict, 5000, 0.9, 42);
  EXPECT_DOUBLE_EQ(a.low, b.low);
  EXPECT_DOUBLE_EQ(a.high, b.high);
  EXPECT_DOUBLE_EQ(a.ratio, 192.0 / 377.0);
}

TEST(PairedBootstrap, PairsStayTogether) {
  // Load drifts within each pair (both runs of pair 3 are slow): pairing cancels it, so the
  // ratio is exactly 0.5 in every resample.
  const std::vector<double> fast = {100, 100, 400, 100};
  const std::vector<double> strict = {50, 50, 200, 50};
  const RatioInterval r = paired_bootstrap_ratio(fast, strict, 3000, 0.95, 3);
  EXPECT_DOUBLE_EQ(r.low, 0.5);
  EXPECT_DOUBLE_EQ(r.high, 0.5);
}

TEST(PairedBootstrap, RejectsUnpairedOrEmptyInput) {
  EXPECT_THROW(paired_bootstrap_ratio({}, {}), std::invalid_argument);
  EXPECT_THROW(paired_bootstrap_ratio({1, 2}, {1}), std::invalid_argument);
  EXPECT_THROW(paired_bootstrap_ratio({0, 0}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(paired_bootstrap_ratio({1}, {1}, 0), std::invalid_argument);
  EXPECT_THROW(paired_bootstrap_ratio({1}, {1}, 10, 1.0), std::invalid_argument);
}

TEST(PairedBootstrap, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median_of({}), 0);
}

}  // namespace
}  // namespace repro
