// PlantedFault: parsing settings.fault against the kinds the worker knows.
#include "models/planted_fault.hpp"

#include <charconv>

#include "harness/util/error.hpp"

namespace repro {

bool PlantedFault::acts_at(std::string_view fault_kind, int step_index) const {
  return kind == fault_kind && (!step || *step == step_index);
}

const std::vector<PlantedFaultKind>& planted_fault_kinds() {
  // Each kind is implemented where it acts (training, data order, recording); the
  // canary suites (suites/canary-*.json) plant every one of them.
  static const std::vector<PlantedFaultKind> k_kinds = {
      {"none", "no fault"},
      {"op-ulp",
       "op-ulp:PASS:OP: one ULP added to every floating output element of the first OP "
       "(e.g. aten::convolution) in PASS (forward, backward, optimizer)",
       true},
      {"nan-loss",
       "the step's loss and every gradient become NaN before Adam (as an overflow would): "
       "NaN reaches the parameters and the optimizer state"},
      // Lifecycle canaries (docs/canaries.md): nondeterminism a repeat must catch...
      {"unseeded-dropout", "fast mode: dropout masks from an unseeded (random_device) generator"},
      {"unseeded-shuffle", "epoch order from an unseeded (random_device) generator"},
      {"listing-order",
       "oxford data: training order from the directory listing of images/, not by id"},
      {"time-seeded-augment",
       "flips from a generator seeded with the wall-clock second (then waits for the next "
       "second, so consecutive workers never share it)"},
      {"random-order-reduction",
       "strict mode: the per-shard gradients summed in a random order every step"},
      // ...and deterministic changes that must be localized and attributed.
      {"ulp-flip", "after the optimizer step: one ULP of the first parameter's first element"},
      {"ulp-flip-threads2", "ulp-flip, only when settings.threads is 2"},
      {"loss-only", "the recorded loss is one ULP off; training uses the true loss"},
  };
  return k_kinds;
}

PlantedFault parse_planted_fault(const std::string& spec, const std::string& source) {
  PlantedFault fault;
  std::string_view kind = spec;
  if (auto at = spec.find('@'); at != std::string::npos) {
    kind = std::string_view(spec).substr(0, at);
    std::string_view digits = std::string_view(spec).substr(at + 1);
    int step = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), step);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || step < 0) {
      throw Error(source, "settings.fault",
                  "'" + spec + "': expected KIND or KIND@STEP with a non-negative step");
    }
    fault.step = step;
  }
  std::string_view argument;
  if (auto colon = kind.find(':'); colon != std::string_view::npos) {
    argument = kind.substr(colon + 1);
    kind = kind.substr(0, colon);
  }
  std::string known;
  for (const auto& k : planted_fault_kinds()) {
    if (k.name == kind) {
      if (k.takes_argument == argument.empty()) {
        throw Error(
            source, "settings.fault",
            "'" + spec + "': " + std::string(kind) +
                (k.takes_argument ? " needs an argument (KIND:ARGUMENT)" : " takes no argument"));
      }
      fault.kind = std::string(kind);
      fault.argument = std::string(argument);
      return fault;
    }
    known += (known.empty() ? "" : ", ") + std::string(k.name);
  }
  throw Error(source, "settings.fault",
              "unknown planted fault '" + std::string(kind) + "' (known: " + known + ")");
}

}  // namespace repro
