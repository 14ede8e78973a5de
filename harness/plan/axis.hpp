// Axis: a named setting the matrix varies (threads, blas, ...), its values, and how it applies.
//
// Axis names and value spellings are a contract (suites, goldens and CI jobs use them):
//   device          cpu, gpu ("cuda" is accepted and stored as "gpu")      -> settings.device
//   threads         positive integer (intra-op threads)                    -> settings.threads
//   interop_threads positive integer                                       ->
//   settings.interop_threads seed            non-negative integer (the training seed) -> train.seed
//   deterministic   on, off (libtorch's deterministic-algorithms flag)     ->
//   settings.deterministic cpu_capability  default, avx2, avx512                 ->
//   ATEN_CPU_CAPABILITY in the environment blas            reference, atlas, blis,
//   openblas-pthread, openblas-openmp
//                                                -> that build's folder first on LD_LIBRARY_PATH
//   worker          path of a worker executable (another build, another libtorch) -> the program
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/worker_config.hpp"

namespace repro {

// Where an axis's value goes when a cell is launched.
enum class AxisTarget {
  config,       // a field of the cell's WorkerConfig
  environment,  // a variable of the worker's environment (fixed once per process)
  executable,   // which worker executable runs the cell
};

struct AxisDefinition {
  std::string_view name;
  AxisTarget target = AxisTarget::config;
  std::string_view summary;  // one line for `repro-check axes` and --help
  // The closed set of canonical values in a fixed order; empty for open-ended axes.
  std::vector<std::string_view> values;
  // For open-ended axes: what a value may be ("positive integer").
  std::string_view value_description;
};

// Every axis, in the order `repro-check axes` lists them.
const std::vector<AxisDefinition>& axis_definitions();

// The axis called `name`, or nullptr.
const AxisDefinition* find_axis(std::string_view name);

// The axis called `name`; throws repro::Error(source, field, "unknown axis ...") naming the
// known axes otherwise.
const AxisDefinition& require_axis(std::string_view name, const std::string& source,
                                   const std::string& field);

// The canonical spelling of `value` for `axis`: "cuda" -> "gpu", "true"/"false" -> "on"/"off",
// "02" -> "2". Throws repro::Error(source, field, ...) for a value the axis does not accept.
std::string normalize_axis_value(const AxisDefinition& axis, std::string_view value,
                                 const std::string& source, const std::string& field);

// Writes the config-target axes of `settings` (canonical values) into `config`; other axes
// and unknown names are left to the launcher. Throws repro::Error for a value that is not
// canonical (a bug in the caller: settings come from normalize_axis_value).
void apply_settings_to_config(const Settings& settings, WorkerConfig& config);

// "avx512" -> "AVX-512", "avx2" -> "AVX2": how people spell an ISA.
std::string isa_display_name(std::string_view capability);

}  // namespace repro
