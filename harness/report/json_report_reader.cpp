// JSON report reader: the inverse of report_to_json, validated field by field.
#include "harness/report/json_report_reader.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <system_error>

#include "harness/report/diagnosis_json.hpp"
#include "harness/trace/contract_schemas.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/verdict/golden_check.hpp"
#include "harness/verdict/golden_json.hpp"

namespace repro {
namespace {

using nlohmann::json;

// The value of `E` whose to_string() is `text`; Error naming the field otherwise.
template <typename E, size_t N>
E parse_word(const std::array<E, N>& values, const std::string& text, const JsonPath& at) {
  std::string known;
  for (E v : values) {
    if (to_string(v) == text) {
      return v;
    }
    known += (known.empty() ? "" : ", ") + std::string(to_string(v));
  }
  throw Error(at.file, at.field, "unknown value '" + text + "' (known: " + known + ")");
}

constexpr std::array k_verdicts = {CellVerdict::identical, CellVerdict::diverged,
                                   CellVerdict::skipped,   CellVerdict::crashed,
                                   CellVerdict::timeout,   CellVerdict::not_run};
constexpr std::array k_roles = {CellRole::baseline, CellRole::repeat, CellRole::variant};
constexpr std::array k_golden = {GoldenStatus::match, GoldenStatus::mismatch,
                                 GoldenStatus::missing};
constexpr std::array k_severities = {Severity::critical, Severity::error, Severity::warning,
                                     Severity::info};

Settings settings_from(const json& obj, std::string_view key, const JsonPath& at) {
  JsonPath here = at.child(key);
  const json& j = require_object(require_field(obj, key, at), here);
  Settings s;
  for (const auto& [axis, value] : j.items()) {
    if (!value.is_string()) {
      throw Error(here.file, here.child(axis).field, "expected a string");
    }
    s[axis] = value.get<std::string>();
  }
  return s;
}

std::optional<GoldenStatus> golden_from(const json& obj, std::string_view key, const JsonPath& at) {
  const json& v = require_field(obj, key, at);
  if (v.is_null()) {
    return std::nullopt;
  }
  return parse_word(k_golden, get_string(obj, key, at), at.child(key));
}

std::optional<FirstDivergence> divergence_from(const json& obj, std::string_view key,
                                               const JsonPath& parent) {
  const json& v = require_field(obj, key, parent);
  if (v.is_null()) {
    return std::nullopt;
  }
  JsonPath at = parent.child(key);
  require_object(v, at);
  FirstDivergence fd;
  fd.step = static_cast<int>(get_int(v, "step", at));
  if (!require_field(v, "tensor", at).is_null()) {
    fd.tensor = get_string(v, "tensor", at);
  }
  if (!require_field(v, "kind", at).is_null()) {
    fd.kind = tensor_kind_from_string(get_string(v, "kind", at));
    if (!fd.kind) {
      throw Error(at.file, at.child("kind").field, "unknown tensor kind");
    }
  }
  if (v.contains("max_abs_diff") && !v["max_abs_diff"].is_null()) {
    fd.max_abs_diff = get_number(v, "max_abs_diff", at);
  }
  if (v.contains("max_ulp") && !v["max_ulp"].is_null()) {
    fd.max_ulp = static_cast<std::uint64_t>(v["max_ulp"].get<std::uint64_t>());
  }
  if (v.contains("differing_elements") && !v["differing_elements"].is_null()) {
    fd.differing_elements = get_int(v, "differing_elements", at);
  }
  fd.magnitude_note = get_string_or(v, "magnitude_note", at, "");
  return fd;
}

const std::string& file_of(const JsonPath& at) {
  return at.file;
}

// The golden check of a cell (status and divergence are the cell's golden fields).
GoldenCellCheck golden_check_from(const json& j, const JsonPath& at, const CellReport& c) {
  require_object(j, at);
  GoldenCellCheck g;
  g.status = c.golden.value_or(GoldenStatus::missing);
  g.first_divergence = c.golden_divergence;
  g.environment_class = get_string(j, "environment_class", at);
  g.portable = get_bool_or(j, "portable", at, false);
  g.path = get_string(j, "path", at);
  g.detail = get_string(j, "detail", at);
  g.loss_text = get_string_or(j, "loss", at, "");
  g.config_changes = get_string_list(j, "config_changes", at);
  g.fingerprint_changes = get_string_list(j, "fingerprint_changes", at);
  g.accept_command = get_string(j, "accept_command", at);
  JsonPath cross_at = at.child("cross_class");
  const json& cross = require_array(require_field(j, "cross_class", at), cross_at);
  for (size_t i = 0; i < cross.size(); ++i) {
    JsonPath e_at = cross_at.index(i);
    const json& e = require_object(cross[i], e_at);
    CrossClassEvidence evidence;
    evidence.environment_class = get_string(e, "environment_class", e_at);
    evidence.differences = get_string_list(e, "differences", e_at);
    evidence.identical = get_bool_or(e, "identical", e_at, false);
    evidence.first_divergence = divergence_from(e, "first_divergence", e_at);
    evidence.text = get_string(e, "text", e_at);
    g.cross_class.push_back(std::move(evidence));
  }
  return g;
}

CellReport cell_from(const json& j, const JsonPath& at) {
  require_object(j, at);
  CellReport c;
  c.id = get_string(j, "id", at);
  c.settings = settings_from(j, "settings", at);
  c.role = parse_word(k_roles, get_string(j, "role", at), at.child("role"));
  c.verdict = parse_word(k_verdicts, get_string(j, "verdict", at), at.child("verdict"));
  c.reason = get_string(j, "reason", at);
  if (!require_field(j, "step_time_ms", at).is_null()) {
    c.step_time_ms = get_number(j, "step_time_ms", at);
  }
  c.wall_seconds = get_number(j, "wall_seconds", at);
  c.first_divergence = divergence_from(j, "first_divergence", at);
  if (j.contains("divergence_summary")) {
    c.divergence_summary =
        divergence_summary_from_json(j["divergence_summary"], at.child("divergence_summary"));
  }
  if (j.contains("first_divergent_op")) {
    c.first_divergent_op =
        op_localization_from_json(j["first_divergent_op"], at.child("first_divergent_op"));
  }
  c.golden = golden_from(j, "golden", at);
  c.golden_divergence = divergence_from(j, "golden_first_divergence", at);
  c.failures = get_string_list(j, "failures", at);
  if (j.contains("golden_check") && !j["golden_check"].is_null()) {
    c.golden_check = golden_check_from(j["golden_check"], at.child("golden_check"), c);
  }
  if (j.contains("golden_cell") && !j["golden_cell"].is_null()) {
    c.golden_candidate = golden_candidate_from_json(
        nlohmann::ordered_json::parse(j["golden_cell"].dump()), at.child("golden_cell"));
  }
  if (j.contains("loss_by_step")) {
    JsonPath losses_at = at.child("loss_by_step");
    const json& losses = require_array(j["loss_by_step"], losses_at);
    for (size_t i = 0; i < losses.size(); ++i) {
      if (!losses[i].is_number() && !losses[i].is_null()) {
        throw Error(file_of(at), losses_at.index(i).field, "expected a number or null");
      }
      c.loss_by_step.push_back(losses[i].is_number() ? losses[i].get<double>()
                                                     : std::numeric_limits<double>::quiet_NaN());
    }
  }
  if (j.contains("eval") && !j["eval"].is_null()) {
    JsonPath eval_at = at.child("eval");
    for (const auto& [name, value] : require_object(j["eval"], eval_at).items()) {
      if (value.is_number()) {
        c.eval[name] = value.get<double>();
      }
    }
  }
  if (j.contains("predictions") && !j["predictions"].is_null()) {
    c.predictions = predictions_from_json(j["predictions"], at.child("predictions"));
  }
  if (j.contains("prediction_change") && !j["prediction_change"].is_null()) {
    JsonPath change_at = at.child("prediction_change");
    const json& change = require_object(j["prediction_change"], change_at);
    PredictionChange pc;
    pc.pixels = get_int(change, "pixels", change_at);
    pc.differing = get_int(change, "differing", change_at);
    JsonPath by_at = change_at.child("differing_by_sample");
    const json& by = require_array(require_field(change, "differing_by_sample", change_at), by_at);
    for (size_t i = 0; i < by.size(); ++i) {
      if (!by[i].is_number_integer()) {
        throw Error(file_of(at), by_at.index(i).field, "expected an integer");
      }
      pc.differing_by_sample.push_back(by[i].get<std::int64_t>());
    }
    if (pc.pixels < 0 || pc.differing < 0 || pc.differing > pc.pixels) {
      throw Error(file_of(at), change_at.field, "expected 0 <= differing <= pixels");
    }
    c.prediction_change = std::move(pc);
  }
  return c;
}

std::optional<PlanIdentity> plan_from(const json& top, const JsonPath& parent) {
  if (!top.contains("plan") || top["plan"].is_null()) {
    return std::nullopt;
  }
  JsonPath at = parent.child("plan");
  const json& j = require_object(top["plan"], at);
  PlanIdentity p;
  p.hash = get_string(j, "hash", at);
  if (!require_field(j, "shard", at).is_null()) {
    JsonPath s = at.child("shard");
    const json& shard = require_object(j["shard"], s);
    ShardSpec spec;
    spec.index = static_cast<int>(get_int(shard, "index", s));
    spec.count = static_cast<int>(get_int(shard, "count", s));
    if (spec.count < 1 || spec.index < 0 || spec.index >= spec.count) {
      throw Error(s.file, s.field, "index must be in [0, count) and count >= 1");
    }
    p.shard = spec;
  }
  p.cells = get_string_list(j, "cells", at);
  p.invariant_axes = get_string_list(j, "invariant", at);
  p.require_golden = get_string(j, "require_golden", at);
  if (p.require_golden != "none" && p.require_golden != "all" && p.require_golden != "portable") {
    throw Error(at.file, at.child("require_golden").field,
                "'" + p.require_golden + "' is not one of none, all, portable");
  }
  p.skip_without_golden = get_bool_or(j, "skip_without_golden", at, false);
  if (j.contains("bless_arguments")) {
    p.bless_arguments = get_string_list(j, "bless_arguments", at);
  }
  return p;
}

}  // namespace

RunReport run_report_from_json(const json& j, const std::string& file) {
  JsonPath at{file, ""};
  require_object(j, at);
  check_format_version(j, at, 1, k_run_report_format_version, "JSON report");
  // Every violation at once, by field and rule (docs/schemas/report.schema.json); the
  // field-by-field reading below then checks what a schema cannot say.
  validate_against("report.schema.json", j, file);
  RunReport r;
  r.suite = get_string(j, "suite", at);
  r.design = get_string(j, "design", at);
  std::string verdict = get_string(j, "verdict", at);
  if (verdict != "pass" && verdict != "fail" && verdict != "interrupted") {
    throw Error(file, "verdict", "expected \"pass\", \"fail\" or \"interrupted\"");
  }
  r.pass = verdict == "pass";
  r.exit_code = static_cast<int>(get_int(j, "exit_code", at));
  r.environment_class = get_string(j, "environment_class", at);
  r.fingerprint = fingerprint_from_json(require_field(j, "fingerprint", at), file);
  const json& repeatable = require_field(j, "repeatable", at);
  if (!repeatable.is_null()) {
    if (!repeatable.is_boolean()) {
      throw Error(file, "repeatable", "expected true, false or null");
    }
    r.repeatable = repeatable.get<bool>();
  }
  r.culprit = get_string(j, "culprit", at);
  if (j.contains("repeats")) {
    JsonPath repeats_at = at.child("repeats");
    const json& repeats = require_object(j["repeats"], repeats_at);
    r.repeats_compared = static_cast<int>(get_int(repeats, "compared", repeats_at));
    r.repeats_identical = static_cast<int>(get_int(repeats, "identical", repeats_at));
  }
  JsonPath cells_at = at.child("cells");
  const json& cells = require_array(require_field(j, "cells", at), cells_at);
  for (size_t i = 0; i < cells.size(); ++i) {
    r.cells.push_back(cell_from(cells[i], cells_at.index(i)));
  }
  JsonPath attribution_at = at.child("attribution");
  const json& attribution = require_array(require_field(j, "attribution", at), attribution_at);
  for (size_t i = 0; i < attribution.size(); ++i) {
    JsonPath a = attribution_at.index(i);
    const json& e = require_object(attribution[i], a);
    AxisAttribution entry;
    entry.axis = get_string(e, "axis", a);
    entry.from = get_string(e, "from", a);
    entry.to = get_string(e, "to", a);
    entry.breaks = get_bool_or(e, "breaks", a, false);
    entry.must_hold = get_bool_or(e, "must_hold", a, false);
    entry.cell_id = get_string(e, "cell", a);
    entry.first_divergence = divergence_from(e, "first_divergence", a);
    r.attribution.push_back(std::move(entry));
  }
  JsonPath interactions_at = at.child("interactions");
  const json& interactions = require_array(require_field(j, "interactions", at), interactions_at);
  for (size_t i = 0; i < interactions.size(); ++i) {
    JsonPath a = interactions_at.index(i);
    const json& e = require_object(interactions[i], a);
    Interaction in;
    in.cell_id = get_string(e, "cell", a);
    in.from = settings_from(e, "from", a);
    in.to = settings_from(e, "to", a);
    for (const auto& [axis, value] : in.to) {
      in.axes.push_back(axis);
    }
    in.breaks = get_bool_or(e, "breaks", a, false);
    in.explanation = get_string(e, "explanation", a);
    in.first_divergence = divergence_from(e, "first_divergence", a);
    r.interactions.push_back(std::move(in));
  }
  r.golden_found = get_bool_or(j, "golden_found", at, false);
  r.golden_path = get_string(j, "golden_path", at);
  r.golden_notes = get_string_list(j, "golden_notes", at);
  JsonPath findings_at = at.child("findings");
  const json& findings = require_array(require_field(j, "findings", at), findings_at);
  for (size_t i = 0; i < findings.size(); ++i) {
    JsonPath a = findings_at.index(i);
    const json& e = require_object(findings[i], a);
    r.findings.push_back(
        {get_string(e, "code", a),
         parse_word(k_severities, get_string(e, "severity", a), a.child("severity")),
         get_string(e, "message", a)});
  }
  r.summary = get_string_list(j, "summary", at);
  if (verdict == "interrupted") {
    // The signal's name is in the `interrupted` finding ("interrupted by SIGINT: ...").
    r.interrupted_by = "signal";
    for (const auto& f : r.findings) {
      const std::string head = "interrupted by ";
      const size_t colon = f.message.find(':');
      if (f.code == "interrupted" && f.message.rfind(head, 0) == 0 && colon != std::string::npos) {
        r.interrupted_by = f.message.substr(head.size(), colon - head.size());
        break;
      }
    }
  }
  r.plan = plan_from(j, at);
  return r;
}

RunReport load_json_report(const std::filesystem::path& path) {
  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw Error(path.string(), "", "cannot read: " + ec.message());
  }
  if (size > k_max_json_report_bytes) {
    throw Error(path.string(), "",
                "larger than " + std::to_string(k_max_json_report_bytes >> 20) +
                    " MiB: not a repro-check JSON report");
  }
  return run_report_from_json(parse_json(read_file(path), path.string()), path.string());
}

}  // namespace repro
