// Reading a trace: the whole reader per step line, and the JSON Schema share of it.
#include <benchmark/benchmark.h>

#include <string>

#include "harness/trace/contract_schemas.hpp"
#include "harness/trace/trace.hpp"

namespace repro {
namespace {

// A step line with `tensors` entries, as large as a mobilenet U-Net of width 16 writes
// (665 entries) when Arg is 665.
std::string trace_text(int tensors, int steps) {
  TraceHeader header;
  std::string text = header_line(header);
  for (int s = 0; s < steps; ++s) {
    StepRecord step;
    step.step = s;
    step.loss_bits = "3f8ccccd";
    step.loss_value = 1.1;
    step.batch_ids = {"Abyssinian_1", "beagle_2"};
    for (int i = 0; i < tensors; ++i) {
      TensorKind kind = i == 0 ? TensorKind::loss : TensorKind::param;
      step.tensors.push_back(
          {i == 0 ? "loss" : "layer" + std::to_string(i) + ".weight", kind,
           Digest{static_cast<std::uint64_t>(i) * 7919U + 1U, static_cast<std::uint64_t>(s) + 3U},
           false});
    }
    step.root = compute_root(step);
    text += step_line(step);
  }
  return text + end_line(steps, "ok");
}

void BM_ParseTraceStep(benchmark::State& state) {
  const std::string text = trace_text(static_cast<int>(state.range(0)), 10);
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_trace(text, "bench.jsonl"));
  }
  state.SetItemsProcessed(state.iterations() * 10);  // steps
}

void BM_SchemaValidateStep(benchmark::State& state) {
  const std::string text = trace_text(static_cast<int>(state.range(0)), 1);
  const auto line = nlohmann::json::parse(
      text.substr(text.find('\n') + 1, text.find('\n', text.find('\n') + 1) - text.find('\n') - 1));
  const JsonSchema& schema = contract_schema("trace-record.schema.json");
  for (auto _ : state) {
    benchmark::DoNotOptimize(schema.violations(line));
  }
  state.SetItemsProcessed(state.iterations());  // steps
}

}  // namespace

BENCHMARK(BM_ParseTraceStep)->Arg(665)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchemaValidateStep)->Arg(665)->Unit(benchmark::kMillisecond);

}  // namespace repro
