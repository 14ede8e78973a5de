// WorkerConfig JSON: writing, and validated reading.
#include "harness/trace/worker_config.hpp"

#include <set>

#include "harness/trace/contract_schemas.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"

namespace repro {
namespace {

int int_in(const nlohmann::json& obj, std::string_view key, const JsonPath& at, int fallback,
           int lo, int hi) {
  auto v = get_int_or(obj, key, at, fallback);
  if (v < lo || v > hi) {
    throw Error(at.file, at.child(key).field,
                "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                    ", found " + std::to_string(v));
  }
  return static_cast<int>(v);
}

std::string one_of(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                   const std::string& fallback, const std::set<std::string>& allowed) {
  auto v = get_string_or(obj, key, at, fallback);
  if (!allowed.contains(v)) {
    std::string list;
    for (const auto& a : allowed) {
      list += (list.empty() ? "" : ", ") + a;
    }
    throw Error(at.file, at.child(key).field, "'" + v + "' is not one of: " + list);
  }
  return v;
}

std::uint64_t seed_of(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                      std::uint64_t fallback) {
  if (!obj.contains(key)) {
    return fallback;
  }
  const auto& v = obj.at(key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    throw Error(at.file, at.child(key).field, "expected a non-negative integer seed");
  }
  return v.get<std::uint64_t>();
}

const nlohmann::json& section(const nlohmann::json& j, std::string_view key, const JsonPath& at) {
  static const nlohmann::json k_empty = nlohmann::json::object();
  if (!j.contains(key)) {
    return k_empty;
  }
  return require_object(j.at(key), at.child(key));
}

}  // namespace

nlohmann::json to_json(const WorkerConfig& c) {
  nlohmann::json j;
  j["format_version"] = k_worker_config_format_version;
  j["model"] = {{"variant", c.model.variant},
                {"width", c.model.width},
                {"depth", c.model.depth},
                {"dropout", c.model.dropout}};
  j["data"] = {{"source", c.data.source},
               {"path", c.data.path},
               {"count", c.data.count},
               {"image_size", c.data.image_size},
               {"seed", c.data.seed}};
  j["train"] = {{"steps", c.train.steps},
                {"batch_size", c.train.batch_size},
                {"learning_rate", c.train.learning_rate},
                {"seed", c.train.seed},
                {"augment_flip", c.train.augment_flip},
                {"mode", c.train.mode},
                {"shards", c.train.shards}};
  j["settings"] = {{"device", c.settings.device},
                   {"threads", c.settings.threads},
                   {"interop_threads", c.settings.interop_threads},
                   {"deterministic", c.settings.deterministic}};
  if (c.settings.fault != "none") {
    // Only when planted, so the configs (and hashes) of ordinary runs do not change.
    j["settings"]["fault"] = c.settings.fault;
  }
  j["eval"] = {{"enabled", c.eval.enabled}, {"max_samples", c.eval.max_samples}};
  if (!c.extra.empty()) {
    j["extra"] = c.extra;
  }
  return j;
}

bool is_fault_token(std::string_view value) {
  if (value.empty() || value.size() > 64) {
    return false;
  }
  for (char ch : value) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
              ch == '.' || ch == ':' || ch == '@';
    if (!ok) {
      return false;
    }
  }
  return true;
}

WorkerConfig worker_config_from_json(const nlohmann::json& j, const std::string& source) {
  JsonPath at{source, ""};
  require_object(j, at);
  check_format_version(j, at, 1, k_worker_config_format_version, "worker config");
  validate_against("worker-config.schema.json", j, source);
  reject_unknown_keys(j, at,
                      {"format_version", "model", "data", "train", "settings", "eval", "extra"});
  WorkerConfig c;

  JsonPath mat = at.child("model");
  const auto& m = section(j, "model", at);
  reject_unknown_keys(m, mat, {"variant", "width", "depth", "dropout"});
  c.model.variant = one_of(m, "variant", mat, c.model.variant, {"vgg", "mobilenet"});
  c.model.width = int_in(m, "width", mat, c.model.width, 1, 512);
  c.model.depth = int_in(m, "depth", mat, c.model.depth, 1, 6);
  c.model.dropout = get_number_or(m, "dropout", mat, c.model.dropout);
  if (c.model.dropout < 0 || c.model.dropout >= 1) {
    throw Error(source, mat.child("dropout").field, "must be in [0, 1)");
  }

  JsonPath dat = at.child("data");
  const auto& d = section(j, "data", at);
  reject_unknown_keys(d, dat, {"source", "path", "count", "image_size", "seed"});
  c.data.source = one_of(d, "source", dat, c.data.source, {"synthetic", "oxford"});
  c.data.path = get_string_or(d, "path", dat, "");
  if (c.data.source == "oxford" && c.data.path.empty()) {
    throw Error(source, dat.child("path").field, "an oxford dataset needs a path");
  }
  c.data.count = int_in(d, "count", dat, c.data.count, 0, 1000000);
  if (c.data.source == "synthetic" && c.data.count < 1) {
    throw Error(source, dat.child("count").field, "a synthetic dataset needs count >= 1");
  }
  c.data.image_size = int_in(d, "image_size", dat, c.data.image_size, 8, 1024);
  c.data.seed = seed_of(d, "seed", dat, c.data.seed);

  JsonPath tat = at.child("train");
  const auto& t = section(j, "train", at);
  reject_unknown_keys(
      t, tat, {"steps", "batch_size", "learning_rate", "seed", "augment_flip", "mode", "shards"});
  c.train.steps = int_in(t, "steps", tat, c.train.steps, 1, 1000000);
  c.train.batch_size = int_in(t, "batch_size", tat, c.train.batch_size, 1, 4096);
  c.train.learning_rate = get_number_or(t, "learning_rate", tat, c.train.learning_rate);
  if (!(c.train.learning_rate > 0)) {
    throw Error(source, tat.child("learning_rate").field, "must be > 0");
  }
  c.train.seed = seed_of(t, "seed", tat, c.train.seed);
  c.train.augment_flip = get_bool_or(t, "augment_flip", tat, c.train.augment_flip);
  c.train.mode = one_of(t, "mode", tat, c.train.mode, {"fast", "strict"});
  c.train.shards = int_in(t, "shards", tat, c.train.shards, 1, 256);
  if (c.train.mode == "strict" && c.train.batch_size % c.train.shards != 0) {
    throw Error(source, tat.child("shards").field,
                "strict mode needs batch_size divisible by shards");
  }

  JsonPath sat = at.child("settings");
  const auto& s = section(j, "settings", at);
  reject_unknown_keys(s, sat, {"device", "threads", "interop_threads", "deterministic", "fault"});
  c.settings.device = one_of(s, "device", sat, c.settings.device, {"cpu", "gpu"});
  c.settings.threads = int_in(s, "threads", sat, c.settings.threads, 1, 1024);
  c.settings.interop_threads =
      int_in(s, "interop_threads", sat, c.settings.interop_threads, 1, 1024);
  c.settings.deterministic = get_bool_or(s, "deterministic", sat, c.settings.deterministic);
  c.settings.fault = get_string_or(s, "fault", sat, c.settings.fault);
  if (!is_fault_token(c.settings.fault)) {
    throw Error(source, sat.child("fault").field,
                "'" + c.settings.fault +
                    "' is not a fault name (1-64 of lowercase letters, digits, -_.:@)");
  }

  JsonPath eat = at.child("eval");
  const auto& e = section(j, "eval", at);
  reject_unknown_keys(e, eat, {"enabled", "max_samples"});
  c.eval.enabled = get_bool_or(e, "enabled", eat, c.eval.enabled);
  c.eval.max_samples = int_in(e, "max_samples", eat, c.eval.max_samples, 0, 1000000);
  c.extra = section(j, "extra", at);
  return c;
}

WorkerConfig read_worker_config(const std::string& path) {
  return worker_config_from_json(parse_json(read_file(path), path), path);
}

}  // namespace repro
