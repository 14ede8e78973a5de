// Trace reader and writer (JSON Lines; see docs/trace-format.md).
#include "harness/trace/trace.hpp"

#include <array>
#include <cmath>

#include "harness/trace/contract_schemas.hpp"
#include "harness/trace/trace_value.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/json_parse.hpp"

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

constexpr std::string_view k_trace_record_schema = "trace-record.schema.json";

// Reads one parsed record into `trace` (the header first); throws repro::Error naming the
// line and field.
void parse_record(const nlohmann::json& j, const JsonPath& at, bool& have_header, Trace& trace);

constexpr std::array<std::string_view, 6> k_kind_names = {"batch", "buffer", "loss",
                                                          "grad",  "param",  "optimizer"};

std::string line_of(const ordered& j) {
  return j.dump() + "\n";
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return !s.empty();
}

Digest parse_digest(const nlohmann::json& v, const JsonPath& at) {
  if (!v.is_string()) {
    throw Error(at.file, at.field, "expected a 32-hex-digit digest string");
  }
  auto d = Digest::from_hex(v.get<std::string>());
  if (!d) {
    throw Error(at.file, at.field, "malformed digest '" + v.get<std::string>() + "'");
  }
  return *d;
}

StepRecord parse_step(const nlohmann::json& j, const JsonPath& at, int format_version) {
  StepRecord s;
  s.step = static_cast<int>(get_int_in(j, "step", at, 0, k_max_trace_steps - 1));
  const auto& loss = require_field(j, "loss", at);
  JsonPath lat = at.child("loss");
  s.loss_dtype = get_string(loss, "dtype", lat);
  s.loss_bits = get_string(loss, "bits", lat);
  if (!is_lower_hex(s.loss_bits)) {
    throw Error(at.file, lat.child("bits").field, "expected lowercase hex bits");
  }
  if (format_version >= 2) {
    s.loss_value = loss_value_from_json(require_field(loss, "value", lat), lat.child("value"));
    auto bits_non_finite = loss_bits_non_finite(s.loss_dtype, s.loss_bits);
    if (bits_non_finite && *bits_non_finite != !std::isfinite(s.loss_value)) {
      throw Error(at.file, lat.child("value").field,
                  "value and bits disagree on whether the loss is finite");
    }
  } else {
    s.loss_value = get_number(loss, "value", lat);
  }
  const JsonPath ids_at = at.child("batch_ids");  // named: GCC 14 -Wdangling-reference
  const auto& ids = require_array(require_field(j, "batch_ids", at), ids_at);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].is_string()) {
      throw Error(at.file, at.child("batch_ids").index(i).field, "expected a string");
    }
    s.batch_ids.push_back(ids[i].get<std::string>());
  }
  s.root = parse_digest(require_field(j, "root", at), at.child("root"));
  JsonPath tat = at.child("tensors");
  const auto& tensors = require_array(require_field(j, "tensors", at), tat);
  s.tensors.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    JsonPath eat = tat.index(i);
    bool marked = format_version >= 2 && t.is_array() && t.size() == 4;
    if (!t.is_array() || (t.size() != 3 && !marked) || !t[0].is_string() || !t[1].is_string()) {
      throw Error(at.file, eat.field,
                  "expected [name, kind, digest] or [name, kind, digest, \"nonfinite\"]");
    }
    if (marked && t[3] != k_non_finite_marker) {
      throw Error(at.file, eat.index(3).field, "expected \"nonfinite\"");
    }
    auto kind = tensor_kind_from_string(t[1].get<std::string>());
    if (!kind) {
      throw Error(at.file, eat.field, "unknown tensor kind '" + t[1].get<std::string>() + "'");
    }
    s.tensors.push_back({t[0].get<std::string>(), *kind, parse_digest(t[2], eat), marked});
  }
  if (compute_root(s) != s.root) {
    throw Error(at.file, at.child("root").field,
                "root does not match the tensor digests (corrupt or hand-edited trace)");
  }
  return s;
}

}  // namespace

