// Synthetic traces, cells and tensor dumps for the results-side tests (no worker needed).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/dump_provider.hpp"

namespace repro::test {

struct TensorSpec {
  std::string name;
  TensorKind kind = TensorKind::param;
};

// A small U-Net-like step in causal order: batch, buffer, loss, grads, params, optimizer.
std::vector<TensorSpec> unet_tensors();

// A complete trace of `steps` steps over `tensors`; every digest derives from
// (salt, step, name), loss bits from the loss tensor's digest, roots are computed.
Trace make_trace(int steps, const std::vector<TensorSpec>& tensors = unet_tensors(),
                 std::uint64_t salt = 0);

// Makes `trace` diverge as a real run would: at `step`, `tensor` and every later
// tensor of that step get new digests (from `salt`); in later steps every tensor but
// the batch does. Loss bits follow the loss tensor; roots are recomputed.
void diverge(Trace& trace, int step, const std::string& tensor, std::uint64_t salt = 1);

// Changes one tensor's digest at one step only (root recomputed).
void mutate_tensor(Trace& trace, int step, const std::string& tensor, std::uint64_t salt = 1);

// Reverses the batch ids at `step` (a data-order change; digests untouched).
void reorder_batch(Trace& trace, int step);

// The digest of a 0-dim float32 'loss' tensor holding exactly `bits` ("3f800000").
Digest loss_tensor_digest(const std::string& bits);

// Recomputes every step's root and loss bits after a hand edit of digests.
void refresh(Trace& trace);

// A cell with id settings_key(settings) (plus "#repeat" for the repeat).
Cell make_cell(const Settings& settings, CellRole role = CellRole::variant,
               const std::string& varied_axis = "");

// A cell that ran and produced `trace`.
CellRun make_run(const Cell& cell, Trace trace, double step_time_ms = 50.0);

// A cell that did not produce a trace (skipped, crashed or timeout) with `reason`.
CellRun failed_run(const Cell& cell, RunStatus status, const std::string& reason);

// A float32 tensor with `values` (shape {values.size()}).
DumpedTensor float_tensor(const std::string& name, TensorKind kind,
                          const std::vector<float>& values);

// A DumpProvider that serves canned dumps per cell id and records what it was asked.
class FakeDumpProvider : public DumpProvider {
 public:
  // The dump served for `cell_id` at any step (its step is set to the one asked for).
  void set_dump(const std::string& cell_id, TensorDump dump);
  std::optional<TensorDump> dump(const Cell& cell, int step, std::string* error) override;
  // (cell id, step) of every request, in order.
  const std::vector<std::pair<std::string, int>>& requests() const { return m_requests; }

 private:
  std::map<std::string, TensorDump> m_dumps;
  std::vector<std::pair<std::string, int>> m_requests;
};

}  // namespace repro::test
