// Golden file format: canonical pretty printer, strict validating reader.
#include "harness/golden_file.hpp"

#include <algorithm>
#include <set>
#include <span>

#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/utc_time.hpp"

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

constexpr std::string_view k_indent_unit = "  ";

// ---- writing -------------------------------------------------------------------------

std::string quoted(const std::string& s, std::string_view field) {
  try {
    return nlohmann::json(s).dump(-1, ' ', /*ensure_ascii=*/false,
                                  nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error&) {
    throw Error("", std::string(field), "not valid UTF-8");
  }
}

std::string indent(int level) {
  std::string out;
  for (int i = 0; i < level; ++i) {
    out += k_indent_unit;
  }
  return out;
}

bool is_container(const nlohmann::json& v) {
  return v.is_object() || v.is_array();
}

// Objects one member per line (keys sorted, as nlohmann::json keeps them); arrays of
// plain values on one line; anything else as JSON.
void put_value(std::string& out, const nlohmann::json& v, int level, std::string_view field) {
  if (v.is_string()) {
    out += quoted(v.get<std::string>(), field);
    return;
  }
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += first ? "" : ",\n";
      first = false;
      out += indent(level + 1) + quoted(it.key(), field) + ": ";
      put_value(out, it.value(), level + 1, field);
    }
    out += "\n" + indent(level) + "}";
    return;
  }
  if (v.is_array()) {
    bool flat = std::none_of(v.begin(), v.end(), is_container);
    out += "[";
    for (size_t i = 0; i < v.size(); ++i) {
      out += i > 0 ? (flat ? ", " : ",") : "";
      if (!flat) {
        out += "\n" + indent(level + 1);
      }
      put_value(out, v[i], level + 1, field);
    }
    out += (!flat && !v.empty()) ? "\n" + indent(level) + "]" : "]";
    return;
  }
  out += v.dump();
}

void put_step(std::string& out, size_t index, const GoldenStep& step, int level) {
  out += indent(level) + "{\n";
  out += indent(level + 1) + "\"step\": " + std::to_string(index) + ",\n";
  out += indent(level + 1) + "\"root\": \"" + step.root.hex() + "\",\n";
  out += indent(level + 1) + "\"loss_bits\": " + quoted(step.loss_bits, "loss_bits") + ",\n";
  out += indent(level + 1) + "\"tensors\": {";
  for (size_t i = 0; i < step.tensors.size(); ++i) {
    out += i > 0 ? ",\n" : "\n";
    out += indent(level + 2) + quoted(step.tensors[i].first, "tensors") + ": \"" +
           step.tensors[i].second.hex() + "\"";
  }
  out += step.tensors.empty() ? "}\n" : "\n" + indent(level + 1) + "}\n";
  out += indent(level) + "}";
}

// Every member but the checksum, each starting with its indentation, no separators.
std::vector<std::string> members(const GoldenFile& g) {
  std::vector<std::string> m;
  auto member = [&](std::string_view key, const std::string& value_text) {
    m.push_back(indent(1) + "\"" + std::string(key) + "\": " + value_text);
  };
  member("format_version", std::to_string(k_golden_format_version));
  member("suite", quoted(g.suite, "suite"));
  member("environment_class", quoted(g.environment_class, "environment_class"));
  member("blessed_at", quoted(g.blessed_at, "blessed_at"));
  member("reason", quoted(g.reason, "reason"));
  member("digest_algorithm", quoted(g.digest_algorithm, "digest_algorithm"));
  std::string fp;
  put_value(fp, to_json(g.fingerprint), 1, "fingerprint");
  member("fingerprint", fp);
  std::string cells = "{";
  bool first = true;
  for (const auto& [key, cell] : g.cells) {
    cells += first ? "\n" : ",\n";
    first = false;
    cells += indent(2) + quoted(key, "cells") + ": [";
    for (size_t i = 0; i < cell.steps.size(); ++i) {
      cells += i > 0 ? ",\n" : "\n";
      put_step(cells, i, cell.steps[i], 3);
    }
    cells += cell.steps.empty() ? "]" : "\n" + indent(2) + "]";
  }
  cells += g.cells.empty() ? "}" : "\n" + indent(1) + "}";
  member("cells", cells);
  return m;
}