std::string_view to_string(TensorKind kind) {
  return k_kind_names[static_cast<size_t>(kind)];
}

std::optional<TensorKind> tensor_kind_from_string(std::string_view name) {
  for (size_t i = 0; i < k_kind_names.size(); ++i) {
    if (k_kind_names[i] == name) {
      return static_cast<TensorKind>(i);
    }
  }
  return std::nullopt;
}

Digest compute_root(const StepRecord& step) {
  std::vector<NamedDigest> named;
  named.reserve(step.tensors.size());
  for (const auto& t : step.tensors) {
    named.push_back({t.name, t.digest});
  }
  return step_root(named);
}

std::string header_line(const TraceHeader& header) {
  ordered j;
  j["type"] = "header";
  j["format_version"] = header.format_version;
  j["producer"] = header.producer;
  j["digest_algorithm"] = header.digest_algorithm;
  j["config"] = header.config;
  j["fingerprint"] = header.fingerprint;
  return line_of(j);
}

std::string step_line(const StepRecord& step) {
  ordered j;
  j["type"] = "step";
  j["step"] = step.step;
  j["loss"] = {{"dtype", step.loss_dtype},
               {"bits", step.loss_bits},
               {"value", loss_value_to_json(step.loss_value)}};
  j["batch_ids"] = step.batch_ids;
  j["root"] = step.root.hex();
  ordered tensors = ordered::array();
  for (const auto& t : step.tensors) {
    if (t.non_finite) {
      tensors.push_back({t.name, to_string(t.kind), t.digest.hex(), k_non_finite_marker});
    } else {
      tensors.push_back({t.name, to_string(t.kind), t.digest.hex()});
    }
  }
  j["tensors"] = std::move(tensors);
  return line_of(j);
}

std::string timing_line(int step, double ms) {
  ordered j;
  j["type"] = "timing";
  j["step"] = step;
  j["ms"] = std::round(ms * 1000.0) / 1000.0;
  return line_of(j);
}

std::string eval_line(const nlohmann::json& metrics, const Predictions* predictions) {
  ordered j;
  j["type"] = "eval";
  j["metrics"] = metrics;
  if (predictions != nullptr) {
    j["predictions"] = to_json(*predictions);
  }
  return line_of(j);
}

std::string end_line(int steps, std::string_view status) {
  ordered j;
  j["type"] = "end";
  j["steps"] = steps;
  j["status"] = status;
  return line_of(j);
}

// A trace is scratch: read back by the checker within the run, made again by re-running.
TraceWriter::TraceWriter(const std::filesystem::path& path) : m_file(path, Durability::scratch) {}

void TraceWriter::write_header(const TraceHeader& header) {
  m_file.append(header_line(header));
}
void TraceWriter::write_step(const StepRecord& step) {
  m_file.append(step_line(step));
}
void TraceWriter::write_timing(int step, double ms) {
  m_file.append(timing_line(step, ms));
}
void TraceWriter::write_eval(const nlohmann::json& metrics, const Predictions* predictions) {
  m_file.append(eval_line(metrics, predictions));
}

void TraceWriter::finish(int steps, std::string_view status) {
  m_file.append(end_line(steps, status));
  m_file.commit();
}

Trace read_trace(const std::filesystem::path& path) {
  return parse_trace(read_file(path, k_max_trace_bytes), path.string());
}

