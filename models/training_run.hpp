// A training run: data, model, steps with their trace records, evaluation.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/trace/fingerprint.hpp"
#include "harness/trace/worker_config.hpp"

namespace repro {

struct TrainingRunOptions {
  std::filesystem::path trace_path;  // the trace (written as <path>.partial, then renamed)
  std::optional<int> dump_step;      // write every tensor of this step to dump_dir
  std::filesystem::path dump_dir;
  bool stop_after_dump = false;      // return right after the dump/op trace (trace left partial)
  std::optional<int> op_trace_step;  // digest every ATen op of this step (op_tracer.hpp)
  std::filesystem::path op_trace_path;
  std::optional<std::string> op_dump;  // "LANE:INDEX": also dump that op's outputs
  std::filesystem::path op_dump_dir;
  bool quiet = false;  // no progress lines
};

// Checks what the config parser cannot know about the workload: the image side must
// be divisible by 2^model.depth, and BatchNorm needs more than one value per channel at
// the bottleneck for a training batch (strict mode: a shard). Throws
// repro::Error(source, field, why).
void validate_workload(const WorkerConfig& config, const std::string& source);

// Runs `config` (settings already applied with apply_torch_settings): loads the data,
// trains train.steps steps writing one step record and one timing record each, dumps
// the requested step, evaluates on the validation fold and finishes the trace.
// Progress goes to `progress` (about one line per 10% of the steps, and a summary)
// unless quiet. Throws repro::Error for bad input (a missing or corrupt dataset file, an
// empty train split, a dump step beyond the run); libtorch failures propagate as
// c10::Error. The producer string is written into the trace header.
void run_training(const WorkerConfig& config, const Fingerprint& fingerprint,
                  const std::string& config_source, const std::string& producer,
                  const TrainingRunOptions& options, std::ostream& progress);

}  // namespace repro
