// The training loop of a worker run, with its trace, timings, dump and evaluation.
#include "models/training_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "harness/trace/op_trace.hpp"
#include "harness/trace/tensor_dump.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/error.hpp"
#include "models/data/pet_dataset.hpp"
#include "models/evaluator.hpp"
#include "models/op_tracer.hpp"
#include "models/pet_batches.hpp"
#include "models/planted_fault.hpp"
#include "models/planted_fault_actions.hpp"
#include "models/step_recorder.hpp"
#include "models/torch_runtime.hpp"
#include "models/trainer.hpp"
#include "models/unet.hpp"

namespace repro {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char text[160];
  std::snprintf(text, sizeof text, pattern, a, b, c);
  return text;
}

// The planted faults that act on a finished step (docs/canaries.md): a one-ULP flip of
// the first parameter, or a recorded loss one ULP off (training used the true one).
void plant_step_fault(const PlantedFault& fault, const WorkerConfig& config, int step,
                      Trainer& trainer, at::Tensor& loss) {
  const bool flip = fault.acts_at("ulp-flip", step) ||
                    (fault.acts_at("ulp-flip-threads2", step) && config.settings.threads == 2);
  if (flip) {
    at::Tensor first = trainer.model()->parameters().front();
    flip_one_ulp(first);
  }
  if (fault.acts_at("loss-only", step)) {
    loss = one_ulp_larger(loss);
  }
}

}  // namespace

void validate_workload(const WorkerConfig& config, const std::string& source) {
  parse_planted_fault(config.settings.fault, source);
  const int side = bottleneck_side(config.data.image_size, config.model.depth);
  if (side == 0) {
    throw Error(source, "model.depth",
                "data.image_size " + std::to_string(config.data.image_size) +
                    " is not divisible by 2^depth = " + std::to_string(1 << config.model.depth));
  }
  const bool strict = config.train.mode == "strict";
  const int per_pass =
      strict ? config.train.batch_size / config.train.shards : config.train.batch_size;
  if (per_pass * side * side < 2) {
    throw Error(source, strict ? "train.shards" : "train.batch_size",
                "BatchNorm needs more than one value per channel at the " + std::to_string(side) +
                    "x" + std::to_string(side) + " bottleneck: use more samples per " +
                    (strict ? "shard" : "batch") + " or a smaller model.depth");
  }
}

void run_training(const WorkerConfig& config, const Fingerprint& fingerprint,
                  const std::string& config_source, const std::string& producer,
                  const TrainingRunOptions& options, std::ostream& progress) {
  for (const auto& [flag, step] : {std::pair{"--dump-step", options.dump_step},
                                   std::pair{"--op-trace-step", options.op_trace_step}}) {
    if (step && *step >= config.train.steps) {
      throw Error("", flag,
                  "step " + std::to_string(*step) + " is beyond the run (train.steps " +
                      std::to_string(config.train.steps) + ")");
    }
  }
  const PlantedFault fault = parse_planted_fault(config.settings.fault, config_source);
  const PetSplits data = fault.kind == "listing-order"
                             ? load_pet_splits_in_listing_order(config.data)
                             : load_pet_splits(config.data);
  if (data.train.empty()) {
    throw Error(config_source, config.data.source == "oxford" ? "data.path" : "data.count",
                "the dataset has no samples in the train split (folds 0-6)");
  }

  TraceWriter trace(options.trace_path);
  TraceHeader header;
  header.producer = producer;
  header.config = to_json(config);
  header.fingerprint = to_json(fingerprint);
  trace.write_header(header);

  Trainer trainer(config, torch_device(config.settings.device));
  std::optional<OpDumpRequest> op_dump;
  if (options.op_dump) {
    op_dump = parse_op_dump_request(*options.op_dump, "", "--op-dump");
  }
  OpTracer tracer(options.op_trace_step, parse_planted_fault(config.settings.fault, config_source),
                  op_dump, producer);
  TrainBatches batches(data.train, config.train.batch_size, config.train.seed,
                       config.train.augment_flip, fault);
  const int steps = config.train.steps;
  const int report_every = std::max(1, steps / 10);
  std::vector<double> step_ms;
  std::vector<double> record_ms;
  for (int step = 0; step < steps; ++step) {
    const Batch batch = batches.next();
    const auto step_start = Clock::now();
    if (tracer.active_at(step)) {
      trainer.name_tensors(tracer);
    }
    tracer.begin_step(step);
    at::Tensor loss = trainer.step(batch, step);
    const std::optional<OpTrace> op_trace = tracer.end_step();
    step_ms.push_back(milliseconds_since(step_start));
    plant_step_fault(fault, config, step, trainer, loss);

    const auto record_start = Clock::now();
    const auto tensors =
        step_tensors(batch, loss, trainer.model(), trainer.optimizer(), trainer.grad_order());
    const StepRecord record = make_step_record(step, batch, loss, tensors);
    trace.write_step(record);
    record_ms.push_back(milliseconds_since(record_start));
    trace.write_timing(step, step_ms.back());

    if (op_trace) {
      write_op_trace(options.op_trace_path, *op_trace);
      if (op_dump) {
        if (!tracer.op_dump()) {
          throw Error("", "--op-dump",
                      "no op " + *options.op_dump + " at step " + std::to_string(step));
        }
        write_tensor_dump(options.op_dump_dir, *tracer.op_dump());
      }
    }
    if (options.dump_step == step) {
      write_tensor_dump(options.dump_dir, make_tensor_dump(step, tensors));
    }
    const int last_requested =
        std::max(options.dump_step.value_or(-1), options.op_trace_step.value_or(-1));
    if (options.stop_after_dump && step == last_requested) {
      return;
    }
    if (!options.quiet && ((step + 1) % report_every == 0 || step + 1 == steps)) {
      progress << "repro-worker: step " << step + 1 << "/" << steps << " loss "
               << format("%.6f (%.1f ms)", record.loss_value, step_ms.back()) << "\n";
    }
  }

  if (config.eval.enabled) {
    if (data.validation.empty()) {
      if (!options.quiet) {
        progress << "repro-worker: no validation samples (fold 7): evaluation skipped\n";
      }
    } else {
      Predictions predictions;
      const SegmentationMetrics metrics =
          evaluate(trainer.model(), data.validation, config.eval.max_samples, trainer.device(),
                   &predictions);
      trace.write_eval(to_json(metrics), &predictions);
      if (!options.quiet) {
        progress << "repro-worker: validation " << metrics.samples << " samples, "
                 << format("loss %.4f, pixel accuracy %.3f, mean IoU %.3f", metrics.loss,
                           metrics.pixel_accuracy, metrics.mean_iou)
                 << "\n";
      }
    }
  }
  trace.finish(steps);
  if (!options.quiet) {
    const double step_median = median(step_ms);
    const double record_median = median(record_ms);
    progress << "repro-worker: median step "
             << format("%.2f ms, recording %.3f ms (%.1f%% of a step)", step_median, record_median,
                       step_median > 0 ? 100.0 * record_median / step_median : 0)
             << "\n";
  }
}

}  // namespace repro
