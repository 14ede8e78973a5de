// Golden file writer: the canonical pretty printer (the format is in golden_file.hpp).
#include "harness/verdict/golden_writer.hpp"

#include <algorithm>
#include <span>

#include "harness/util/error.hpp"

namespace repro {
namespace {

constexpr std::string_view k_indent_unit = "  ";

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

void put_cell(std::string& out, const GoldenCell& cell, int level) {
  const GoldenProvenance& p = cell.provenance;
  out += "{\n";
  out += indent(level + 1) + "\"provenance\": {\n";
  out += indent(level + 2) + "\"blessed_at\": " + quoted(p.blessed_at, "blessed_at") + ",\n";
  out += indent(level + 2) + "\"reason\": " + quoted(p.reason, "reason") + ",\n";
  out += indent(level + 2) + "\"commit\": " + quoted(p.commit, "commit") + ",\n";
  out += indent(level + 2) + "\"source\": " + quoted(p.source, "source") + ",\n";
  out += indent(level + 2) + "\"fingerprint\": ";
  put_value(out, to_json(p.fingerprint), level + 2, "fingerprint");
  out += "\n" + indent(level + 1) + "},\n";
  out += indent(level + 1) + "\"config_hash\": \"" + config_hash(cell.config).hex() + "\",\n";
  out += indent(level + 1) + "\"config\": {";
  for (size_t i = 0; i < cell.config.size(); ++i) {
    out += (i > 0 ? ",\n" : "\n") + indent(level + 2) + quoted(cell.config[i].first, "config") +
           ": " +
           nlohmann::json::parse(cell.config[i].second)
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  }
  out += cell.config.empty() ? "},\n" : "\n" + indent(level + 1) + "},\n";
  out += indent(level + 1) + "\"steps\": [";
  for (size_t i = 0; i < cell.steps.size(); ++i) {
    out += i > 0 ? ",\n" : "\n";
    put_step(out, i, cell.steps[i], level + 2);
  }
  out += cell.steps.empty() ? "]\n" : "\n" + indent(level + 1) + "]\n";
  out += indent(level) + "}";
}

// Every member but the checksum, each starting with its indentation, no separators.
}  // namespace

std::vector<std::string> golden_members(const GoldenFile& g) {
  std::vector<std::string> m;
  auto member = [&](std::string_view key, const std::string& value_text) {
    m.push_back(indent(1) + "\"" + std::string(key) + "\": " + value_text);
  };
  member("format_version", std::to_string(k_golden_format_version));
  member("suite", quoted(g.suite, "suite"));
  member("environment_class", quoted(g.environment_class, "environment_class"));
  std::string fields = "{";
  for (size_t i = 0; i < g.class_fields.size(); ++i) {
    fields += (i > 0 ? ",\n" : "\n") + indent(2) + quoted(g.class_fields[i].first, "class_fields") +
              ": " + quoted(g.class_fields[i].second, "class_fields");
  }
  fields += g.class_fields.empty() ? "}" : "\n" + indent(1) + "}";
  member("class_fields", fields);
  member("digest_algorithm", quoted(g.digest_algorithm, "digest_algorithm"));
  std::string cells = "{";
  bool first = true;
  for (const auto& [key, cell] : g.cells) {
    cells += first ? "\n" : ",\n";
    first = false;
    cells += indent(2) + quoted(key, "cells") + ": ";
    put_cell(cells, cell, 2);
  }
  cells += g.cells.empty() ? "}" : "\n" + indent(1) + "}";
  member("cells", cells);
  return m;
}

std::string golden_join_members(const std::vector<std::string>& m) {
  std::string out = "{\n";
  for (size_t i = 0; i < m.size(); ++i) {
    out += m[i] + (i + 1 < m.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

Digest golden_checksum(const std::string& body_without_checksum) {
  return digest_bytes(std::as_bytes(
      std::span<const char>(body_without_checksum.data(), body_without_checksum.size())));
}

std::string golden_member_indent() {
  return indent(1);
}

std::string serialize_golden(const GoldenFile& golden) {
  std::vector<std::string> m = golden_members(golden);
  Digest checksum = golden_checksum(golden_join_members(m));
  m.push_back(indent(1) + "\"checksum\": \"" + checksum.hex() + "\"");
  return golden_join_members(m);
}

}  // namespace repro
