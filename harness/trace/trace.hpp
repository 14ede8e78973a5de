// The trace: a worker's per-step record of a training run (JSON Lines).
//
// The trace is the interface between a training run and the checker: anything
// that writes this format can be checked. docs/trace-format.md is the full
// specification; this header is its C++ reader and writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/trace/digest.hpp"
#include "harness/trace/predictions.hpp"
#include "harness/util/atomic_file.hpp"

namespace repro {

// 2: gradients in the order backward produced them; non-finite loss values as strings and
// the per-tensor "nonfinite" marker (trace_value.hpp).
inline constexpr int k_trace_format_version = 2;

// Reading limits (docs/trace-format.md, "Limits"): a trace file larger than
// k_max_trace_bytes, a line longer than k_max_trace_line_bytes or more than
// k_max_trace_steps steps is rejected with an error naming the file and line.
inline constexpr std::uint64_t k_max_trace_bytes = std::uint64_t{1} << 30;
inline constexpr size_t k_max_trace_line_bytes = size_t{16} << 20;
inline constexpr std::int64_t k_max_trace_steps = 1'000'000;

// What a named tensor in a step is. The order here is the causal order inside a
// step, and the order a well-behaved producer writes them in.
enum class TensorKind { batch, buffer, loss, grad, param, optimizer };

// "batch", "buffer", ...; and back (nullopt for an unknown name).
std::string_view to_string(TensorKind kind);
std::optional<TensorKind> tensor_kind_from_string(std::string_view name);

struct TensorRecord {
  std::string name;  // e.g. "enc1.conv1.weight.grad"
  TensorKind kind = TensorKind::param;
  Digest digest;
  bool non_finite = false;  // some value is NaN or ±Inf (written as a 4th "nonfinite" element)
  friend bool operator==(const TensorRecord&, const TensorRecord&) = default;
};

// One training step. Everything in it is deterministic for a deterministic run:
// two identical runs produce byte-identical step lines (timings live elsewhere).
struct StepRecord {
  int step = 0;
  std::string loss_dtype = "float32";
  std::string loss_bits;  // exact bits, lowercase hex, width of the dtype (8 for float32)
  double loss_value = 0;  // the same value in decimal, for people; NaN/±Inf allowed
  std::vector<std::string> batch_ids;
  Digest root;  // step_root() over `tensors`
  std::vector<TensorRecord> tensors;
};

struct TraceHeader {
  int format_version = k_trace_format_version;
  std::string producer;  // e.g. "repro-worker 0.1.0"
  std::string digest_algorithm = std::string(k_digest_algorithm);
  nlohmann::json config = nlohmann::json::object();       // the run's configuration
  nlohmann::json fingerprint = nlohmann::json::object();  // see fingerprint.hpp
};

struct Trace {
  TraceHeader header;
  std::vector<StepRecord> steps;
  std::vector<double> step_time_ms;        // by step; may be shorter than steps
  std::optional<nlohmann::json> eval;      // evaluation metrics, when the run evaluated
  std::optional<Predictions> predictions;  // the eval record's predictions, when written
  bool complete = false;                   // an "end" record was read
  std::string end_status;                  // "ok" or the producer's failure text
};

// Recomputes the root from the tensor list (what a producer must write as "root").
Digest compute_root(const StepRecord& step);

// Serializes one record as a single JSON line (with trailing '\n').
std::string header_line(const TraceHeader& header);
std::string step_line(const StepRecord& step);
std::string timing_line(int step, double ms);
std::string eval_line(const nlohmann::json& metrics, const Predictions* predictions = nullptr);
std::string end_line(int steps, std::string_view status);

// Writes a trace line by line to `<path>.partial`, renamed to `path` by finish(),
// so a crashed run leaves a readable partial trace and never a complete-looking one.
// A trace is scratch (Durability::scratch: atomic, not fsynced).
class TraceWriter {
 public:
  explicit TraceWriter(const std::filesystem::path& path);
  void write_header(const TraceHeader& header);
  void write_step(const StepRecord& step);
  void write_timing(int step, double ms);
  void write_eval(const nlohmann::json& metrics, const Predictions* predictions = nullptr);
  // Writes the end record and moves the file into place.
  void finish(int steps, std::string_view status = "ok");

 private:
  AppendOnlyFile m_file;
};

// Parses a trace. Throws repro::Error naming the file, the line and the field on
// malformed input, on a format_version that is too old or too new, on steps out
// of order, or on a root that does not match its tensors. A trace without an end
// record is returned with complete == false (a crashed run), not rejected.
Trace read_trace(const std::filesystem::path& path);
Trace parse_trace(std::string_view text, const std::string& source_name);

}  // namespace repro
