// attach_cell_metrics: trace -> CellReport::loss_by_step and CellReport::eval.
#include "harness/report/cell_metrics.hpp"

namespace repro {

void attach_cell_metrics(RunReport& report, const std::vector<CellRun>& runs) {
  for (auto& cell : report.cells) {
    for (const auto& run : runs) {
      if (run.cell.id != cell.id || !run.trace) {
        continue;
      }
      cell.loss_by_step.clear();
      for (const auto& step : run.trace->steps) {
        cell.loss_by_step.push_back(step.loss_value);
      }
      cell.eval.clear();
      if (run.trace->eval && run.trace->eval->is_object()) {
        for (const char* name : k_report_eval_metrics) {
          auto it = run.trace->eval->find(name);
          if (it != run.trace->eval->end() && it->is_number()) {
            cell.eval[name] = it->get<double>();
          }
        }
      }
      cell.predictions = run.trace->predictions;
      if (cell.predictions && cell.role != CellRole::baseline) {
        for (auto& image : cell.predictions->images) {
          image.input_png.clear();  // the same data as the baseline's: kept once
        }
      }
      break;
    }
  }
  const CellReport* baseline = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.role == CellRole::baseline && cell.predictions) {
      baseline = &cell;
    }
  }
  for (auto& cell : report.cells) {
    cell.prediction_change.reset();
    if (baseline != nullptr && &cell != baseline && cell.predictions) {
      cell.prediction_change = compare_predictions(*baseline->predictions, *cell.predictions);
    }
  }
}

}  // namespace repro
