// Vega-Lite specs for the nightly report: data rows built from the nights' reports.
#include "harness/report/nightly_charts.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "harness/report/cell_metrics.hpp"

namespace repro {
namespace {

using nlohmann::json;

const char* k_schema = "https://vega.github.io/schema/vega-lite/v5.json";

json verdict_colours() {
  return {{"domain", {"identical", "diverged", "skipped", "crashed", "timeout"}},
          {"range", {"#2e7d32", "#c62828", "#9e9e9e", "#6a1b9a", "#ef6c00"}}};
}

json base_spec(json rows) {
  return {{"$schema", k_schema},
          {"data", {{"values", std::move(rows)}}},
          {"width", {{"step", 24}}},
          {"config", {{"view", {{"stroke", nullptr}}}, {"axis", {{"labelLimit", 320}}}}}};
}

std::string night_label(const Night& n) {
  return n.time.substr(0, 16) + "Z";
}

json number_or_null(std::optional<double> v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

std::optional<double> median(std::vector<double> v) {
  if (v.empty()) {
    return std::nullopt;
  }
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// "strict" or "fast" for a cell whose settings say which, else "".
std::string strictness(const CellReport& c) {
  auto mode = c.settings.find("mode");
  if (mode != c.settings.end()) {
    return mode->second == "strict" ? "strict" : "fast";
  }
  auto det = c.settings.find("deterministic");
  if (det != c.settings.end()) {
    return det->second == "on" || det->second == "true" ? "strict" : "fast";
  }
  return "";
}

}  // namespace

NightlyChart verdict_grid_chart(const NightlyHistory& history) {
  NightlyChart chart{"verdict-grid", "Verdicts over nights",
                     "Each cell (row) on each night (column), per environment class.", nullptr, ""};
  json rows = json::array();
  for (const auto& group : history.groups) {
    for (const auto& night : group.nights) {
      for (const auto& c : night.report.cells) {
        rows.push_back({{"class", group.environment_class},
                        {"night", night_label(night)},
                        {"cell", night.report.label(c)},
                        {"verdict", std::string(to_string(c.verdict))},
                        {"golden", c.golden ? std::string(to_string(*c.golden)) : "-"}});
      }
    }
  }
  if (rows.empty()) {
    chart.empty_note = "no nights in this window";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "rect"}, {"stroke", "white"}};
  spec["encoding"] = {
      {"x", {{"field", "night"}, {"type", "ordinal"}, {"title", "night (UTC)"}}},
      {"y", {{"field", "cell"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
      {"row", {{"field", "class"}, {"type", "nominal"}, {"title", "environment class"}}},
      {"color", {{"field", "verdict"}, {"type", "nominal"}, {"scale", verdict_colours()}}},
      {"tooltip", json::array({{{"field", "cell"}},
                               {{"field", "night"}},
                               {{"field", "verdict"}},
                               {{"field", "golden"}}})}};
  chart.spec = std::move(spec);
  return chart;
}

NightlyChart divergence_heatmap_chart(const NightGroup& group) {
  NightlyChart chart{"divergence-heatmap", "Where the latest night diverges",
                     "Cells × training steps: the first divergent step (red; ULP and tensor in "
                     "the tooltip) and the steps after it.",
                     nullptr, ""};
  const RunReport& r = group.nights.back().report;
  int steps = 0;
  for (const auto& c : r.cells) {
    steps = std::max(steps, static_cast<int>(c.loss_by_step.size()));
    if (c.first_divergence) {
      steps = std::max(steps, c.first_divergence->step + 1);
    }
  }
  json rows = json::array();
  for (const auto& c : r.cells) {
    if (c.verdict != CellVerdict::identical && c.verdict != CellVerdict::diverged) {
      continue;
    }
    for (int step = 0; step < steps; ++step) {
      std::string state = "identical";
      json ulp = nullptr;
      std::string tensor;
      if (c.first_divergence && step == c.first_divergence->step) {
        state = "first divergence";
        if (c.first_divergence->max_ulp) {
          ulp = *c.first_divergence->max_ulp;
        }
        tensor = c.first_divergence->tensor;
      } else if (c.first_divergence && step > c.first_divergence->step) {
        state = "diverged since";
      }
      rows.push_back({{"cell", r.label(c)},
                      {"step", step},
                      {"state", state},
                      {"max_ulp", ulp},
                      {"tensor", tensor}});
    }
  }
  if (rows.empty()) {
    chart.empty_note = "no cell of the latest night ran and was compared";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "rect"}, {"stroke", "white"}};
  spec["encoding"] = {
      {"x", {{"field", "step"}, {"type", "ordinal"}, {"scale", {{"paddingInner", 0.05}}}}},
      {"y", {{"field", "cell"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
      {"color",
       {{"field", "state"},
        {"type", "nominal"},
        {"scale",
         {{"domain", {"identical", "first divergence", "diverged since"}},
          {"range", {"#c8e6c9", "#b71c1c", "#ef9a9a"}}}}}},
      {"tooltip", json::array({{{"field", "cell"}},
                               {{"field", "step"}},
                               {{"field", "state"}},
                               {{"field", "tensor"}},
                               {{"field", "max_ulp"}}})}};
  chart.spec = std::move(spec);
  return chart;
}

NightlyChart loss_curves_chart(const NightGroup& group) {
  NightlyChart chart{"loss-curves", "Training loss per cell (latest night)",
                     "The loss of each step; cells that stay bit-identical draw on top of each "
                     "other.",
                     nullptr, ""};
  const RunReport& r = group.nights.back().report;
  json rows = json::array();
  for (const auto& c : r.cells) {
    for (size_t step = 0; step < c.loss_by_step.size(); ++step) {
      if (std::isfinite(c.loss_by_step[step])) {
        rows.push_back({{"cell", r.label(c)}, {"step", step}, {"loss", c.loss_by_step[step]}});
      }
    }
  }
  if (rows.empty()) {
    chart.empty_note = "the latest night's report carries no per-step losses";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["width"] = 520;
  spec["encoding"] = {
      {"x", {{"field", "step"}, {"type", "quantitative"}, {"axis", {{"tickMinStep", 1}}}}},
      {"y", {{"field", "loss"}, {"type", "quantitative"}, {"scale", {{"zero", false}}}}},
      {"color", {{"field", "cell"}, {"type", "nominal"}}},
      {"tooltip",
       json::array(
           {{{"field", "cell"}}, {{"field", "step"}}, {{"field", "loss"}, {"format", ".6g"}}})}};
  chart.spec = std::move(spec);
  return chart;
}

NightlyChart step_time_chart(const NightGroup& group) {
  NightlyChart chart{"step-time", "Step time per cell over nights",
                     "Median milliseconds per training step of each cell.", nullptr, ""};
  json rows = json::array();
  for (const auto& night : group.nights) {
    for (const auto& c : night.report.cells) {
      if (c.step_time_ms && std::isfinite(*c.step_time_ms)) {
        rows.push_back({{"night", night_label(night)},
                        {"cell", night.report.label(c)},
                        {"ms", *c.step_time_ms}});
      }
    }
  }
  if (rows.empty()) {
    chart.empty_note = "no step times recorded";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["width"] = 520;
  spec["encoding"] = {{"x", {{"field", "night"}, {"type", "ordinal"}, {"title", "night (UTC)"}}},
                      {"y", {{"field", "ms"}, {"type", "quantitative"}, {"title", "ms / step"}}},
                      {"color", {{"field", "cell"}, {"type", "nominal"}}},
                      {"tooltip", json::array({{{"field", "cell"}},
                                               {{"field", "night"}},
                                               {{"field", "ms"}, {"format", ".1f"}}})}};
  chart.spec = std::move(spec);
  return chart;
}

NightlyChart determinism_tax_chart(const NightGroup& group) {
  NightlyChart chart{"determinism-tax", "Determinism tax over nights",
                     "Median step time of strict cells (deterministic=on or mode=strict) and "
                     "fast cells, night by night.",
                     nullptr, ""};
  json rows = json::array();
  for (const auto& night : group.nights) {
    std::map<std::string, std::vector<double>> times;
    for (const auto& c : night.report.cells) {
      std::string kind = strictness(c);
      if (!kind.empty() && c.step_time_ms && std::isfinite(*c.step_time_ms)) {
        times[kind].push_back(*c.step_time_ms);
      }
    }
    if (times.size() == 2) {
      for (const auto& [kind, values] : times) {
        rows.push_back({{"night", night_label(night)},
                        {"kind", kind},
                        {"ms", number_or_null(median(values))}});
      }
    }
  }
  if (rows.empty()) {
    chart.empty_note =
        "no night has both strict and fast cells (add --axis deterministic=off,on to see the tax)";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["width"] = 520;
  spec["encoding"] = {
      {"x", {{"field", "night"}, {"type", "ordinal"}, {"title", "night (UTC)"}}},
      {"y", {{"field", "ms"}, {"type", "quantitative"}, {"title", "median ms / step"}}},
      {"color", {{"field", "kind"}, {"type", "nominal"}}}};
  chart.spec = std::move(spec);
  return chart;
}

NightlyChart model_effect_chart(const NightGroup& group) {
  NightlyChart chart{"model-effect", "What a divergence does to the model",
                     "For each setting change that breaks bit-equality (latest night): the "
                     "validation metric of that cell minus the baseline's.",
                     nullptr, ""};
  const RunReport& r = group.nights.back().report;
  const CellReport* baseline = nullptr;
  for (const auto& c : r.cells) {
    if (c.role == CellRole::baseline) {
      baseline = &c;
    }
  }
  json rows = json::array();
  for (const auto& a : r.attribution) {
    if (!a.breaks || baseline == nullptr) {
      continue;
    }
    for (const auto& c : r.cells) {
      if (c.id != a.cell_id) {
        continue;
      }
      for (const char* metric : k_report_eval_metrics) {
        auto mine = c.eval.find(metric);
        auto theirs = baseline->eval.find(metric);
        if (mine != c.eval.end() && theirs != baseline->eval.end()) {
          rows.push_back({{"setting", a.axis + " " + a.from + "→" + a.to},
                          {"metric", metric},
                          {"delta", mine->second - theirs->second},
                          {"value", mine->second},
                          {"baseline", theirs->second}});
        }
      }
      if (c.prediction_change && c.prediction_change->pixels > 0) {
        const double share = static_cast<double>(c.prediction_change->differing) /
                             static_cast<double>(c.prediction_change->pixels);
        rows.push_back({{"setting", a.axis + " " + a.from + "→" + a.to},
                        {"metric", "predicted_class_changed"},
                        {"delta", share},
                        {"value", share},
                        {"baseline", 0.0}});
      }
    }
  }
  if (rows.empty()) {
    chart.empty_note = "no breaking setting with validation metrics on the latest night";
    return chart;
  }
  json spec = base_spec(std::move(rows));
  spec["mark"] = {{"type", "bar"}};
  spec["encoding"] = {
      {"x", {{"field", "delta"}, {"type", "quantitative"}, {"title", "cell − baseline"}}},
      {"y", {{"field", "setting"}, {"type", "nominal"}, {"title", nullptr}}},
      {"column", {{"field", "metric"}, {"type", "nominal"}, {"title", nullptr}}},
      {"color",
       {{"condition", {{"test", "datum.delta < 0"}, {"value", "#c62828"}}}, {"value", "#1565c0"}}},
      {"tooltip", json::array({{{"field", "setting"}},
                               {{"field", "metric"}},
                               {{"field", "value"}, {"format", ".6g"}},
                               {{"field", "baseline"}, {"format", ".6g"}},
                               {{"field", "delta"}, {"format", ".3g"}}})}};
  spec["resolve"] = {{"scale", {{"x", "independent"}}}};
  spec["width"] = 180;
  chart.spec = std::move(spec);
  return chart;
}

}  // namespace repro
