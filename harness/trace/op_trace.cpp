// OpTrace: writing and reading op traces (JSON Lines, bounded and validated).
#include "harness/trace/op_trace.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"

namespace repro {
namespace {

constexpr std::size_t k_max_tensors_per_op = 4096;
constexpr std::size_t k_max_rank = 64;
constexpr std::uintmax_t k_max_file_bytes = std::uintmax_t{4} << 30;

nlohmann::json tensor_json(const OpTensor& t) {
  return nlohmann::json::array({t.dtype, t.shape, t.has_digest ? t.digest.hex() : ""});
}

OpTensor parse_tensor(const nlohmann::json& j, const JsonPath& at) {
  const auto& a = require_array(j, at);
  if (a.size() != 3 || !a[0].is_string() || !a[1].is_array() || !a[2].is_string()) {
    throw Error(at.file, at.field, "expected [dtype, shape, digest]");
  }
  OpTensor t;
  t.dtype = a[0].get<std::string>();
  if (a[1].size() > k_max_rank) {
    throw Error(at.file, at.field, "rank above " + std::to_string(k_max_rank));
  }
  for (const auto& d : a[1]) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0) {
      throw Error(at.file, at.field, "shape must hold non-negative integers");
    }
    t.shape.push_back(d.get<std::int64_t>());
  }
  const std::string hex = a[2].get<std::string>();
  if (!hex.empty()) {
    auto digest = Digest::from_hex(hex);
    if (!digest) {
      throw Error(at.file, at.field, "digest must be 32 hex characters or empty");
    }
    t.has_digest = true;
    t.digest = *digest;
  }
  return t;
}

std::vector<OpTensor> parse_tensors(const nlohmann::json& obj, std::string_view key,
                                    const JsonPath& at) {
  const JsonPath here = at.child(key);
  const auto& a = require_array(require_field(obj, key, at), here);
  if (a.size() > k_max_tensors_per_op) {
    throw Error(at.file, here.field, "more than " + std::to_string(k_max_tensors_per_op));
  }
  std::vector<OpTensor> out;
  for (size_t i = 0; i < a.size(); ++i) {
    out.push_back(parse_tensor(a[i], here.index(i)));
  }
  return out;
}

}  // namespace

std::vector<const OpRecord*> OpTrace::lane(int lane) const {
  std::vector<const OpRecord*> out;
  for (const auto& op : ops) {
    if (op.lane == lane) {
      out.push_back(&op);
    }
  }
  return out;
}

std::vector<int> OpTrace::lanes() const {
  std::set<int> seen;
  for (const auto& op : ops) {
    seen.insert(op.lane);
  }
  return {seen.begin(), seen.end()};
}

std::string op_trace_text(const OpTrace& trace) {
  std::string out;
  nlohmann::json header = {{"type", "header"},
                           {"format_version", trace.format_version},
                           {"producer", trace.producer},
                           {"digest_algorithm", std::string(k_digest_algorithm)},
                           {"step", trace.step}};
  out += header.dump() + "\n";
  for (const auto& op : trace.ops) {
    nlohmann::json j = {{"type", "op"},     {"lane", op.lane}, {"index", op.index},
                        {"name", op.name},  {"pass", op.pass}, {"module", op.module},
                        {"depth", op.depth}};
    j["inputs"] = nlohmann::json::array();
    for (const auto& t : op.inputs) {
      j["inputs"].push_back(tensor_json(t));
    }
    j["outputs"] = nlohmann::json::array();
    for (const auto& t : op.outputs) {
      j["outputs"].push_back(tensor_json(t));
    }
    out += j.dump() + "\n";
  }
  out += nlohmann::json({{"type", "end"}, {"ops", trace.ops.size()}}).dump() + "\n";
  return out;
}

void write_op_trace(const std::filesystem::path& path, const OpTrace& trace) {
  write_file_atomic(path, op_trace_text(trace), Durability::scratch);
}

OpTrace read_op_trace(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw Error(file, "", "cannot read: " + ec.message());
  }
  if (size > k_max_file_bytes) {
    throw Error(file, "", "larger than " + std::to_string(k_max_file_bytes) + " bytes");
  }
  std::istringstream in(read_file(path));
  OpTrace trace;
  bool have_header = false;
  bool have_end = false;
  std::map<int, int> next_index;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) {
      continue;
    }
    JsonPath at{file, "line " + std::to_string(line_no)};
    nlohmann::json j = parse_json(line, file);
    require_object(j, at);
    const std::string type = get_string(j, "type", at);
    if (have_end) {
      throw Error(file, at.field, "record after the end record");
    }
    if (!have_header) {
      if (type != "header") {
        throw Error(file, at.field, "first record must be the header, found '" + type + "'");
      }
      check_format_version(j, at, 1, k_op_trace_format_version, "op trace");
      trace.format_version = static_cast<int>(get_int(j, "format_version", at));
      trace.producer = get_string(j, "producer", at);
      if (get_string(j, "digest_algorithm", at) != k_digest_algorithm) {
        throw Error(file, at.child("digest_algorithm").field, "unsupported digest algorithm");
      }
      trace.step = static_cast<int>(get_int(j, "step", at));
      have_header = true;
      continue;
    }
    if (type == "end") {
      const auto ops = get_int(j, "ops", at);
      if (ops != static_cast<std::int64_t>(trace.ops.size())) {
        throw Error(file, at.child("ops").field,
                    "says " + std::to_string(ops) + " ops, the file holds " +
                        std::to_string(trace.ops.size()));
      }
      have_end = true;
      continue;
    }
    if (type != "op") {
      throw Error(file, at.child("type").field, "unknown record type '" + type + "'");
    }
    if (trace.ops.size() >= k_max_ops) {
      throw Error(file, at.field, "more than " + std::to_string(k_max_ops) + " ops");
    }
    OpRecord op;
    op.lane = static_cast<int>(get_int(j, "lane", at));
    op.index = static_cast<int>(get_int(j, "index", at));
    if (op.lane < -1 || op.index != next_index[op.lane]) {
      throw Error(file, at.child("index").field,
                  "expected index " + std::to_string(next_index[op.lane]) + " on lane " +
                      std::to_string(op.lane));
    }
    ++next_index[op.lane];
    op.name = get_string(j, "name", at);
    op.pass = get_string(j, "pass", at);
    op.module = get_string(j, "module", at);
    op.depth = static_cast<int>(get_int(j, "depth", at));
    op.inputs = parse_tensors(j, "inputs", at);
    op.outputs = parse_tensors(j, "outputs", at);
    trace.ops.push_back(std::move(op));
  }
  if (!have_header) {
    throw Error(file, "", "empty op trace (no header)");
  }
  if (!have_end) {
    throw Error(file, "", "incomplete op trace (no end record)");
  }
  return trace;
}

std::string describe(const OpTensor& tensor) {
  std::string out = tensor.dtype + "[";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(tensor.shape[i]);
  }
  out += ']';
  return out;
}

}  // namespace repro
