// Cell: one point of the settings matrix, and what happened when it ran.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/trace/trace.hpp"

namespace repro {

// Axis name -> value, e.g. {"blas": "openblas-pthread", "threads": "2"}. Ordered by
// axis name, so a Settings has one canonical text form (the golden key).
using Settings = std::map<std::string, std::string>;

// "blas=openblas-pthread,threads=2": canonical, stable, used as golden key and cell id.
std::string settings_key(const Settings& settings);

// Why a cell is in the matrix.
enum class CellRole {
  baseline,  // the first value of every axis
  repeat,    // the baseline again: proves identical settings give identical bits
  variant,   // ofat: one axis changed from the baseline; full: any combination
};
std::string_view to_string(CellRole role);

struct Cell {
  std::string id;  // unique within a run: settings_key, "#repeat" suffix for the repeat
  Settings settings;
  CellRole role = CellRole::variant;
  // ofat: the one axis that differs from the baseline (empty for baseline/repeat/full).
  std::string varied_axis;
};

// How a cell's worker process ended.
enum class RunStatus {
  ran,      // exit 0 and a complete trace
  skipped,  // cannot run here (no CUDA, value unavailable); `reason` says why
  crashed,  // non-zero exit, signal, unreadable or incomplete trace
  timeout,  // killed after the per-cell time limit
  not_run,  // the run was interrupted (SIGINT/SIGTERM) before this cell finished
};
std::string_view to_string(RunStatus status);

struct CellRun {
  Cell cell;
  RunStatus status = RunStatus::crashed;
  std::string reason;  // skip reason, crash description (exit code/signal + stderr tail)
  std::filesystem::path trace_path;
  std::optional<Trace> trace;  // set when status == ran (or a partial trace was readable)
  double step_time_ms = 0;     // median over steps, 0 when unknown
  double wall_seconds = 0;
  // The worker exited 2: its configuration or an input file (a dataset image, a planted
  // fault name) is wrong. The cell is crashed, and the run ends with exit 2, not 3.
  bool input_error = false;
};

}  // namespace repro
