// MagnitudeProbe: |Δ| and ULP of a first divergence, only from values that match the traces.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "harness/plan/cell.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/compare.hpp"
#include "harness/verdict/dump_provider.hpp"

namespace repro {

// The text given instead of a magnitude when a dump re-run does not reproduce the
// digests its trace recorded for that step.
inline constexpr std::string_view k_not_reproduced_note =
    "the re-run did not reproduce the traced values (nondeterministic under identical "
    "settings): magnitude unavailable";

// Whether every tensor of `dump` is in `step` with exactly the digest recorded there.
// `*why` names the first mismatch.
bool dump_matches_trace(const TensorDump& dump, const StepRecord& step, std::string* why);

// |Δ| and ULP between two float32 loss values given as trace loss bits ("3f8ccccd");
// nullopt for another dtype or malformed bits.
std::optional<Magnitude> loss_bits_magnitude(const std::string& dtype, const std::string& a,
                                             const std::string& b);

// Measures the magnitude of a divergence. A loss divergence is measured from the two
// loss values in the traces; any other tensor from dumps, which must reproduce the
// traced digests of that step (else k_not_reproduced_note and no numbers: never "0 ULP"
// beside a divergence). The baseline's dump of each step is fetched once.
class MagnitudeProbe {
 public:
  MagnitudeProbe(DumpProvider& dumps, const Cell& baseline, const Trace& baseline_trace)
      : m_dumps(dumps), m_baseline(baseline), m_baseline_trace(baseline_trace) {}

  // Fills comparison.first_divergence's magnitudes or magnitude_note.
  void measure(Comparison& comparison, const Cell& cell, const Trace& trace);

  // Both verified dumps of the last measure() call's step (for the divergence summary);
  // nullopt when either was unavailable or did not reproduce its trace.
  std::optional<std::pair<const TensorDump*, const TensorDump*>> last_dumps() const;

 private:
  const TensorDump* fetch(const Cell& cell, const Trace& trace, int step, std::string* error);

  DumpProvider& m_dumps;
  const Cell& m_baseline;
  const Trace& m_baseline_trace;
  // (cell id, step) -> verified dump, or the reason there is none
  std::map<std::pair<std::string, int>, std::pair<std::optional<TensorDump>, std::string>> m_cache;
  std::optional<std::pair<const TensorDump*, const TensorDump*>> m_last;
};

}  // namespace repro
