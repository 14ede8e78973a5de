// GoldenJson: golden candidates to and from the JSON report.
#include "harness/verdict/golden_json.hpp"

#include <algorithm>

#include "harness/util/error.hpp"

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

// The key is a plain C string, so no std::string temporary is built at the call site
// (GCC 14's -Wdangling-reference would suspect the returned reference of it).
const ordered& member(const ordered& obj, const char* key, const JsonPath& at) {
  if (!obj.is_object()) {
    throw Error(at.file, at.field, "expected an object");
  }
  auto it = obj.find(key);
  if (it == obj.end()) {
    throw Error(at.file, at.child(key).field, "missing required field");
  }
  return *it;
}

std::string text(const ordered& obj, const std::string& key, const JsonPath& at) {
  const ordered& v = member(obj, key.c_str(), at);
  if (!v.is_string()) {
    throw Error(at.file, at.child(key).field, "expected a string");
  }
  return v.get<std::string>();
}

Digest digest(const ordered& v, const JsonPath& at) {
  std::optional<Digest> d;
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    bool lower = s.size() == 32;
    for (char c : s) {
      lower = lower && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    d = lower ? Digest::from_hex(s) : std::nullopt;
  }
  if (!d) {
    throw Error(at.file, at.field, "expected a digest of 32 lowercase hex digits");
  }
  return *d;
}

}  // namespace

ordered golden_candidate_to_json(const GoldenCandidate& candidate) {
  ordered j;
  j["key"] = candidate.key;
  j["environment_class"] = candidate.environment_class;
  ordered fields = ordered::object();
  for (const auto& [name, value] : candidate.class_fields) {
    fields[name] = value;
  }
  j["class_fields"] = std::move(fields);
  j["fingerprint"] =
      ordered::parse(to_json(candidate.cell.provenance.fingerprint)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  ordered config = ordered::object();
  for (const auto& [path, value] : candidate.cell.config) {
    config[path] = ordered::parse(value);
  }
  j["config"] = std::move(config);
  j["config_hash"] = config_hash(candidate.cell.config).hex();
  ordered steps = ordered::array();
  for (size_t i = 0; i < candidate.cell.steps.size(); ++i) {
    const GoldenStep& s = candidate.cell.steps[i];
    ordered step;
    step["step"] = i;
    step["root"] = s.root.hex();
    step["loss_bits"] = s.loss_bits;
    ordered tensors = ordered::array();
    for (const auto& [name, d] : s.tensors) {
      tensors.push_back(ordered::array({name, d.hex()}));
    }
    step["tensors"] = std::move(tensors);
    steps.push_back(std::move(step));
  }
  j["steps"] = std::move(steps);
  return j;
}

GoldenCandidate golden_candidate_from_json(const ordered& j, const JsonPath& at) {
  GoldenCandidate c;
  c.key = text(j, "key", at);
  if (c.key.empty()) {
    throw Error(at.file, at.child("key").field, "empty settings key");
  }
  nlohmann::json fp = nlohmann::json::parse(member(j, "fingerprint", at).dump());
  c.cell.provenance.fingerprint = fingerprint_from_json(fp, at.file);
  c.class_fields = golden_class_fields(c.cell.provenance.fingerprint);
  c.environment_class = golden_class_name(c.class_fields);
  if (text(j, "environment_class", at) != c.environment_class) {
    throw Error(
        at.file, at.child("environment_class").field,
        "does not match the class of the cell's fingerprint ('" + c.environment_class + "')");
  }
  const ordered& config = member(j, "config", at);
  if (!config.is_object()) {
    throw Error(at.file, at.child("config").field, "expected an object of path -> value");
  }
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it.value().is_structured()) {
      throw Error(at.file, at.child("config").child(it.key()).field, "expected a plain value");
    }
    c.cell.config.emplace_back(it.key(), it.value().dump());
  }
  std::sort(c.cell.config.begin(), c.cell.config.end());
  if (digest(member(j, "config_hash", at), at.child("config_hash")) != config_hash(c.cell.config)) {
    throw Error(at.file, at.child("config_hash").field, "does not match the config");
  }
  const ordered& steps = member(j, "steps", at);
  if (!steps.is_array() || steps.empty()) {
    throw Error(at.file, at.child("steps").field, "expected a non-empty array of steps");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    JsonPath sat = at.child("steps").index(i);
    const ordered& s = steps[i];
    const ordered& number = member(s, "step", sat);
    if (!number.is_number_unsigned() || number.get<std::uint64_t>() != i) {
      throw Error(at.file, sat.child("step").field, "expected step " + std::to_string(i));
    }
    GoldenStep g;
    g.root = digest(member(s, "root", sat), sat.child("root"));
    g.loss_bits = text(s, "loss_bits", sat);
    if (!loss_from_bits(g.loss_bits)) {
      throw Error(at.file, sat.child("loss_bits").field, "expected 8 or 16 lowercase hex digits");
    }
    const ordered& tensors = member(s, "tensors", sat);
    if (!tensors.is_array()) {
      throw Error(at.file, sat.child("tensors").field, "expected an array of [name, digest]");
    }
    std::vector<NamedDigest> named;
    for (size_t t = 0; t < tensors.size(); ++t) {
      JsonPath tat = sat.child("tensors").index(t);
      const ordered& pair = tensors[t];
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() ||
          pair[0].get_ref<const std::string&>().empty()) {
        throw Error(at.file, tat.field, "expected [name, digest]");
      }
      Digest d = digest(pair[1], tat);
      g.tensors.emplace_back(pair[0].get<std::string>(), d);
      named.push_back({pair[0].get<std::string>(), d});
    }
    if (step_root(named) != g.root) {
      throw Error(at.file, sat.child("root").field, "does not match the tensor digests");
    }
    c.cell.steps.push_back(std::move(g));
  }
  return c;
}

}  // namespace repro
