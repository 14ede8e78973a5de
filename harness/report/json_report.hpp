// The JSON report of a run (`--json FILE`): a contract that CI and other tools read.
//
// Top level, in this order:
//   format_version (int), suite (string), design ("ofat"|"full"),
//   verdict ("pass"|"fail"), exit_code (int), environment_class (string),
//   fingerprint (object, harness/trace/fingerprint.hpp), repeatable (bool, null when no
//   repeat was compared), culprit (string, "" when all is well),
//   cells: [{id, settings {axis: value}, role ("baseline"|"repeat"|"variant"),
//            verdict ("identical"|"diverged"|"skipped"|"crashed"|"timeout"), reason,
//            step_time_ms (number|null, median), wall_seconds (number, 0 unknown),
//            first_divergence (object|null),
//            golden ("match"|"mismatch"|"missing"|null when the cell did not run),
//            golden_first_divergence (object|null), failures [string]}],
//   attribution: [{axis, from, to, breaks (bool), must_hold (bool), cell,
//                  first_divergence (object|null)}],
//   interactions: [{cell, from {axis: value}, to {axis: value}, breaks, explanation,
//                   first_divergence (object|null)}],
//   golden: {cell id: "match"|"mismatch"|"missing"|null},
//   golden_found (bool), golden_path (string), golden_notes [string],
//   findings: [{code, severity ("critical"|"error"|"warning"|"info"), message}],
//   summary [string].
// A first_divergence object: {step (int), tensor (string|null when one run has fewer
// steps), kind ("batch"|"buffer"|"loss"|"grad"|"param"|"optimizer"|null), max_abs_diff
// (number|null when not measured or not finite), max_ulp (int|null), differing_elements (int|null),
// magnitude_note (string)}.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "harness/verdict/run_report.hpp"

namespace repro {

// The report as JSON, keys in the documented order.
nlohmann::ordered_json report_to_json(const RunReport& report);

// The JSON for one first divergence (null when `divergence` is empty).
nlohmann::ordered_json divergence_to_json(const std::optional<FirstDivergence>& divergence);

// Writes report_to_json(report), indented by 2, with a final newline.
void write_json_report(std::ostream& out, const RunReport& report);

}  // namespace repro
