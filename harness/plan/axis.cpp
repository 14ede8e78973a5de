// The axis registry: names, canonical values, and how config-target axes reach a WorkerConfig.
#include "harness/plan/axis.hpp"

#include <charconv>
#include <cstdint>

#include "harness/plan/worker_environment.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

// Parses a plain decimal integer (digits only: no sign, no spaces) within [lo, hi].
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t lo,
                                           std::uint64_t hi) {
  if (text.empty()) {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) {
    return std::nullopt;
  }
  return value;
}

std::string join_values(const std::vector<std::string_view>& values) {
  std::string out;
  for (auto v : values) {
    out += (out.empty() ? "" : ", ") + std::string(v);
  }
  return out;
}

int int_setting(const Settings& settings, const std::string& axis) {
  auto value = parse_decimal(settings.at(axis), 1, 1024);
  if (!value) {
    throw Error("", axis, "'" + settings.at(axis) + "' is not a canonical value");
  }
  return static_cast<int>(*value);
}

}  // namespace

const std::vector<AxisDefinition>& axis_definitions() {
  static const std::vector<AxisDefinition> k_axes = {
      {"device",
       AxisTarget::config,
       "where the training runs (cuda is an alias of gpu)",
       {"cpu", "gpu"},
       ""},
      {"threads",
       AxisTarget::config,
       "intra-op threads (libtorch, OpenMP and BLAS thread counts all follow it)",
       {},
       "a positive integer (1-1024)"},
      {"interop_threads",
       AxisTarget::config,
       "libtorch inter-op threads",
       {},
       "a positive integer (1-1024)"},
      {"seed",
       AxisTarget::config,
       "training seed: weights, data order, augmentation, dropout (the dataset keeps its own)",
       {},
       "a non-negative integer"},
      {"deterministic",
       AxisTarget::config,
       "libtorch's deterministic-algorithms flag",
       {"on", "off"},
       ""},
      {"cpu_capability",
       AxisTarget::environment,
       "ATen CPU kernel ISA, through ATEN_CPU_CAPABILITY",
       {"default", "avx2", "avx512"},
       ""},
      {"blas",
       AxisTarget::environment,
       "BLAS build put first on the worker's LD_LIBRARY_PATH (Debian's libblas.so.3 builds)",
       {"reference", "atlas", "blis", "openblas-pthread", "openblas-openmp"},
       ""},
      {"fault",
       AxisTarget::config,
       "test only: a fault the worker plants on purpose, so canaries prove detection "
       "(docs/canaries.md)",
       {},
       "none, or a planted fault name the worker knows (docs/canaries.md)"},
      {"worker",
       AxisTarget::executable,
       "worker environment: another library stack (docs/worker-environments.md)",
       {},
       "a worker environment (default, debian13, python) or a path containing '/' to a worker "
       "executable"},
  };
  return k_axes;
}

const AxisDefinition* find_axis(std::string_view name) {
  for (const auto& axis : axis_definitions()) {
    if (axis.name == name) {
      return &axis;
    }
  }
  return nullptr;
}

const AxisDefinition& require_axis(std::string_view name, const std::string& source,
                                   const std::string& field) {
  if (const auto* axis = find_axis(name)) {
    return *axis;
  }
  std::vector<std::string_view> names;
  for (const auto& axis : axis_definitions()) {
    names.push_back(axis.name);
  }
  throw Error(source, field,
              "unknown axis '" + std::string(name) + "' (known: " + join_values(names) + ")");
}

std::string normalize_axis_value(const AxisDefinition& axis, std::string_view value,
                                 const std::string& source, const std::string& field) {
  auto reject = [&](const std::string& why) -> std::string {
    throw Error(
        source, field,
        "'" + std::string(value) + "' is not a valid " + std::string(axis.name) + " value: " + why);
  };
  if (axis.name == "device") {
    if (value == "cuda") {
      return "gpu";
    }
  } else if (axis.name == "deterministic") {
    if (value == "true") {
      return "on";
    }
    if (value == "false") {
      return "off";
    }
  } else if (axis.name == "threads" || axis.name == "interop_threads") {
    if (auto n = parse_decimal(value, 1, 1024)) {
      return std::to_string(*n);
    }
    return reject("expected " + std::string(axis.value_description));
  } else if (axis.name == "seed") {
    if (auto n = parse_decimal(value, 0, UINT64_MAX)) {
      return std::to_string(*n);
    }
    return reject("expected " + std::string(axis.value_description));
  } else if (axis.name == "fault") {
    if (!is_fault_token(value)) {
      return reject("expected " + std::string(axis.value_description) +
                    ": lowercase letters, digits and -_.:@ only");
    }
    return std::string(value);
  } else if (axis.name == "worker") {
    if (value.empty()) {
      return reject("expected " + std::string(axis.value_description));
    }
    // Commas and '=' separate settings in a cell id and in --axis lists.
    if (value.find_first_of(",=") != std::string_view::npos) {
      return reject("a worker path may not contain ',' or '='");
    }
    if (!is_worker_path(value)) {
      for (const auto& known : worker_environment_names()) {
        if (known.name == value) {
          return std::string(value);
        }
      }
      return reject("no worker environment has this name (known: " + known_worker_environments() +
                    "; an outside worker is a path containing '/', e.g. ./my-worker)");
    }
    return std::string(value);
  }
  for (auto known : axis.values) {
    if (known == value) {
      return std::string(value);
    }
  }
  return reject("expected one of " + join_values(axis.values));
}

void apply_settings_to_config(const Settings& settings, WorkerConfig& config) {
  for (const auto& [axis, value] : settings) {
    if (axis == "device") {
      if (value != "cpu" && value != "gpu") {
        throw Error("", axis, "'" + value + "' is not a canonical value");
      }
      config.settings.device = value;
    } else if (axis == "threads") {
      config.settings.threads = int_setting(settings, axis);
    } else if (axis == "interop_threads") {
      config.settings.interop_threads = int_setting(settings, axis);
    } else if (axis == "seed") {
      auto seed = parse_decimal(value, 0, UINT64_MAX);
      if (!seed) {
        throw Error("", axis, "'" + value + "' is not a canonical value");
      }
      config.train.seed = *seed;
    } else if (axis == "deterministic") {
      if (value != "on" && value != "off") {
        throw Error("", axis, "'" + value + "' is not a canonical value");
      }
      config.settings.deterministic = value == "on";
    } else if (axis == "fault") {
      if (!is_fault_token(value)) {
        throw Error("", axis, "'" + value + "' is not a canonical value");
      }
      config.settings.fault = value;
    }
  }
}

std::string isa_display_name(std::string_view capability) {
  if (capability == "avx512") {
    return "AVX-512";
  }
  if (capability == "avx2") {
    return "AVX2";
  }
  return std::string(capability);
}

}  // namespace repro
