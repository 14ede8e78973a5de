// GoldenConfig: the workload a golden cell was blessed with, flattened for review and diffs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/trace/digest.hpp"

namespace repro {

// ("train.learning_rate", "0.001"): dotted path -> the value as JSON text, sorted by path.
using ConfigFields = std::vector<std::pair<std::string, std::string>>;

// Flattens a worker config (a trace header's "config") into sorted leaves; the top-level
// "format_version" is left out (it is the file's, not the workload's).
ConfigFields flatten_config(const nlohmann::json& config);

// XXH3-128 over "path=value\n" for every field: equal hashes, equal workloads.
Digest config_hash(const ConfigFields& fields);

// "train.learning_rate 0.001 → 0.002" for each field that differs (golden -> run); a
// field only one side has reads "(absent)" on the other.
std::vector<std::string> config_changes(const ConfigFields& golden, const ConfigFields& run);

}  // namespace repro
