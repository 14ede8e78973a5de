// Suite files: parsing, validation, lookup and command-line axis overrides.
#include "harness/plan/suite.hpp"

#include <algorithm>
#include <set>

#include "harness/plan/axis.hpp"
#include "harness/trace/contract_schemas.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/printable.hpp"
#include "harness/util/utf8.hpp"

namespace repro {
namespace {

// A value as written in JSON: a string, an integer or a boolean, as text.
std::string value_text(const nlohmann::json& v, const JsonPath& at) {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_number_unsigned()) {
    return std::to_string(v.get<std::uint64_t>());
  }
  if (v.is_number_integer()) {
    return std::to_string(v.get<std::int64_t>());
  }
  if (v.is_boolean()) {
    return v.get<bool>() ? "true" : "false";
  }
  throw Error(at.file, at.field,
              "expected a string or an integer, found " + std::string(v.type_name()));
}

// Normalizes each value and rejects duplicates; `at(i)` names value i.
template <typename FieldOf>
std::vector<std::string> normalize_values(const AxisDefinition& axis,
                                          const std::vector<std::string>& raw,
                                          const std::string& source, FieldOf field_of) {
  std::vector<std::string> values;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (has_control_character(raw[i]) || !is_valid_utf8(raw[i])) {
      // Values reach terminals, reports and worker command lines: no escapes, no newlines.
      throw Error(source, field_of(i),
                  "value '" + printable(raw[i]) + "' of axis " + std::string(axis.name) +
                      " holds a control character or invalid UTF-8");
    }
    std::string value = normalize_axis_value(axis, raw[i], source, field_of(i));
    if (std::find(values.begin(), values.end(), value) != values.end()) {
      throw Error(source, field_of(i),
                  "duplicate value '" + value + "' for axis " + std::string(axis.name) +
                      (value != raw[i] ? " ('" + raw[i] + "' means '" + value + "')" : ""));
    }
    values.push_back(std::move(value));
  }
  return values;
}

bool valid_suite_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  }) && name.front() != '.';
}

// Variables the checker sets for every cell (docs/suites.md): a suite may not override them.
bool checker_variable(const std::string& name) {
  return name == "OMP_NUM_THREADS" || name == "OPENBLAS_NUM_THREADS" ||
         name == "BLIS_NUM_THREADS" || name == "MKL_NUM_THREADS" || name == "ATEN_CPU_CAPABILITY" ||
         name == "LD_LIBRARY_PATH";
}

// An axis entry's "env": {"VALUE": {"NAME": "TEXT"}}; VALUE one of the axis's values.
void parse_axis_env(const nlohmann::json& env, const AxisDefinition& def, const MatrixAxis& axis,
                    const JsonPath& at,
                    std::map<std::string, std::map<std::string, std::string>>& out) {
  require_object(env, at);
  for (auto it = env.begin(); it != env.end(); ++it) {
    const JsonPath value_at = at.child(it.key());
    auto value =
        normalize_values(def, {it.key()}, at.file, [&](size_t) { return value_at.field; })[0];
    if (std::find(axis.values.begin(), axis.values.end(), value) == axis.values.end()) {
      throw Error(at.file, value_at.field,
                  "'" + it.key() + "' is not one of the values of axis '" + axis.name + "'");
    }
    const auto& vars = require_object(it.value(), value_at);
    for (auto var = vars.begin(); var != vars.end(); ++var) {
      if (!var.value().is_string()) {
        throw Error(at.file, value_at.child(var.key()).field, "expected a string");
      }
      if (checker_variable(var.key())) {
        throw Error(at.file, value_at.child(var.key()).field,
                    "is set by the checker from the cell's settings; use the axis instead");
      }
      out[value][var.key()] = var.value().get<std::string>();
    }
  }
}

}  // namespace

