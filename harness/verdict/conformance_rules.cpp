// Conformance rules: the rule book a conformance check fills, and how it calls the worker.
#include "harness/verdict/conformance_rules.hpp"

#include "harness/util/interrupt.hpp"
#include "harness/util/printable.hpp"

namespace repro::conformance {

namespace fs = std::filesystem;

WorkerCall call_worker(const ConformanceOptions& o, const std::vector<std::string>& args,
                       const fs::path& dir, const fs::path& cwd) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ProcessSpec spec;
  spec.program = o.worker;
  spec.args = args;
  spec.env = o.env;
  spec.stdout_path = dir / "stdout";
  spec.stderr_path = dir / "stderr";
  spec.working_directory = cwd;
  spec.timeout = o.timeout;
  WorkerCall call;
  call.result = run_process(spec, [] { return interrupted(); });
  call.stdout_text = file_tail(spec.stdout_path, 1 << 20);
  call.stderr_tail = printable(file_tail(spec.stderr_path, 600));
  return call;
}

std::string exit_text(const WorkerCall& call) {
  std::string tail = call.stderr_tail;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) {
    tail.pop_back();
  }
  if (auto nl = tail.rfind('\n'); nl != std::string::npos) {
    tail = tail.substr(nl + 1);
  }
  return call.result.describe() + (tail.empty() ? "" : " (stderr: " + tail + ")");
}

void fail(RuleOutcome& r, std::string where, std::string what) {
  r.deviations.push_back({r.rule, std::move(where), std::move(what)});
}

}  // namespace repro::conformance
