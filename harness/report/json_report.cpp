// JSON report writer (the contract is documented in json_report.hpp).
#include "harness/report/json_report.hpp"

#include <cmath>

#include "harness/report/diagnosis_json.hpp"
#include "harness/verdict/golden_json.hpp"

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

ordered settings_json(const Settings& settings) {
  ordered j = ordered::object();
  for (const auto& [axis, value] : settings) {
    j[axis] = value;
  }
  return j;
}

// JSON has no inf or NaN: those become null (divergence_to_json says why).
ordered optional_number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) {
    return nullptr;
  }
  return *v;
}

ordered golden_json(const std::optional<GoldenStatus>& status) {
  return status ? ordered(std::string(to_string(*status))) : ordered(nullptr);
}

ordered plan_json(const std::optional<PlanIdentity>& plan) {
  if (!plan) {
    return nullptr;
  }
  ordered j;
  j["hash"] = plan->hash;
  j["shard"] = plan->shard ? ordered{{"index", plan->shard->index}, {"count", plan->shard->count}}
                           : ordered(nullptr);
  j["cells"] = plan->cells;
  j["invariant"] = plan->invariant_axes;
  j["require_golden"] = plan->require_golden;
  j["skip_without_golden"] = plan->skip_without_golden;
  j["bless_arguments"] = plan->bless_arguments;
  return j;
}

}  // namespace

void add_golden_details(ordered& cell, const CellReport& c) {
  if (!c.golden_check) {
    cell["golden_check"] = nullptr;
  } else {
    const GoldenCellCheck& g = *c.golden_check;
    ordered check;
    check["environment_class"] = g.environment_class;
    check["portable"] = g.portable;
    check["path"] = g.path;
    check["detail"] = g.detail;
    check["loss"] = g.loss_text;
    check["config_changes"] = g.config_changes;
    check["fingerprint_changes"] = g.fingerprint_changes;
    check["accept_command"] = g.accept_command;
    ordered cross = ordered::array();
    for (const auto& e : g.cross_class) {
      ordered x;
      x["environment_class"] = e.environment_class;
      x["differences"] = e.differences;
      x["identical"] = e.identical;
      x["first_divergence"] = divergence_to_json(e.first_divergence);
      x["text"] = e.text;
      cross.push_back(std::move(x));
    }
    check["cross_class"] = std::move(cross);
    cell["golden_check"] = std::move(check);
  }
  cell["golden_cell"] =
      c.golden_candidate ? golden_candidate_to_json(*c.golden_candidate) : ordered(nullptr);
}

ordered divergence_to_json(const std::optional<FirstDivergence>& divergence) {
  if (!divergence) {
    return nullptr;
  }
  const FirstDivergence& fd = *divergence;
  ordered j;
  j["step"] = fd.step;
  j["tensor"] = fd.tensor.empty() ? ordered(nullptr) : ordered(fd.tensor);
  j["kind"] = fd.kind ? ordered(std::string(to_string(*fd.kind))) : ordered(nullptr);
  j["max_abs_diff"] = optional_number(fd.max_abs_diff);
  j["max_ulp"] = fd.max_ulp ? ordered(*fd.max_ulp) : ordered(nullptr);
  j["differing_elements"] = fd.differing_elements ? ordered(*fd.differing_elements) : nullptr;
  j["magnitude_note"] = fd.max_abs_diff && !std::isfinite(*fd.max_abs_diff)
                            ? "max |Δ| is not finite (NaN or infinity on one side)"
                            : fd.magnitude_note;
  return j;
}