Trace parse_trace(std::string_view text, const std::string& source_name) {
  Trace trace;
  bool have_header = false;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    bool torn = eol == std::string_view::npos;  // last line without newline: a crash mid-write
    std::string_view line = text.substr(pos, torn ? std::string_view::npos : eol - pos);
    pos = torn ? text.size() : eol + 1;
    ++line_no;
    if (line.empty()) {
      continue;
    }
    JsonPath at{source_name, "line " + std::to_string(line_no)};
    if (line.size() > k_max_trace_line_bytes) {
      throw Error(source_name, at.field,
                  "line of " + std::to_string(line.size()) + " bytes is longer than the limit of " +
                      std::to_string(k_max_trace_line_bytes));
    }
    nlohmann::json j;
    try {
      j = parse_json_strict(line, source_name);
    } catch (const Error& e) {
      if (torn && have_header && !trace.complete) {
        break;  // a partial trace from a crashed run: keep what was complete
      }
      throw Error(source_name, e.field().empty() ? at.field : at.field + ": " + e.field(),
                  e.message());
    }
    parse_record(j, at, have_header, trace);
    // After the reader's own checks (their messages are the more specific), the schema
    // catches whatever they let through: unknown fields, types the reader ignores.
    validate_against(k_trace_record_schema, j, source_name, at.field);
  }
  if (!have_header) {
    throw Error(source_name, "", "empty trace (no header record)");
  }
  return trace;
}

namespace {

void parse_record(const nlohmann::json& j, const JsonPath& at, bool& have_header, Trace& trace) {
  const std::string& source_name = at.file;
  {
    std::string type = get_string(j, "type", at);
    if (!have_header) {
      if (type != "header") {
        throw Error(source_name, at.field, "first record must be the header, found '" + type + "'");
      }
      check_format_version(j, at, 1, k_trace_format_version, "trace");
      trace.header.format_version = static_cast<int>(get_int(j, "format_version", at));
      trace.header.producer = get_string(j, "producer", at);
      trace.header.digest_algorithm = get_string(j, "digest_algorithm", at);
      if (trace.header.digest_algorithm != k_digest_algorithm) {
        throw Error(source_name, at.child("digest_algorithm").field,
                    "unsupported digest algorithm '" + trace.header.digest_algorithm + "'");
      }
      trace.header.config = require_object(require_field(j, "config", at), at.child("config"));
      trace.header.fingerprint =
          require_object(require_field(j, "fingerprint", at), at.child("fingerprint"));
      have_header = true;
      return;
    }
    if (trace.complete) {
      throw Error(source_name, at.field, "record after the end record");
    }
    if (type == "step") {
      StepRecord s = parse_step(j, at, trace.header.format_version);
      if (s.step != static_cast<int>(trace.steps.size())) {
        throw Error(source_name, at.child("step").field,
                    "expected step " + std::to_string(trace.steps.size()) + ", found " +
                        std::to_string(s.step));
      }
      trace.steps.push_back(std::move(s));
    } else if (type == "timing") {
      // A timing follows its step record, so it can only name a step already read:
      // that bounds step_time_ms by the trace's own length.
      std::int64_t step = get_int(j, "step", at);
      double ms = get_number(j, "ms", at);
      if (step < 0 || step >= static_cast<std::int64_t>(trace.steps.size())) {
        throw Error(source_name, at.child("step").field,
                    "timing for step " + std::to_string(step) + ", but the trace holds " +
                        std::to_string(trace.steps.size()) +
                        " steps so far (a timing follows its step record)");
      }
      if (trace.step_time_ms.size() <= static_cast<size_t>(step)) {
        trace.step_time_ms.resize(static_cast<size_t>(step) + 1, 0.0);
      }
      trace.step_time_ms[static_cast<size_t>(step)] = ms;
    } else if (type == "eval") {
      trace.eval = require_object(require_field(j, "metrics", at), at.child("metrics"));
      if (j.contains("predictions")) {
        trace.predictions = predictions_from_json(j["predictions"], at.child("predictions"));
      }
    } else if (type == "end") {
      trace.complete = true;
      trace.end_status = get_string(j, "status", at);
      auto steps = get_int(j, "steps", at);
      if (steps != static_cast<std::int64_t>(trace.steps.size())) {
        throw Error(source_name, at.child("steps").field,
                    "end record says " + std::to_string(steps) + " steps, trace holds " +
                        std::to_string(trace.steps.size()));
      }
    } else {
      throw Error(source_name, at.child("type").field, "unknown record type '" + type + "'");
    }
  }
}

}  // namespace

}  // namespace repro
