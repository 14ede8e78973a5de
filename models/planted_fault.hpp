// PlantedFault: test-only faults the worker plants on request (settings.fault), so that
// canary suites prove the checker catches, localizes and attributes real nondeterminism.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

// A parsed settings.fault: "KIND", "KIND:ARGUMENT" (kinds that take one) or either
// with "@STEP" (the fault acts at that step only). "none" is no fault. Kinds and what
// each does: docs/canaries.md.
struct PlantedFault {
  std::string kind = "none";
  std::string argument;     // after "KIND:", "" for kinds without an argument
  std::optional<int> step;  // "@K": only at step K; nullopt: every step
  // Whether this fault is planted and acts at `step_index`.
  bool acts_at(std::string_view fault_kind, int step_index) const;
  bool planted() const { return kind != "none"; }
};

// One known kind: its name and a one-line description (for --help and errors).
struct PlantedFaultKind {
  std::string_view name;
  std::string_view description;
  bool takes_argument = false;  // spelled "KIND:ARGUMENT"
};

// Every kind the worker can plant.
const std::vector<PlantedFaultKind>& planted_fault_kinds();

// Parses settings.fault. Throws repro::Error(source, "settings.fault", ...) naming the
// known kinds for an unknown kind or a malformed step.
PlantedFault parse_planted_fault(const std::string& spec, const std::string& source);

}  // namespace repro
