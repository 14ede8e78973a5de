// Synthetic traces and dumps: deterministic digests from (salt, step, name).
#include "tests/support/synthetic_traces.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <span>

namespace repro::test {
namespace {

Digest derived(std::uint64_t salt, int step, const std::string& name) {
  std::string text = std::to_string(salt) + "/" + std::to_string(step) + "/" + name;
  return digest_bytes(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

std::string loss_bits_of(const StepRecord& s) {
  for (const auto& t : s.tensors) {
    if (t.kind == TensorKind::loss) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(t.digest.low & 0xffffffffu));
      return buf;
    }
  }
  return "3f800000";
}

StepRecord& step_at(Trace& trace, int step) {
  return trace.steps.at(static_cast<size_t>(step));
}

}  // namespace

std::vector<TensorSpec> unet_tensors() {
  return {{"batch.images", TensorKind::batch},
          {"batch.labels", TensorKind::batch},
          {"enc1.bn1.running_mean", TensorKind::buffer},
          {"loss", TensorKind::loss},
          {"enc1.conv1.weight.grad", TensorKind::grad},
          {"dec1.conv1.weight.grad", TensorKind::grad},
          {"enc1.conv1.weight", TensorKind::param},
          {"dec1.conv1.weight", TensorKind::param},
          {"enc1.conv1.weight.exp_avg", TensorKind::optimizer},
          {"enc1.conv1.weight.exp_avg_sq", TensorKind::optimizer}};
}

Trace make_trace(int steps, const std::vector<TensorSpec>& tensors, std::uint64_t salt) {
  Trace trace;
  trace.header.producer = "synthetic 1.0";
  trace.complete = true;
  trace.end_status = "ok";
  for (int s = 0; s < steps; ++s) {
    StepRecord step;
    step.step = s;
    step.batch_ids = {"Abyssinian_" + std::to_string(2 * s),
                      "yorkshire_terrier_" + std::to_string(2 * s + 1)};
    for (const auto& spec : tensors) {
      step.tensors.push_back({spec.name, spec.kind, derived(salt, s, spec.name)});
    }
    trace.steps.push_back(std::move(step));
    trace.step_time_ms.push_back(50.0 + s);
  }
  refresh(trace);
  return trace;
}

void diverge(Trace& trace, int step, const std::string& tensor, std::uint64_t salt) {
  for (auto& s : trace.steps) {
    if (s.step < step) {
      continue;
    }
    bool changing = s.step > step;
    for (auto& t : s.tensors) {
      changing = changing || t.name == tensor;
      if (changing && (s.step == step || t.kind != TensorKind::batch)) {
        t.digest = derived(salt + 1000003, s.step, t.name);
      }
    }
  }
  refresh(trace);
}

void mutate_tensor(Trace& trace, int step, const std::string& tensor, std::uint64_t salt) {
  for (auto& t : step_at(trace, step).tensors) {
    if (t.name == tensor) {
      t.digest = derived(salt + 2000003, step, t.name);
    }
  }
  refresh(trace);
}

void reorder_batch(Trace& trace, int step) {
  auto& ids = step_at(trace, step).batch_ids;
  std::reverse(ids.begin(), ids.end());
}

Digest loss_tensor_digest(const std::string& bits) {
  const std::uint32_t value = static_cast<std::uint32_t>(std::stoul(bits, nullptr, 16));
  std::byte bytes[4];
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xffu);
  }
  return digest_tensor("float32", std::span<const std::int64_t>(), bytes);
}

void refresh(Trace& trace) {
  for (auto& s : trace.steps) {
    // The loss tensor holds exactly the loss bits, as a real producer's does. A loss
    // digest that already matches the bits is kept (refresh is idempotent); a hand-edited
    // one gives new bits derived from it.
    TensorRecord* loss = nullptr;
    for (auto& t : s.tensors) {
      if (t.kind == TensorKind::loss && t.name == "loss") {
        loss = &t;
      }
    }
    const bool consistent = loss != nullptr && s.loss_bits.size() == 8 &&
                            loss->digest == loss_tensor_digest(s.loss_bits);
    if (!consistent) {
      s.loss_bits = loss_bits_of(s);
      if (loss != nullptr) {
        loss->digest = loss_tensor_digest(s.loss_bits);
      }
    }
    s.root = compute_root(s);
  }
}

Cell make_cell(const Settings& settings, CellRole role, const std::string& varied_axis) {
  Cell cell;
  cell.settings = settings;
  cell.role = role;
  cell.varied_axis = varied_axis;
  cell.id = settings_key(settings) + (role == CellRole::repeat ? "#repeat" : "");
  return cell;
}

CellRun make_run(const Cell& cell, Trace trace, double step_time_ms) {
  CellRun run;
  run.cell = cell;
  run.status = RunStatus::ran;
  run.trace = std::move(trace);
  run.step_time_ms = step_time_ms;
  run.wall_seconds = 1.5;
  return run;
}

CellRun failed_run(const Cell& cell, RunStatus status, const std::string& reason) {
  CellRun run;
  run.cell = cell;
  run.status = status;
  run.reason = reason;
  return run;
}

DumpedTensor float_tensor(const std::string& name, TensorKind kind,
                          const std::vector<float>& values) {
  DumpedTensor t;
  t.name = name;
  t.kind = kind;
  t.dtype = "float32";
  t.shape = {static_cast<std::int64_t>(values.size())};
  t.bytes.resize(values.size() * sizeof(float));
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

void FakeDumpProvider::set_dump(const std::string& cell_id, TensorDump dump) {
  m_dumps[cell_id] = std::move(dump);
}

std::optional<TensorDump> FakeDumpProvider::dump(const Cell& cell, int step, std::string* error) {
  m_requests.emplace_back(cell.id, step);
  auto it = m_dumps.find(cell.id);
  if (it == m_dumps.end()) {
    *error = "no dump for " + cell.id;
    return std::nullopt;
  }
  TensorDump d = it->second;
  d.step = step;
  return d;
}

}  // namespace repro::test
