// Conformance checks: each group of protocol rules (docs/trace-format.md, "Checking a
// worker"), checked by running the worker as the checker would.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/trace/trace.hpp"
#include "harness/verdict/conformance_rules.hpp"

namespace repro::conformance {

// fingerprint.*: `--fingerprint --device cpu` exits 0 with one conforming JSON object
// describing the cpu.
void check_fingerprint(const ConformanceOptions& o, Rules& rules);

struct TraceRun {
  bool ok = false;  // a complete trace that conforms
  Trace trace;
};

// A training run with `config` in `dir`. With `rules`, adds run.exit, run.trace and the
// trace.* rules; without, only says whether it produced a conforming complete trace.
TraceRun run_training(const ConformanceOptions& o, const nlohmann::json& config,
                      const std::filesystem::path& dir, Rules* rules);

// The first difference between two traces' step records ("step 1: enc1.conv1.weight"),
// or "" when they agree.
std::string first_difference(const Trace& a, const Trace& b);

// dump.*: `--dump-step K --dump-dir DIR --stop-after-dump` writes the trace's step K.
void check_dump(const ConformanceOptions& o, const Trace& reference, int step, Rules& rules);

// config.rejected: a config that is not JSON ends with exit 2 and a message.
void check_bad_config(const ConformanceOptions& o, Rules& rules);

}  // namespace repro::conformance
