// Golden file reader: strict validation, exact re-serialization check.
#include "harness/verdict/golden_reader.hpp"

#include <cstdint>
#include <set>

#include "harness/trace/contract_schemas.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/json_parse.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/verdict/golden_writer.hpp"

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

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

// Rejects duplicate keys (nlohmann keeps the last one silently, which would let a
// doctored file hide a digest), out-of-range numbers and any other parser failure.
ordered parse_without_duplicates(std::string_view text, const std::string& file) {
  return parse_ordered_json_strict(text, file);
}

// `key` is a view, so a string literal makes no temporary a returned reference could be
// mistaken for (GCC 14's -Wdangling-reference).
const ordered& ordered_field(const ordered& obj, std::string_view key, const JsonPath& at) {
  auto it = obj.find(std::string(key));
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

std::string string_member(const ordered& obj, const std::string& key, const JsonPath& at) {
  const ordered& v = ordered_field(obj, key, at);
  if (!v.is_string()) {
    throw Error(at.file, at.child(key).field, "expected a string");
  }
  return v.get<std::string>();
}

void only_fields(const ordered& obj, const std::set<std::string>& known, const JsonPath& at) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (known.count(it.key()) == 0) {
      throw Error(at.file, at.child(it.key()).field, "unknown field");
    }
  }
}

GoldenProvenance parse_provenance(const ordered& v, const JsonPath& at) {
  if (!v.is_object()) {
    throw Error(at.file, at.field, "expected an object");
  }
  only_fields(v, {"blessed_at", "reason", "commit", "source", "fingerprint"}, at);
  GoldenProvenance p;
  p.blessed_at = string_member(v, "blessed_at", at);
  if (!is_utc_iso8601(p.blessed_at)) {
    throw Error(at.file, at.child("blessed_at").field,
                "expected a UTC time like 2024-05-01T12:00:00Z, found '" + p.blessed_at + "'");
  }
  p.reason = string_member(v, "reason", at);
  p.commit = string_member(v, "commit", at);
  p.source = string_member(v, "source", at);
  nlohmann::json fp = nlohmann::json::parse(ordered_field(v, "fingerprint", at).dump());
  p.fingerprint = fingerprint_from_json(fp, at.file);
  return p;
}

GoldenCell parse_cell(const ordered& v, const JsonPath& at) {
  if (!v.is_object()) {
    throw Error(at.file, at.field, "expected a cell object (provenance, config, steps)");
  }
  only_fields(v, {"provenance", "config_hash", "config", "steps"}, at);
  GoldenCell cell;
  cell.provenance = parse_provenance(ordered_field(v, "provenance", at), at.child("provenance"));
  const ordered& config = ordered_field(v, "config", at);
  if (!config.is_object()) {
    throw Error(at.file, at.child("config").field, "expected an object of field -> value");
  }
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it.value().is_structured()) {
      throw Error(at.file, at.child("config").child(it.key()).field, "expected a plain value");
    }
    cell.config.emplace_back(it.key(), it.value().dump());
  }
  Digest hash = lower_hex_digest(ordered_field(v, "config_hash", at), at.child("config_hash"));
  if (hash != config_hash(cell.config)) {
    throw Error(at.file, at.child("config_hash").field,
                "does not match the config (corrupted or edited by hand)");
  }
  const ordered& steps = ordered_field(v, "steps", at);
  if (!steps.is_array() || steps.empty()) {
    throw Error(at.file, at.child("steps").field, "expected a non-empty array of steps");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    cell.steps.push_back(parse_step(steps[i], i, at.child("steps").index(i)));
  }
  return cell;
}

std::map<std::string, GoldenCell> parse_cells(const ordered& cells, const JsonPath& at) {
  if (!cells.is_object()) {
    throw Error(at.file, at.field, "expected an object of settings key -> cell");
  }
  std::map<std::string, GoldenCell> out;
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    if (it.key().empty()) {
      throw Error(at.file, at.field, "empty settings key");
    }
    out.emplace(it.key(), parse_cell(it.value(), at.child(it.key())));
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
  if (top.contains("format_version") && top["format_version"].is_number_integer() &&
      top["format_version"].get<std::int64_t>() < k_golden_format_version) {
    throw Error(
        file, "format_version",
        "golden format " + top["format_version"].dump() +
            " is too old (this repro-check "
            "reads format " +
            std::to_string(k_golden_format_version) +
            ": one environment class per cell, with provenance); re-bless it with "
            "`repro-check bless --suite " +
            (top.contains("suite") && top["suite"].is_string() ? top["suite"].get<std::string>()
                                                               : std::string("NAME")) +
            " --reason \"...\"` (docs/goldens.md)");
  }
  check_format_version(top, at, k_golden_format_version, k_golden_format_version, "golden");
  static const std::set<std::string> k_fields = {
      "format_version",   "suite", "environment_class", "class_fields",
      "digest_algorithm", "cells", "checksum"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (k_fields.count(it.key()) == 0) {
      throw Error(file, it.key(), "unknown field");
    }
  }
  GoldenFile g;
  g.suite = get_string(top, "suite", at);
  g.environment_class = get_string(top, "environment_class", at);
  const ordered& fields = ordered_field(doc, "class_fields", at);
  if (!fields.is_object()) {
    throw Error(file, "class_fields", "expected an object of field -> value");
  }
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (!it.value().is_string()) {
      throw Error(file, "class_fields." + it.key(), "expected a string");
    }
    g.class_fields.emplace_back(it.key(), it.value().get<std::string>());
  }
  if (golden_class_name(g.class_fields) != g.environment_class) {
    throw Error(file, "environment_class",
                "says '" + g.environment_class + "' but its class_fields make '" +
                    golden_class_name(g.class_fields) + "'");
  }
  g.digest_algorithm = get_string(top, "digest_algorithm", at);
  if (g.digest_algorithm != k_digest_algorithm) {
    throw Error(file, "digest_algorithm",
                "unsupported digest algorithm '" + g.digest_algorithm + "'");
  }
  g.cells = parse_cells(ordered_field(doc, "cells", at), at.child("cells"));
  for (const auto& [key, cell] : g.cells) {
    if (golden_class_fields(cell.provenance.fingerprint) != g.class_fields) {
      throw Error(file, "cells." + key + ".provenance.fingerprint",
                  "is of environment class '" +
                      golden_class_name(golden_class_fields(cell.provenance.fingerprint)) +
                      "', not '" + g.environment_class + "'");
    }
  }
  const ordered& stored = ordered_field(doc, "checksum", at);
  Digest checksum = lower_hex_digest(stored, at.child("checksum"));

  std::vector<std::string> m = golden_members(g);
  std::string body = golden_join_members(m);
  if (checksum != golden_checksum(body)) {
    throw Error(file, "checksum",
                "does not match the contents: the file was corrupted or edited by hand; "
                "re-bless it with `repro-check bless`");
  }
  // After the specific checks above: the schema catches whatever they let through.
  validate_against("golden.schema.json", nlohmann::json::parse(doc.dump()), file);
  m.push_back(golden_member_indent() + "\"checksum\": \"" + checksum.hex() + "\"");
  std::string canonical = golden_join_members(m);
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

}  // namespace repro
