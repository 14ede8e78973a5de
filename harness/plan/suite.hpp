// Suite: a workload, the axes to vary it over, and what must not change (suites/NAME.json).
//
// {
//   "format_version": 1,
//   "name": "smoke",                        // must match the file name
//   "description": "...",
//   "workload": { ...WorkerConfig... },     // harness/trace/worker_config.hpp; cells overlay it
//   "axes": [ {"name": "threads", "values": [1, 2]}, ... ],   // first value = baseline
//   "design": "ofat",                       // or "full"; default ofat
//   "invariant": ["seed"],                  // axes that must not change results; default none
//   "expect": {"seed_changes_results": true, "all_cells_run": true},  // optional
//   "cell_timeout_s": 120                   // per-cell worker time limit; default 600
// }
// docs/suites.md describes suites, axes, cells and runs for people.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/plan/matrix.hpp"
#include "harness/trace/worker_config.hpp"

namespace repro {

inline constexpr int k_suite_format_version = 1;
inline constexpr int k_default_cell_timeout_s = 600;

// What the suite expects beyond invariance.
struct SuiteExpectations {
  // true: a seed change must change results (else "seed has no effect" fails the run);
  // false: it must not; nullopt: not checked.
  std::optional<bool> seed_changes_results;
  // true: the suite's question needs every cell (e.g. worker=default,debian13): when a cell
  // cannot run here and nothing failed, the run exits 77 (skipped) instead of passing on the
  // cells that could run.
  bool all_cells_run = false;
};

struct Suite {
  std::filesystem::path path;  // the file it was read from ("" for an in-memory suite)
  std::string name;
  std::string description;
  WorkerConfig workload;
  std::vector<MatrixAxis> axes;  // canonical values (normalize_axis_value), baseline first
  Design design = Design::ofat;
  std::vector<std::string> invariant;  // axis names, each one of `axes`
  SuiteExpectations expect;
  int cell_timeout_s = k_default_cell_timeout_s;
  // Extra environment variables for the cells with an axis value (an axis entry's "env":
  // {"VALUE": {"NAME": "VALUE"}}), e.g. an outside worker's own switches: axis -> canonical
  // value -> NAME -> VALUE. Never a variable the checker sets itself.
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> axis_env;
};

// Parses and validates a suite document; `source` names it in errors. Throws repro::Error
// (source, field, ...) for: a missing, too old or too new format_version; unknown fields;
// a bad workload (worker_config_from_json); no axes, an unknown axis name, a duplicate axis,
// an axis without values, an invalid or duplicate value (after normalization: "cuda" and
// "gpu" are duplicates); an invariant axis not among the axes; a bad design, expectation or
// timeout.
Suite parse_suite(const nlohmann::json& j, const std::string& source);

// Reads suites/NAME.json and checks that its "name" matches the file name.
Suite load_suite(const std::filesystem::path& path);

// ROOT/suites/NAME.json.
std::filesystem::path suite_path(const std::filesystem::path& root, const std::string& name);

// Loads suite NAME of the project at `root`; a missing suite is a repro::Error that lists the
// suites there.
Suite find_suite(const std::filesystem::path& root, const std::string& name);

// Names of the suites at ROOT/suites, sorted.
std::vector<std::string> list_suites(const std::filesystem::path& root);

// Replaces the values of axis `name` (appending the axis when the suite lacks it), as
// `--axis NAME=V1,V2` does. Values are normalized; `source` names the option in errors
// (unknown axis, empty list, invalid or duplicate value).
void set_axis_values(Suite& suite, const std::string& name, const std::vector<std::string>& values,
                     const std::string& source);

// The suite's axis called `name`, or nullptr.
const MatrixAxis* find_suite_axis(const Suite& suite, const std::string& name);

}  // namespace repro
