// Asks a worker executable for its fingerprint (`repro-worker --fingerprint`).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "harness/trace/fingerprint.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {

// Runs `worker --fingerprint --device DEVICE` with `env` (the complete environment)
// and parses its output. Throws repro::Error naming the worker when it cannot start,
// fails, is interrupted (interrupted(): the probe is killed), or prints something that is
// not a valid fingerprint. Its private temporary folder is removed in every case.
// `run` runs the probe (default: run_process, a fresh process); a caller with fork servers
// passes one that forks it from the server of the same environment (harness/run/fork_server.hpp).
using ProbeRunner =
    std::function<ProcessResult(const ProcessSpec& spec, const std::function<bool()>& cancelled)>;
Fingerprint probe_worker(const std::filesystem::path& worker, const std::string& device,
                         const std::map<std::string, std::string>& env,
                         const ProbeRunner& run = {});

}  // namespace repro
