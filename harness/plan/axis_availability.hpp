// AxisAvailability: which axis values can run on this machine, and why the others cannot.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/plan/blas_locator.hpp"
#include "harness/plan/cell.hpp"
#include "harness/plan/worker_environment.hpp"
#include "harness/plan/worker_probe.hpp"
#include "harness/trace/fingerprint.hpp"

namespace repro {

// The facts availability is decided from (gathered by detect_machine_facts, or made up by tests).
struct MachineFacts {
  // The default worker's CPU fingerprint; nullopt when the worker could not be asked.
  std::optional<Fingerprint> fingerprint;
  std::string fingerprint_error;    // why not, when fingerprint is nullopt
  std::set<std::string> cpu_flags;  // /proc/cpuinfo "flags" of the first processor
  BlasLocator blas;
  WorkerEnvironments environments;  // what each `worker` value runs, and why it cannot
};

// Asks `worker --fingerprint --device cpu` (with `env`, the complete environment) and reads
// /proc/cpuinfo. Never throws: a worker that cannot answer is recorded in fingerprint_error.
// `run` runs the probe (see probe_worker).
MachineFacts detect_machine_facts(const std::filesystem::path& worker,
                                  const std::map<std::string, std::string>& env,
                                  const ProbeRunner& run = {});

// The /proc/cpuinfo flags of the first processor ("avx2", "avx512f", ...); empty if unreadable.
std::set<std::string> read_cpu_flags(const std::filesystem::path& cpuinfo = "/proc/cpuinfo");

// A value an axis knows but this machine cannot run.
struct UnavailableValue {
  std::string value;
  std::string reason;  // "libtorch built without CUDA", "CPU lacks AVX-512", ...
};

// One axis as seen on this machine.
struct AxisReport {
  std::string axis;
  std::string summary;
  std::vector<std::string> available;         // closed axes: the values that can run here
  std::vector<UnavailableValue> unavailable;  // closed axes: the others, with reasons
  std::string open_values;  // open-ended axes (threads, seed, worker): what a value may be
};

class AxisAvailability {
 public:
  explicit AxisAvailability(MachineFacts facts);

  // nullopt when `value` (canonical) of `axis` can run here; otherwise why not, without the
  // value itself ("libtorch built without CUDA").
  std::optional<std::string> unavailable_reason(const std::string& axis,
                                                const std::string& value) const;

  // The reason the first unavailable setting (in axis-name order) cannot run, as
  // "device=gpu: libtorch built without CUDA"; nullopt when every setting can run.
  std::optional<std::string> skip_reason(const Settings& settings) const;

  // Every registered axis, in registry order.
  std::vector<AxisReport> report() const;

  const MachineFacts& facts() const { return m_facts; }

 private:
  MachineFacts m_facts;
};

}  // namespace repro
