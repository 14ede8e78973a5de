// Fingerprint JSON and environment classes.
#include "harness/trace/fingerprint.hpp"

#include <cctype>
#include <regex>

#include "harness/trace/contract_schemas.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/str_cat.hpp"

namespace repro {

// "OpenBLAS 0.3.21 DYNAMIC_ARCH ..." -> "0.3.21"; anything else: the text itself.
std::string short_version(const std::string& text) {
  static const std::regex k_version(R"((\d+\.\d+(\.\d+)?))");
  std::smatch m;
  if (std::regex_search(text, m, k_version)) {
    return m.str(1);
  }
  return text;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.') {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  return out.empty() ? "unknown" : out;
}

namespace {}  // namespace

nlohmann::json to_json(const Fingerprint& fp) {
  nlohmann::json j;
  j["format_version"] = k_fingerprint_format_version;
  j["libtorch_version"] = fp.libtorch_version;
  j["blas_build"] = fp.blas_build;
  j["blas_library"] = fp.blas_library;
  j["blas_version"] = fp.blas_version;
  j["blas_core"] = fp.blas_core;
  j["cpu_capability"] = fp.cpu_capability;
  j["cpu_capabilities_supported"] = fp.cpu_capabilities_supported;
  j["cpu_model"] = fp.cpu_model;
  j["device"] = fp.device;
  j["device_model"] = fp.device_model;
  j["driver"] = fp.driver;
  j["cuda_available"] = fp.cuda_available;
  j["cuda_unavailable_reason"] = fp.cuda_unavailable_reason;
  j["compiler"] = fp.compiler;
  j["libc"] = fp.libc;
  j["os"] = fp.os;
  j["tbb_version"] = fp.tbb_version;
  j["parallel_backend"] = fp.parallel_backend;
  j["intra_op_threads"] = fp.intra_op_threads;
  j["inter_op_threads"] = fp.inter_op_threads;
  j["hardware_threads"] = fp.hardware_threads;
  j["env"] = fp.env;
  return j;
}

Fingerprint fingerprint_from_json(const nlohmann::json& j, const std::string& source) {
  JsonPath at{source, "fingerprint"};
  require_object(j, at);
  check_format_version(j, at, 1, k_fingerprint_format_version, "fingerprint");
  validate_against("fingerprint.schema.json", j, source, at.field);
  Fingerprint fp;
  fp.libtorch_version = get_string(j, "libtorch_version", at);
  fp.blas_build = get_string(j, "blas_build", at);
  fp.blas_library = get_string_or(j, "blas_library", at, "");
  fp.blas_version = get_string_or(j, "blas_version", at, "");
  fp.blas_core = get_string_or(j, "blas_core", at, "");
  fp.cpu_capability = get_string(j, "cpu_capability", at);
  if (j.contains("cpu_capabilities_supported")) {
    const JsonPath caps_at = at.child("cpu_capabilities_supported");
    const auto& caps = require_array(j.at("cpu_capabilities_supported"), caps_at);
    for (size_t i = 0; i < caps.size(); ++i) {
      if (!caps[i].is_string()) {
        throw Error(source, at.child("cpu_capabilities_supported").index(i).field,
                    "expected a string");
      }
      fp.cpu_capabilities_supported.push_back(caps[i].get<std::string>());
    }
  }
  fp.cpu_model = get_string_or(j, "cpu_model", at, "");
  fp.device = get_string(j, "device", at);
  fp.device_model = get_string_or(j, "device_model", at, "");
  fp.driver = get_string_or(j, "driver", at, "");
  fp.cuda_available = get_bool_or(j, "cuda_available", at, false);
  fp.cuda_unavailable_reason = get_string_or(j, "cuda_unavailable_reason", at, "");
  fp.compiler = get_string_or(j, "compiler", at, "");
  fp.libc = get_string_or(j, "libc", at, "");
  fp.os = get_string_or(j, "os", at, "");
  fp.tbb_version = get_string_or(j, "tbb_version", at, "");
  fp.parallel_backend = get_string_or(j, "parallel_backend", at, "");
  fp.intra_op_threads = static_cast<int>(get_int_or(j, "intra_op_threads", at, 0));
  fp.inter_op_threads = static_cast<int>(get_int_or(j, "inter_op_threads", at, 0));
  fp.hardware_threads = static_cast<int>(get_int_or(j, "hardware_threads", at, 0));
  if (j.contains("env")) {
    const JsonPath env_at = at.child("env");  // named: GCC 14 -Wdangling-reference
    const auto& env = require_object(j.at("env"), env_at);
    for (auto it = env.begin(); it != env.end(); ++it) {
      if (!it.value().is_string()) {
        throw Error(source, at.child("env").child(it.key()).field, "expected a string");
      }
      fp.env[it.key()] = it.value().get<std::string>();
    }
  }
  return fp;
}

std::vector<std::pair<std::string, std::string>> environment_class_fields(const Fingerprint& fp) {
  return {
      {"libtorch_version", fp.libtorch_version},
      {"blas_build", fp.blas_build},
      {"blas_version", short_version(fp.blas_version)},
      {"blas_core", fp.blas_core},
      {"cpu_capability", fp.cpu_capability},
      {"device", fp.device},
      {"device_model", fp.device == "cpu" ? std::string() : fp.device_model},
  };
}

std::string environment_class(const Fingerprint& fp) {
  std::string name = str_cat("libtorch-", slug(fp.libtorch_version), "_", slug(fp.blas_build));
  std::string version = short_version(fp.blas_version);
  if (!version.empty()) {
    name += str_cat("-", slug(version));
  }
  if (!fp.blas_core.empty()) {
    name += str_cat("-", slug(fp.blas_core));
  }
  name += str_cat("_", slug(fp.cpu_capability), "_", slug(fp.device));
  if (fp.device != "cpu" && !fp.device_model.empty()) {
    name += str_cat("-", slug(fp.device_model));
  }
  return name;
}

std::vector<std::string> environment_class_differences(const Fingerprint& a, const Fingerprint& b) {
  std::vector<std::string> out;
  auto fa = environment_class_fields(a);
  auto fb = environment_class_fields(b);
  for (size_t i = 0; i < fa.size(); ++i) {
    if (fa[i].second != fb[i].second) {
      out.push_back(str_cat(fa[i].first, ": ", fa[i].second, " -> ", fb[i].second));
    }
  }
  return out;
}

}  // namespace repro