Suite parse_suite(const nlohmann::json& j, const std::string& source) {
  JsonPath at{source, ""};
  require_object(j, at);
  check_format_version(j, at, 1, k_suite_format_version, "suite");
  reject_unknown_keys(j, at,
                      {"format_version", "name", "description", "workload", "axes", "design",
                       "invariant", "expect", "cell_timeout_s"});
  Suite suite;
  suite.name = get_string(j, "name", at);
  if (!valid_suite_name(suite.name)) {
    throw Error(source, "name",
                "'" + suite.name + "' is not a suite name (letters, digits, '_', '-', '.')");
  }
  suite.description = get_string_or(j, "description", at, "");
  // Named paths, never temporaries, where a reference is returned (GCC 14's
  // -Wdangling-reference cannot tell that the result does not refer to them).
  const JsonPath workload_at = at.child("workload");
  const auto& workload = require_object(require_field(j, "workload", at), workload_at);
  try {
    // A suite's workload may omit format_version: it is the suite's own.
    nlohmann::json config = workload;
    if (!config.contains("format_version")) {
      config["format_version"] = k_worker_config_format_version;
    }
    suite.workload = worker_config_from_json(config, source);
  } catch (const Error& e) {
    throw Error(source, e.field().empty() ? "workload" : "workload." + e.field(), e.message());
  }

  JsonPath axes_at = at.child("axes");
  const auto& axes = require_array(require_field(j, "axes", at), axes_at);
  if (axes.empty()) {
    throw Error(source, "axes", "a suite needs at least one axis");
  }
  for (size_t a = 0; a < axes.size(); ++a) {
    JsonPath axis_at = axes_at.index(a);
    const auto& entry = require_object(axes[a], axis_at);
    reject_unknown_keys(entry, axis_at, {"name", "values", "env"});
    std::string name = get_string(entry, "name", axis_at);
    const std::string name_field = axis_at.child("name").field;
    const AxisDefinition& def = require_axis(name, source, name_field);
    if (find_suite_axis(suite, name) != nullptr) {
      throw Error(source, axis_at.child("name").field, "axis '" + name + "' appears twice");
    }
    JsonPath values_at = axis_at.child("values");
    const auto& values = require_array(require_field(entry, "values", axis_at), values_at);
    if (values.empty()) {
      throw Error(source, values_at.field, "axis '" + name + "' has no values");
    }
    std::vector<std::string> raw;
    for (size_t i = 0; i < values.size(); ++i) {
      raw.push_back(value_text(values[i], values_at.index(i)));
    }
    suite.axes.push_back({name, normalize_values(def, raw, source, [&](size_t i) {
                            return values_at.index(i).field;
                          })});
    if (entry.contains("env")) {
      parse_axis_env(entry.at("env"), def, suite.axes.back(), axis_at.child("env"),
                     suite.axis_env[name]);
    }
  }

  suite.design = design_from_string(get_string_or(j, "design", at, "ofat"), source, "design");

  if (j.contains("invariant")) {
    JsonPath inv_at = at.child("invariant");
    const auto& invariant = require_array(j.at("invariant"), inv_at);
    for (size_t i = 0; i < invariant.size(); ++i) {
      if (!invariant[i].is_string()) {
        throw Error(source, inv_at.index(i).field, "expected an axis name");
      }
      std::string name = invariant[i].get<std::string>();
      require_axis(name, source, inv_at.index(i).field);
      if (find_suite_axis(suite, name) == nullptr) {
        throw Error(source, inv_at.index(i).field,
                    "invariant axis '" + name + "' is not one of the suite's axes");
      }
      if (std::find(suite.invariant.begin(), suite.invariant.end(), name) !=
          suite.invariant.end()) {
        throw Error(source, inv_at.index(i).field, "axis '" + name + "' listed twice");
      }
      suite.invariant.push_back(name);
    }
  }

  if (j.contains("expect")) {
    JsonPath exp_at = at.child("expect");
    const auto& expect = require_object(j.at("expect"), exp_at);
    reject_unknown_keys(expect, exp_at, {"seed_changes_results", "all_cells_run"});
    suite.expect.all_cells_run = get_bool_or(expect, "all_cells_run", exp_at, false);
    if (expect.contains("seed_changes_results")) {
      suite.expect.seed_changes_results =
          get_bool_or(expect, "seed_changes_results", exp_at, false);
      const MatrixAxis* seed = find_suite_axis(suite, "seed");
      if (seed == nullptr || seed->values.size() < 2) {
        throw Error(source, exp_at.child("seed_changes_results").field,
                    "needs a 'seed' axis with at least two values");
      }
      if (*suite.expect.seed_changes_results &&
          std::find(suite.invariant.begin(), suite.invariant.end(), "seed") !=
              suite.invariant.end()) {
        throw Error(source, exp_at.child("seed_changes_results").field,
                    "contradicts 'invariant': seed cannot both change and not change results");
      }
    }
  }

  auto timeout = get_int_or(j, "cell_timeout_s", at, k_default_cell_timeout_s);
  if (timeout < 1 || timeout > 86400) {
    throw Error(source, "cell_timeout_s",
                "must be between 1 and 86400 seconds, found " + std::to_string(timeout));
  }
  suite.cell_timeout_s = static_cast<int>(timeout);
  // After the specific checks above: the schema catches whatever they let through.
  validate_against("suite.schema.json", j, source);
  return suite;
}

Suite load_suite(const std::filesystem::path& path) {
  std::string source = path.string();
  Suite suite = parse_suite(parse_json(read_file(path), source), source);
  if (suite.name != path.stem().string()) {
    throw Error(source, "name",
                "'" + suite.name + "' does not match the file name (expected '" +
                    path.stem().string() + "')");
  }
  suite.path = path;
  return suite;
}

std::filesystem::path suite_path(const std::filesystem::path& root, const std::string& name) {
  return root / "suites" / (name + ".json");
}

std::vector<std::string> list_suites(const std::filesystem::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root / "suites", ec)) {
    if (entry.path().extension() == ".json") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Suite find_suite(const std::filesystem::path& root, const std::string& name) {
  if (!valid_suite_name(name)) {
    throw Error("--suite", "", "'" + name + "' is not a suite name");
  }
  auto path = suite_path(root, name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::string known;
    for (const auto& s : list_suites(root)) {
      known += (known.empty() ? "" : ", ") + s;
    }
    throw Error(path.string(), "",
                "no such suite" + (known.empty() ? std::string(" (no suites in ") +
                                                       (root / "suites").string() + ")"
                                                 : " (suites here: " + known + ")"));
  }
  return load_suite(path);
}

void set_axis_values(Suite& suite, const std::string& name, const std::vector<std::string>& values,
                     const std::string& source) {
  const std::string no_field;
  const AxisDefinition& def = require_axis(name, source, no_field);
  if (values.empty()) {
    throw Error(source, "", "axis '" + name + "' needs at least one value");
  }
  auto normalized = normalize_values(def, values, source, [](size_t) { return std::string(); });
  for (auto& axis : suite.axes) {
    if (axis.name == name) {
      axis.values = std::move(normalized);
      return;
    }
  }
  suite.axes.push_back({name, std::move(normalized)});
}

const MatrixAxis* find_suite_axis(const Suite& suite, const std::string& name) {
  for (const auto& axis : suite.axes) {
    if (axis.name == name) {
      return &axis;
    }
  }
  return nullptr;
}

}  // namespace repro
