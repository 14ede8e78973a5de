// FakeRunner and synthetic traces.
#include "tests/support/fake_runner.hpp"

#include <array>
#include <cstdio>

#include "tests/support/synthetic_traces.hpp"

namespace repro::test {
namespace {

Digest digest_of(std::uint64_t salt, int step, const std::string& name) {
  std::string text = std::to_string(salt) + "/" + std::to_string(step) + "/" + name;
  return digest_bytes(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

}  // namespace

Trace synthetic_trace(int steps, std::uint64_t salt, int diverge_step,
                      const std::string& diverge_tensor) {
  static const std::array<std::pair<const char*, TensorKind>, 5> k_tensors = {{
      {"batch.images", TensorKind::batch},
      {"loss", TensorKind::loss},
      {"w.grad", TensorKind::grad},
      {"w", TensorKind::param},
      {"w.exp_avg", TensorKind::optimizer},
  }};
  Trace trace;
  trace.header.producer = "fake-runner";
  trace.header.config = nlohmann::json::object();
  trace.header.fingerprint = nlohmann::json::object();
  for (int step = 0; step < steps; ++step) {
    StepRecord record;
    record.step = step;
    record.loss_bits = "3f800000";
    record.loss_value = 1.0;
    record.batch_ids = {"Abyssinian_1", "beagle_2"};
    bool diverged = false;  // within the divergent step: this tensor and every later one
    for (const auto& [name, kind] : k_tensors) {
      diverged = diverged || (step == diverge_step && name == diverge_tensor);
      // After the divergent step everything but the input batch carries the difference.
      bool later = diverge_step >= 0 && step > diverge_step && kind != TensorKind::batch;
      std::uint64_t s = diverged || later ? salt + 1000003 : salt;
      record.tensors.push_back({name, kind, digest_of(s, step, name)});
      if (kind == TensorKind::loss) {
        // The loss bits follow the loss tensor, whose digest is that of exactly those bits.
        char bits[9];
        std::snprintf(bits, sizeof bits, "%08x",
                      static_cast<unsigned>(record.tensors.back().digest.low & 0xffffffffu));
        record.loss_bits = bits;
        record.tensors.back().digest = loss_tensor_digest(bits);
      }
    }
    record.root = compute_root(record);
    trace.steps.push_back(record);
    trace.step_time_ms.push_back(10.0 + step);
  }
  trace.complete = true;
  trace.end_status = "ok";
  return trace;
}

CellRun ran_cell(const Cell& cell, Trace trace) {
  CellRun run;
  run.cell = cell;
  run.status = RunStatus::ran;
  run.step_time_ms = trace.step_time_ms.empty() ? 0 : trace.step_time_ms.front();
  run.trace = std::move(trace);
  run.wall_seconds = 0.1;
  return run;
}

FakeRunner::FakeRunner(Outcome outcome) : m_outcome(std::move(outcome)) {
  if (!m_outcome) {
    m_outcome = [](const Cell& cell) { return ran_cell(cell, synthetic_trace(3)); };
  }
}

void FakeRunner::set_result(const std::string& cell_id, CellRun run) {
  m_results[cell_id] = std::move(run);
}

std::vector<CellRun> FakeRunner::run(const std::vector<Cell>& cells,
                                     const ProgressCallback& progress) {
  ++m_calls;
  std::vector<CellRun> runs;
  RunProgress state;
  state.total = cells.size();
  for (const auto& cell : cells) {
    m_requested.push_back(cell.id);
    auto it = m_results.find(cell.id);
    CellRun run = it != m_results.end() ? it->second : m_outcome(cell);
    run.cell = cell;
    runs.push_back(std::move(run));
    ++state.done;
    if (progress) {
      RunProgress p = state;
      p.cell = &cell;
      p.finished = &runs.back();
      progress(p);
    }
  }
  return runs;
}

}  // namespace repro::test
