// Worker conformance: the protocol of docs/trace-format.md, rule by rule, against a real worker.
#include "harness/verdict/worker_conformance.hpp"

#include <algorithm>

#include "harness/verdict/conformance_checks.hpp"
#include "harness/verdict/conformance_rules.hpp"

namespace repro {

using conformance::check_bad_config;
using conformance::check_dump;
using conformance::check_fingerprint;
using conformance::fail;
using conformance::first_difference;
using conformance::Rules;
using conformance::run_training;
using conformance::TraceRun;

bool ConformanceReport::conforms() const {
  return std::all_of(rules.begin(), rules.end(), [](const RuleOutcome& r) {
    return r.deviations.empty() && r.skipped.empty();
  });
}

WorkerConfig conformance_config() {
  WorkerConfig c;
  c.model.width = 4;
  c.model.depth = 2;
  c.data.count = 16;
  c.data.image_size = 16;
  c.train.steps = 3;
  c.train.batch_size = 2;
  c.eval.enabled = false;
  return c;
}

ConformanceReport check_worker_conformance(const ConformanceOptions& o) {
  Rules rules;
  check_fingerprint(o, rules);
  TraceRun first = run_training(o, o.config_json, o.work_dir / "run", &rules);
  const char* k_steps = "the trace has train.steps steps";
  const char* k_device = "the header's fingerprint names the config's device";
  const char* k_repeat = "a second run with the same config writes identical step records";
  const char* k_seed = "a run with another train.seed differs (the seed is honoured)";
  if (!first.ok) {
    for (auto [rule, description] :
         {std::pair{"trace.steps", k_steps}, std::pair{"trace.settings", k_device},
          std::pair{"repeat.identical", k_repeat}, std::pair{"seed.honoured", k_seed}}) {
      rules.skip(rule, description, "the first run");
    }
  } else {
    auto& steps = rules.add("trace.steps", k_steps);
    if (static_cast<int>(first.trace.steps.size()) != o.config.train.steps) {
      fail(steps, "end.steps",
           std::to_string(first.trace.steps.size()) + " steps, the config asks for " +
               std::to_string(o.config.train.steps));
    }
    auto& device = rules.add("trace.settings", k_device);
    const auto& fp = first.trace.header.fingerprint;
    if (fp.value("device", "") != o.config.settings.device) {
      fail(device, "line 1.fingerprint.device",
           "expected \"" + o.config.settings.device + "\", found " +
               (fp.contains("device") ? fp["device"].dump() : std::string("nothing")));
    }
    TraceRun again = run_training(o, o.config_json, o.work_dir / "repeat", nullptr);
    auto& repeat = rules.add("repeat.identical", k_repeat);
    if (!again.ok) {
      fail(repeat, "repeat", "the repeat did not produce a conforming trace (see repeat/stderr)");
    } else if (auto diff = first_difference(first.trace, again.trace); !diff.empty()) {
      fail(repeat, diff, "differs between two runs with the same config and environment");
    }
    nlohmann::json other = o.config_json;
    other["train"]["seed"] = o.config.train.seed + 1;
    TraceRun seeded = run_training(o, other, o.work_dir / "seed", nullptr);
    auto& seed = rules.add("seed.honoured", k_seed);
    if (!seeded.ok) {
      fail(seed, "seed", "the run with another seed did not produce a conforming trace");
    } else if (first_difference(first.trace, seeded.trace).empty()) {
      fail(seed, "train.seed",
           "seed " + std::to_string(o.config.train.seed) + " and " +
               std::to_string(o.config.train.seed + 1) + " give identical traces");
    }
  }
  if (first.ok && !first.trace.steps.empty()) {
    int step = first.trace.steps.size() >= 2 ? 1 : 0;
    check_dump(o, first.trace, step, rules);
  } else {
    for (auto [rule, description] :
         {std::pair{"dump.exit", "`--dump-step K --dump-dir DIR --stop-after-dump` exits 0"},
          std::pair{"dump.stop", "with --stop-after-dump it stops after step K"},
          std::pair{"dump.manifest", "DIR/manifest.json conforms and matches its files"},
          std::pair{"dump.matches-trace", "the dump holds the trace's step K"}}) {
      rules.skip(rule, description, "the first run");
    }
  }
  check_bad_config(o, rules);
  return rules.take();
}

void write_conformance_report(std::ostream& out, const ConformanceReport& report) {
  size_t width = 0;
  for (const auto& r : report.rules) {
    width = std::max(width, r.rule.size());
  }
  int broken = 0;
  int skipped = 0;
  for (const auto& r : report.rules) {
    std::string pad(width - r.rule.size() + 2, ' ');
    if (!r.deviations.empty()) {
      ++broken;
      out << "  FAIL  " << r.rule << pad << r.description << "\n";
      for (const auto& d : r.deviations) {
        out << "        " << std::string(width + 2, ' ') << "- "
            << (d.where.empty() ? "" : d.where + ": ") << d.what << "\n";
      }
    } else if (!r.skipped.empty()) {
      ++skipped;
      out << "  SKIP  " << r.rule << pad << r.skipped << "\n";
    } else {
      out << "  ok    " << r.rule << pad << r.description << "\n";
    }
  }
  const size_t total = report.rules.size();
  if (report.conforms()) {
    out << "\nPASS: all " << total << " rules hold\n";
  } else {
    out << "\nFAIL: " << broken << " of " << total << " rules broken";
    if (skipped > 0) {
      out << ", " << skipped << " not checked";
    }
    out << "\n";
  }
}

}  // namespace repro
