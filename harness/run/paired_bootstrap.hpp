// Paired bootstrap: a confidence interval for the ratio of two paired sets of timings.
#pragma once

#include <cstdint>
#include <vector>

namespace repro {

struct RatioInterval {
  double ratio = 0;  // mean(treated) / mean(control) over every pair
  double low = 0;    // percentile bootstrap bounds of `ratio` at the given confidence
  double high = 0;
  int resamples = 0;
  double confidence = 0;
};

// Resamples the pairs (control[i], treated[i]) with replacement `resamples` times and returns
// the ratio of means with its percentile interval (e.g. confidence 0.95: the 2.5th and 97.5th
// percentiles). Pairs stay together, so drift shared by a pair (machine load) cancels. The
// generator is std::mt19937_64 seeded with `seed` and indices are drawn as value % n, so the
// same inputs give the same interval on every platform. Requires equal, non-empty sizes,
// positive control sums, resamples >= 1 and 0 < confidence < 1 (else std::invalid_argument).
RatioInterval paired_bootstrap_ratio(const std::vector<double>& control,
                                     const std::vector<double>& treated, int resamples = 10000,
                                     double confidence = 0.95, std::uint64_t seed = 1);

// The median of `values` (the mean of the middle two for an even count); 0 when empty.
double median_of(std::vector<double> values);

}  // namespace repro