std::string join_document(const std::vector<std::string>& m) {
  std::string out = "{\n";
  for (size_t i = 0; i < m.size(); ++i) {
    out += m[i] + (i + 1 < m.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

Digest checksum_of(const std::string& body_without_checksum) {
  return digest_bytes(std::as_bytes(
      std::span<const char>(body_without_checksum.data(), body_without_checksum.size())));
}

// ---- reading -------------------------------------------------------------------------

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return !s.empty();
}

Digest lower_hex_digest(const ordered& v, const JsonPath& at) {
  if (!v.is_string()) {
    throw Error(at.file, at.field, "expected a 32-hex-digit digest string");
  }
  const auto& s = v.get_ref<const std::string&>();
  auto d = Digest::from_hex(s);
  if (s.size() != 32 || !is_lower_hex(s) || !d) {
    throw Error(at.file, at.field,
                "malformed digest '" + s + "' (expected 32 lowercase hex digits)");
  }
  return *d;
}

// Parses with a callback that rejects duplicate keys (nlohmann keeps the last one
// silently, which would let a doctored file hide a digest).
ordered parse_without_duplicates(std::string_view text, const std::string& file) {
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> path;
  auto callback = [&](int /*depth*/, ordered::parse_event_t event, ordered& parsed) {
    switch (event) {
      case ordered::parse_event_t::object_start:
        seen.emplace_back();
        path.emplace_back();
        break;
      case ordered::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        path.back() = key;
        if (!seen.back().insert(key).second) {
          std::string field;
          for (const auto& p : path) {
            field += (field.empty() ? "" : ".") + p;
          }
          throw Error(file, field, "duplicate key '" + key + "'");
        }
        break;
      }
      case ordered::parse_event_t::object_end:
        seen.pop_back();
        path.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return ordered::parse(text, callback);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(file, "",
                "not valid JSON at byte " + std::to_string(e.byte) + " (truncated or corrupted?)");
  }
}

const ordered& ordered_field(const ordered& obj, const std::string& key, const JsonPath& at) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    throw Error(at.file, at.child(key).field, "missing required field");
  }
  return *it;
}

GoldenStep parse_step(const ordered& v, size_t index, const JsonPath& at) {
  if (!v.is_object()) {
    throw Error(at.file, at.field, "expected a step object");
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() != "step" && it.key() != "root" && it.key() != "loss_bits" &&
        it.key() != "tensors") {
      throw Error(at.file, at.child(it.key()).field, "unknown field");
    }
  }
  const ordered& step = ordered_field(v, "step", at);
  if (!step.is_number_unsigned() || step.get<std::uint64_t>() != index) {
    throw Error(at.file, at.child("step").field,
                "expected step " + std::to_string(index) + ", found " + step.dump());
  }
  GoldenStep s;
  s.root = lower_hex_digest(ordered_field(v, "root", at), at.child("root"));
  const ordered& loss = ordered_field(v, "loss_bits", at);
  if (!loss.is_string() || !is_lower_hex(loss.get_ref<const std::string&>())) {
    throw Error(at.file, at.child("loss_bits").field, "expected lowercase hex bits");
  }
  s.loss_bits = loss.get<std::string>();
  JsonPath tat = at.child("tensors");
  const ordered& tensors = ordered_field(v, "tensors", at);
  if (!tensors.is_object()) {
    throw Error(at.file, tat.field, "expected an object of tensor name -> digest");
  }
  std::vector<NamedDigest> named;
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    if (it.key().empty()) {
      throw Error(at.file, tat.field, "empty tensor name");
    }
    Digest d = lower_hex_digest(it.value(), tat.child(it.key()));
    s.tensors.emplace_back(it.key(), d);
    named.push_back({it.key(), d});
  }
  if (step_root(named) != s.root) {
    throw Error(at.file, at.child("root").field,
                "does not match the tensor digests (corrupted or edited by hand)");
  }
  return s;
}

std::map<std::string, GoldenCell> parse_cells(const ordered& cells, const JsonPath& at) {
  if (!cells.is_object()) {
    throw Error(at.file, at.field, "expected an object of settings key -> steps");
  }
  std::map<std::string, GoldenCell> out;
  std::optional<size_t> step_count;
  std::string first_key;
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    JsonPath cat = at.child(it.key());
    if (it.key().empty()) {
      throw Error(at.file, at.field, "empty settings key");
    }
    if (!it.value().is_array() || it.value().empty()) {
      throw Error(at.file, cat.field, "expected a non-empty array of steps");
    }
    GoldenCell cell;
    for (size_t i = 0; i < it.value().size(); ++i) {
      cell.steps.push_back(parse_step(it.value()[i], i, cat.index(i)));
    }
    if (step_count && *step_count != cell.steps.size()) {
      throw Error(at.file, cat.field,
                  "has " + std::to_string(cell.steps.size()) + " steps, '" + first_key + "' has " +
                      std::to_string(*step_count) + " (truncated or corrupted?)");
    }
    if (!step_count) {
      step_count = cell.steps.size();
      first_key = it.key();
    }
    out.emplace(it.key(), std::move(cell));
  }
  return out;
}

size_t line_of_offset(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    line += text[i] == '\n' ? 1 : 0;
  }
  return line;
}

}  // namespace

GoldenCell golden_cell_from_trace(const Trace& trace) {
  GoldenCell cell;
  for (const auto& s : trace.steps) {
    GoldenStep g;
    g.root = s.root;
    g.loss_bits = s.loss_bits;
    for (const auto& t : s.tensors) {
      g.tensors.emplace_back(t.name, t.digest);
    }
    cell.steps.push_back(std::move(g));
  }
  return cell;
}

