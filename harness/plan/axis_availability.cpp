// AxisAvailability: decides from the worker fingerprint, /proc/cpuinfo and installed BLAS builds.
#include "harness/plan/axis_availability.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "harness/plan/axis.hpp"
#include "harness/plan/worker_probe.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

// The /proc/cpuinfo flags ATen's dispatcher needs for each capability (aten/src/ATen/native/
// DispatchStub.cpp: AVX2 needs avx2 and fma; AVX-512 needs avx512f, bw, vl and dq).
std::vector<std::string> required_cpu_flags(const std::string& capability) {
  if (capability == "avx2") {
    return {"avx2", "fma"};
  }
  if (capability == "avx512") {
    return {"avx512f", "avx512bw", "avx512vl", "avx512dq"};
  }
  return {};
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::set<std::string> read_cpu_flags(const std::filesystem::path& cpuinfo) {
  std::set<std::string> flags;
  std::ifstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    // x86 says "flags", some other architectures "Features".
    if (line.rfind("flags", 0) == 0 || line.rfind("Features", 0) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::istringstream words(line.substr(colon + 1));
      std::string flag;
      while (words >> flag) {
        flags.insert(flag);
      }
      break;  // the first processor speaks for all
    }
  }
  return flags;
}

MachineFacts detect_machine_facts(const std::filesystem::path& worker,
                                  const std::map<std::string, std::string>& env,
                                  const ProbeRunner& run) {
  MachineFacts facts;
  facts.cpu_flags = read_cpu_flags();
  try {
    facts.fingerprint = probe_worker(worker, "cpu", env, run);
  } catch (const Error& e) {
    facts.fingerprint_error = e.what();
  }
  return facts;
}

AxisAvailability::AxisAvailability(MachineFacts facts) : m_facts(std::move(facts)) {}

std::optional<std::string> AxisAvailability::unavailable_reason(const std::string& axis,
                                                                const std::string& value) const {
  const auto& fp = m_facts.fingerprint;
  if (axis == "device" && value == "gpu") {
    if (!fp) {
      return "cannot ask the worker whether CUDA is available (" + m_facts.fingerprint_error + ")";
    }
    if (fp->cuda_available) {
      return std::nullopt;
    }
    return fp->cuda_unavailable_reason.empty() ? std::string("no CUDA available")
                                               : fp->cuda_unavailable_reason;
  }
  if (axis == "cpu_capability" && value != "default") {
    if (fp && contains(fp->cpu_capabilities_supported, value)) {
      return std::nullopt;
    }
    if (!m_facts.cpu_flags.empty()) {
      for (const auto& flag : required_cpu_flags(value)) {
        if (!m_facts.cpu_flags.contains(flag)) {
          return "CPU lacks " + isa_display_name(value) + " (no '" + flag + "' in /proc/cpuinfo)";
        }
      }
    }
    // The CPU has it (or cannot be asked); only a worker that lists what it supports can
    // still rule it out.
    if (fp && !fp->cpu_capabilities_supported.empty()) {
      return "the worker's libtorch (" + fp->libtorch_version + ") has no " +
             isa_display_name(value) + " kernels for this CPU";
    }
    return std::nullopt;
  }
  if (axis == "blas") {
    std::string reason = m_facts.blas.missing_reason(value);
    if (reason.empty()) {
      return std::nullopt;
    }
    return reason;
  }
  if (axis == "worker") {
    try {
      const WorkerEnvironment& env = m_facts.environments.resolve(value);
      if (!env.unavailable.empty()) {
        return env.unavailable;
      }
    } catch (const Error& e) {
      return e.message();
    }
  }
  // A worker path that is missing or not executable is not a value this machine lacks:
  // it is an infrastructure failure. Its cells start, cannot, and end `crashed` with
  // "could not start: PATH: no such file" (exit 3), never skipped.
  return std::nullopt;
}

std::optional<std::string> AxisAvailability::skip_reason(const Settings& settings) const {
  for (const auto& [axis, value] : settings) {
    if (auto reason = unavailable_reason(axis, value)) {
      return axis + "=" + value + ": " + *reason;
    }
  }
  return std::nullopt;
}

std::vector<AxisReport> AxisAvailability::report() const {
  std::vector<AxisReport> out;
  for (const auto& def : axis_definitions()) {
    AxisReport r;
    r.axis = std::string(def.name);
    r.summary = std::string(def.summary);
    if (def.values.empty()) {
      r.open_values = std::string(def.value_description);
      if ((def.name == "threads" || def.name == "interop_threads") && m_facts.fingerprint &&
          m_facts.fingerprint->hardware_threads > 0) {
        r.open_values +=
            "; " + std::to_string(m_facts.fingerprint->hardware_threads) + " hardware threads here";
      }
    }
    std::vector<std::string_view> values(def.values.begin(), def.values.end());
    if (def.name == "worker") {
      for (const auto& env : worker_environment_names()) {
        values.push_back(env.name);
      }
    }
    for (auto value : values) {
      std::string v(value);
      if (auto reason = unavailable_reason(r.axis, v)) {
        r.unavailable.push_back({v, *reason});
      } else {
        r.available.push_back(v);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace repro
