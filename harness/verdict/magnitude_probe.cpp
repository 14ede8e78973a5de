// MagnitudeProbe: verified dumps, loss magnitudes from trace loss bits.
#include "harness/verdict/magnitude_probe.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "harness/trace/digest.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

std::optional<float> float_from_bits(const std::string& hex) {
  std::uint32_t bits = 0;
  if (hex.size() != 8) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
  if (ec != std::errc() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return std::bit_cast<float>(bits);
}

const StepRecord* step_of(const Trace& trace, int step) {
  return step >= 0 && static_cast<size_t>(step) < trace.steps.size()
             ? &trace.steps[static_cast<size_t>(step)]
             : nullptr;
}

}  // namespace

bool dump_matches_trace(const TensorDump& dump, const StepRecord& step, std::string* why) {
  for (const auto& d : dump.tensors) {
    auto t = std::find_if(step.tensors.begin(), step.tensors.end(),
                          [&](const TensorRecord& r) { return r.name == d.name; });
    if (t == step.tensors.end()) {
      *why = d.name + " is not in the traced step";
      return false;
    }
    if (digest_tensor(d.dtype, d.shape, d.bytes) != t->digest) {
      *why = d.name + " differs from its traced digest";
      return false;
    }
  }
  return true;
}

std::optional<Magnitude> loss_bits_magnitude(const std::string& dtype, const std::string& a,
                                             const std::string& b) {
  if (dtype != "float32") {
    return std::nullopt;
  }
  auto x = float_from_bits(a);
  auto y = float_from_bits(b);
  if (!x || !y) {
    return std::nullopt;
  }
  Magnitude m;
  const bool same = std::bit_cast<std::uint32_t>(*x) == std::bit_cast<std::uint32_t>(*y);
  m.differing_elements = same ? 0 : 1;
  m.first_differing_index = same ? -1 : 0;
  m.max_abs_diff = std::isnan(*x) != std::isnan(*y)
                       ? INFINITY
                       : std::abs(static_cast<double>(*x) - static_cast<double>(*y));
  m.max_ulp = ulp_distance(*x, *y);
  return m;
}

const TensorDump* MagnitudeProbe::fetch(const Cell& cell, const Trace& trace, int step,
                                        std::string* error) {
  auto key = std::make_pair(cell.id, step);
  auto it = m_cache.find(key);
  if (it == m_cache.end()) {
    std::optional<TensorDump> dump;
    std::string why;
    try {
      dump = m_dumps.dump(cell, step, &why);
    } catch (const Error& e) {
      why = e.what();  // a broken dump costs the magnitude, not the run
    }
    if (dump) {
      const StepRecord* record = step_of(trace, step);
      std::string mismatch;
      if (record == nullptr || !dump_matches_trace(*dump, *record, &mismatch)) {
        dump.reset();
        why = std::string(k_not_reproduced_note) + " (" + cell.id + ": " +
              (record == nullptr ? "no such step in its trace" : mismatch) + ")";
      }
    } else {
      why = "no dump of " + cell.id + ": " + why;
    }
    it = m_cache.emplace(key, std::make_pair(std::move(dump), why)).first;
  }
  if (!it->second.first) {
    *error = it->second.second;
    return nullptr;
  }
  return &*it->second.first;
}

void MagnitudeProbe::measure(Comparison& comparison, const Cell& cell, const Trace& trace) {
  m_last.reset();
  if (!comparison.first_divergence) {
    return;
  }
  FirstDivergence& fd = *comparison.first_divergence;
  const StepRecord* a = step_of(m_baseline_trace, fd.step);
  const StepRecord* b = step_of(trace, fd.step);
  if ((fd.tensor == "loss_bits" || fd.kind == TensorKind::loss) && a != nullptr && b != nullptr &&
      a->loss_bits != b->loss_bits) {
    if (auto m = loss_bits_magnitude(a->loss_dtype, a->loss_bits, b->loss_bits)) {
      fd.max_abs_diff = m->max_abs_diff;
      fd.max_ulp = m->max_ulp;
      fd.differing_elements = 1;
      fd.magnitude_note = "";
      return;
    }
  }
  if (!fd.kind || fd.tensor == "batch_ids" || fd.tensor == "loss_bits") {
    fd.magnitude_note = "no tensor values to measure at this divergence";
    return;
  }
  std::string error;
  const TensorDump* da = fetch(m_baseline, m_baseline_trace, fd.step, &error);
  const TensorDump* db = da != nullptr ? fetch(cell, trace, fd.step, &error) : nullptr;
  if (da == nullptr || db == nullptr) {
    fd.magnitude_note = error;
    return;
  }
  add_magnitude(comparison, *da, *db);
  if (fd.differing_elements == 0) {
    // Verified dumps whose values agree cannot happen for a digest that differs; never
    // print a zero beside a divergence.
    fd.max_abs_diff.reset();
    fd.max_ulp.reset();
    fd.magnitude_note = std::string(k_not_reproduced_note);
    return;
  }
  m_last = std::make_pair(da, db);
}

std::optional<std::pair<const TensorDump*, const TensorDump*>> MagnitudeProbe::last_dumps() const {
  return m_last;
}

}  // namespace repro