ordered report_to_json(const RunReport& report) {
  ordered j;
  j["format_version"] = k_run_report_format_version;
  j["suite"] = report.suite;
  j["design"] = report.design;
  j["verdict"] = std::string(verdict_word(report));
  j["interrupted"] = !report.interrupted_by.empty();
  j["exit_code"] = report.exit_code;
  j["environment_class"] = report.environment_class;
  j["fingerprint"] = ordered::parse(
      to_json(report.fingerprint).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  j["repeatable"] = report.repeatable ? ordered(*report.repeatable) : ordered(nullptr);
  j["culprit"] = report.culprit;
  j["repeats"] = {{"compared", report.repeats_compared}, {"identical", report.repeats_identical}};

  ordered cells = ordered::array();
  ordered golden = ordered::object();
  for (const auto& c : report.cells) {
    ordered cell;
    cell["id"] = c.id;
    cell["settings"] = settings_json(c.settings);
    cell["role"] = std::string(to_string(c.role));
    cell["verdict"] = std::string(to_string(c.verdict));
    cell["reason"] = c.reason;
    cell["step_time_ms"] = optional_number(c.step_time_ms);
    cell["wall_seconds"] = c.wall_seconds;
    cell["first_divergence"] = divergence_to_json(c.first_divergence);
    cell["divergence_summary"] = divergence_summary_to_json(c.divergence_summary);
    cell["first_divergent_op"] = op_localization_to_json(c.first_divergent_op);
    cell["golden"] = golden_json(c.golden);
    cell["golden_first_divergence"] = divergence_to_json(c.golden_divergence);
    cell["failures"] = c.failures;
    add_golden_details(cell, c);
    ordered losses = ordered::array();
    for (double loss : c.loss_by_step) {
      losses.push_back(optional_number(loss));
    }
    cell["loss_by_step"] = std::move(losses);
    ordered eval = ordered::object();
    for (const auto& [name, value] : c.eval) {
      eval[name] = optional_number(value);
    }
    cell["eval"] = c.eval.empty() ? ordered(nullptr) : std::move(eval);
    cell["predictions"] = c.predictions ? to_json(*c.predictions) : ordered(nullptr);
    if (c.prediction_change) {
      cell["prediction_change"] = {
          {"pixels", c.prediction_change->pixels},
          {"differing", c.prediction_change->differing},
          {"differing_by_sample", c.prediction_change->differing_by_sample}};
    } else {
      cell["prediction_change"] = nullptr;
    }
    cells.push_back(std::move(cell));
    golden[c.id] = golden_json(c.golden);
  }
  j["cells"] = std::move(cells);

  ordered attribution = ordered::array();
  for (const auto& a : report.attribution) {
    ordered e;
    e["axis"] = a.axis;
    e["from"] = a.from;
    e["to"] = a.to;
    e["breaks"] = a.breaks;
    e["must_hold"] = a.must_hold;
    e["cell"] = a.cell_id;
    e["first_divergence"] = divergence_to_json(a.first_divergence);
    attribution.push_back(std::move(e));
  }
  j["attribution"] = std::move(attribution);

  ordered interactions = ordered::array();
  for (const auto& in : report.interactions) {
    ordered e;
    e["cell"] = in.cell_id;
    e["from"] = settings_json(in.from);
    e["to"] = settings_json(in.to);
    e["breaks"] = in.breaks;
    e["explanation"] = in.explanation;
    e["first_divergence"] = divergence_to_json(in.first_divergence);
    interactions.push_back(std::move(e));
  }
  j["interactions"] = std::move(interactions);

  j["golden"] = std::move(golden);
  j["golden_found"] = report.golden_found;
  j["golden_path"] = report.golden_path;
  j["golden_notes"] = report.golden_notes;
  j["golden_compared"] = report.golden_compared();

  ordered findings = ordered::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"code", f.code},
                        {"severity", std::string(to_string(f.severity))},
                        {"message", f.message}});
  }
  j["findings"] = std::move(findings);
  j["summary"] = report.summary;
  j["plan"] = plan_json(report.plan);
  return j;
}

void write_json_report(std::ostream& out, const RunReport& report) {
  // Replace, not throw, on invalid UTF-8 in worker-provided text (a crash reason).
  out << report_to_json(report).dump(2, ' ', false,
                                     nlohmann::ordered_json::error_handler_t::replace)
      << "\n";
}

}  // namespace repro
