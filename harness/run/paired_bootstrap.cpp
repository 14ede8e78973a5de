// Paired percentile bootstrap of a ratio of means.
#include "harness/run/paired_bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace repro {

double median_of(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

RatioInterval paired_bootstrap_ratio(const std::vector<double>& control,
                                     const std::vector<double>& treated, int resamples,
                                     double confidence, std::uint64_t seed) {
  if (control.empty() || control.size() != treated.size()) {
    throw std::invalid_argument("paired_bootstrap_ratio: needs equal, non-empty samples");
  }
  if (resamples < 1 || !(confidence > 0 && confidence < 1)) {
    throw std::invalid_argument("paired_bootstrap_ratio: resamples >= 1, 0 < confidence < 1");
  }
  auto ratio_of = [&](const std::vector<size_t>& pick) {
    double c = 0;
    double t = 0;
    for (size_t i : pick) {
      c += control[i];
      t += treated[i];
    }
    return c > 0 ? t / c : std::nan("");
  };
  const size_t n = control.size();
  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) {
    all[i] = i;
  }
  RatioInterval out;
  out.ratio = ratio_of(all);
  if (std::isnan(out.ratio)) {
    throw std::invalid_argument("paired_bootstrap_ratio: the control sum is not positive");
  }
  out.resamples = resamples;
  out.confidence = confidence;
  std::mt19937_64 generator(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(resamples));
  std::vector<size_t> pick(n);
  for (int r = 0; r < resamples; ++r) {
    for (size_t i = 0; i < n; ++i) {
      pick[i] = static_cast<size_t>(generator() % n);
    }
    const double ratio = ratio_of(pick);
    if (!std::isnan(ratio)) {
      ratios.push_back(ratio);
    }
  }
  std::sort(ratios.begin(), ratios.end());
  // Nearest-rank percentiles: alpha/2 and 1 - alpha/2.
  const double alpha = 1 - confidence;
  auto rank = [&](double q) {
    const double position = std::ceil(q * static_cast<double>(ratios.size())) - 1;
    return ratios[static_cast<size_t>(
        std::clamp(position, 0.0, static_cast<double>(ratios.size() - 1)))];
  };
  out.low = rank(alpha / 2);
  out.high = rank(1 - alpha / 2);
  return out;
}

}  // namespace repro
