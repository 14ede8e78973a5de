// Vega-Lite specifications (with their data inline) for the nightly report's charts.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/nightly_data.hpp"

namespace repro {

// One chart: where it goes on the page, its heading and explanation, and its Vega-Lite
// spec; `spec` is null when the data has nothing to draw (`empty_note` says why).
struct NightlyChart {
  std::string id;  // HTML id, "verdict-grid"
  std::string title;
  std::string caption;
  nlohmann::json spec;
  std::string empty_note;
};

// Verdicts of every cell on every night (cells × nights), one row of panels per
// environment class.
NightlyChart verdict_grid_chart(const NightlyHistory& history);
// The latest night's cells × steps: identical, the first divergent step (ULP in the
// tooltip), and the steps after it.
NightlyChart divergence_heatmap_chart(const NightGroup& group);
// Training loss per step for each cell of the latest night.
NightlyChart loss_curves_chart(const NightGroup& group);
// Median step time of each cell, night by night.
NightlyChart step_time_chart(const NightGroup& group);
// Strict (deterministic=on or mode=strict) vs fast median step time, night by night: the
// price of determinism. Empty when no night has both kinds of cells.
NightlyChart determinism_tax_chart(const NightGroup& group);
// Latest night: for each breaking single-axis change, validation metric deltas vs the
// baseline (loss, mean IoU, mean F1, pixel accuracy).
NightlyChart model_effect_chart(const NightGroup& group);

}  // namespace repro
