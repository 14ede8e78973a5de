// Worker fingerprint probe.
#include "harness/plan/worker_probe.hpp"

#include <unistd.h>

#include <cstdlib>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/interrupt.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/printable.hpp"
#include "harness/util/run_guard.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/util/temp_folder.hpp"

namespace repro {

Fingerprint probe_worker(const std::filesystem::path& worker, const std::string& device,
                         const std::map<std::string, std::string>& env, const ProbeRunner& run) {
  // mkdtemp: a fresh private folder even when several checkers probe at once.
  std::string pattern = (run_temp_directory() / "repro-probe-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw Error(pattern, "", "cannot create a temporary folder for the worker probe");
  }
  const TempFolder folder{std::filesystem::path(pattern)};
  const std::filesystem::path& tmp = folder.path();
  ProcessSpec spec;
  spec.program = worker;
  spec.args = {"--fingerprint", "--device", device};
  spec.env = env;
  spec.stdout_path = tmp / "stdout";
  spec.stderr_path = tmp / "stderr";
  spec.timeout = std::chrono::seconds(120);
  // An interrupt (once the handler is installed) kills the probe and ends the wait.
  auto cancelled = [] { return interrupted(); };
  ProcessResult r = run ? run(spec, cancelled) : run_process(spec, cancelled);
  if (r.cancelled) {
    throw Error(worker.string(), "--fingerprint",
                std::string("interrupted by ") + interrupt_signal_name());
  }
  std::string out = file_tail(spec.stdout_path, 1 << 20);
  std::string err = file_tail(spec.stderr_path, 1000);
  if (!r.started || r.exit_code != 0) {
    throw Error(printable(worker.string()), "--fingerprint",
                printable(r.describe() + (err.empty() ? "" : ": " + err)));
  }
  return fingerprint_from_json(parse_json(out, worker.string() + " --fingerprint"),
                               worker.string() + " --fingerprint");
}

}  // namespace repro