GoldenFile make_golden(const std::string& suite, const Fingerprint& fingerprint,
                       const std::vector<CellRun>& runs, std::string reason,
                       std::string blessed_at) {
  GoldenFile g;
  g.suite = suite;
  g.environment_class = environment_class(fingerprint);
  g.fingerprint = fingerprint;
  g.blessed_at = std::move(blessed_at);
  g.reason = std::move(reason);
  for (const auto& run : runs) {
    if (run.cell.role == CellRole::repeat || run.status != RunStatus::ran || !run.trace ||
        !run.trace->complete) {
      continue;
    }
    g.cells.emplace(settings_key(run.cell.settings), golden_cell_from_trace(*run.trace));
  }
  return g;
}

std::string serialize_golden(const GoldenFile& golden) {
  std::vector<std::string> m = members(golden);
  Digest checksum = checksum_of(join_document(m));
  m.push_back(indent(1) + "\"checksum\": \"" + checksum.hex() + "\"");
  return join_document(m);
}

namespace {

GoldenFile parse_validated(std::string_view text, const std::string& file) {
  ordered doc = parse_without_duplicates(text, file);
  JsonPath at{file, ""};
  if (!doc.is_object()) {
    throw Error(file, "", "expected a JSON object");
  }
  // The format version first: a newer file may legitimately lack today's fields.
  // json_fields works on nlohmann::json; the top level has no order to keep.
  nlohmann::json top = nlohmann::json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "cells") {
      top[it.key()] = nlohmann::json::parse(it.value().dump());
    }
  }
  check_format_version(top, at, 1, k_golden_format_version, "golden");
  static const std::set<std::string> k_fields = {"format_version", "suite",  "environment_class",
                                                 "blessed_at",     "reason", "digest_algorithm",
                                                 "fingerprint",    "cells",  "checksum"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (k_fields.count(it.key()) == 0) {
      throw Error(file, it.key(), "unknown field");
    }
  }
  GoldenFile g;
  g.suite = get_string(top, "suite", at);
  g.environment_class = get_string(top, "environment_class", at);
  g.blessed_at = get_string(top, "blessed_at", at);
  if (!is_utc_iso8601(g.blessed_at)) {
    throw Error(file, "blessed_at",
                "expected a UTC time like 2024-05-01T12:00:00Z, found '" + g.blessed_at + "'");
  }
  g.reason = get_string(top, "reason", at);
  g.digest_algorithm = get_string(top, "digest_algorithm", at);
  if (g.digest_algorithm != k_digest_algorithm) {
    throw Error(file, "digest_algorithm",
                "unsupported digest algorithm '" + g.digest_algorithm + "'");
  }
  g.fingerprint = fingerprint_from_json(require_field(top, "fingerprint", at), file);
  g.cells = parse_cells(ordered_field(doc, "cells", at), at.child("cells"));
  const ordered& stored = ordered_field(doc, "checksum", at);
  Digest checksum = lower_hex_digest(stored, at.child("checksum"));

  std::vector<std::string> m = members(g);
  std::string body = join_document(m);
  if (checksum != checksum_of(body)) {
    throw Error(file, "checksum",
                "does not match the contents: the file was corrupted or edited by hand; "
                "re-bless it with `repro-check bless`");
  }
  m.push_back(indent(1) + "\"checksum\": \"" + checksum.hex() + "\"");
  std::string canonical = join_document(m);
  if (canonical != text) {
    size_t offset = 0;
    while (offset < text.size() && offset < canonical.size() && text[offset] == canonical[offset]) {
      ++offset;
    }
    throw Error(file, "line " + std::to_string(line_of_offset(text, offset)),
                "differs from what `repro-check bless` writes (reformatted, line endings "
                "converted, or corrupted)");
  }
  return g;
}

}  // namespace

GoldenFile parse_golden(std::string_view text, const std::string& file) {
  try {
    return parse_validated(text, file);
  } catch (const nlohmann::json::exception& e) {
    // Belt and braces: whatever slipped past the checks above is still an input error.
    throw Error(file, "", std::string("malformed golden file: ") + e.what());
  }
}

Comparison compare_with_golden(const GoldenCell& golden, const Trace& trace) {
  std::map<std::string, TensorKind> kinds;
  for (const auto& s : trace.steps) {
    for (const auto& t : s.tensors) {
      kinds.emplace(t.name, t.kind);
    }
  }
  Trace reference;
  for (size_t i = 0; i < golden.steps.size(); ++i) {
    const GoldenStep& g = golden.steps[i];
    StepRecord s;
    s.step = static_cast<int>(i);
    s.root = g.root;
    s.loss_bits = g.loss_bits;
    if (i < trace.steps.size()) {
      // Not stored in goldens: take the run's own, so they never count as a difference.
      s.loss_dtype = trace.steps[i].loss_dtype;
      s.batch_ids = trace.steps[i].batch_ids;
    }
    for (const auto& [name, digest] : g.tensors) {
      auto it = kinds.find(name);
      s.tensors.push_back({name, it == kinds.end() ? TensorKind::param : it->second, digest});
    }
    reference.steps.push_back(std::move(s));
  }
  return compare_traces(reference, trace);
}

}  // namespace repro
