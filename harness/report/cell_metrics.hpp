// attach_cell_metrics: copies what each cell's training did (loss per step, validation
// metrics) from its trace into the report, for the nightly report's model-effect charts.
#pragma once

#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// The validation metrics the report keeps (the worker's evaluator computes them).
inline constexpr const char* k_report_eval_metrics[] = {"loss", "mean_iou", "mean_f1",
                                                        "pixel_accuracy"};

// For each cell of `report`, the run with the same id: its trace's loss per step and its
// eval metrics (the ones in k_report_eval_metrics that are numbers) and predictions (input
// pictures kept for the baseline only). Then each other cell's prediction_change against
// the baseline's predictions. Cells without a trace keep empty values. Never throws.
void attach_cell_metrics(RunReport& report, const std::vector<CellRun>& runs);

}  // namespace repro
