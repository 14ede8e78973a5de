// The JSON report of a run (`--json FILE`): a contract that CI and other tools read.
//
// Top level, in this order:
//   format_version (int), suite (string), design ("ofat"|"full"),
//   verdict ("pass"|"fail"), exit_code (int), environment_class (string),
//   fingerprint (object, harness/trace/fingerprint.hpp), repeatable (bool, null when no
//   repeat was compared), culprit (string, "" when all is well),
//   repeats: {compared (int), identical (int)} (the repeat cells, --repeats),
//   cells: [{id, settings {axis: value}, role ("baseline"|"repeat"|"variant"),
//            verdict ("identical"|"diverged"|"skipped"|"crashed"|"timeout"), reason,
//            step_time_ms (number|null, median), wall_seconds (number, 0 unknown),
//            first_divergence (object|null),
//            divergence_summary (object|null, report/diagnosis_json.hpp),
//            first_divergent_op (object|null, report/diagnosis_json.hpp),
//            golden ("match"|"mismatch"|"missing"|null when the cell did not run),
//            golden_first_divergence (object|null), failures [string],
//            golden_check (object|null when the cell did not run: {environment_class (the
//              cell's own), portable (bool), path, detail, loss, config_changes [string],
//              fingerprint_changes [string], accept_command, cross_class [{environment_class,
//              differences [string], identical (bool), first_divergence, text}]}),
//            golden_cell (object|null: the cell's digests for bless --from-report;
//              harness/verdict/golden_json.hpp),
//            loss_by_step [number|null] (training loss per step, [] when it did not run),
//            eval ({loss, mean_iou, mean_f1, pixel_accuracy: number|null}|null)}],
//   attribution: [{axis, from, to, breaks (bool), must_hold (bool), cell,
//                  first_divergence (object|null)}],
//   interactions: [{cell, from {axis: value}, to {axis: value}, breaks, explanation,
//                   first_divergence (object|null)}],
//   golden: {cell id: "match"|"mismatch"|"missing"|null},
//   golden_found (bool: a cell was compared with a golden of its class), golden_path
//   (string: the baseline's class file), golden_notes [string], golden_compared (int),
//   findings: [{code, severity ("critical"|"error"|"warning"|"info"), message}],
//   summary [string],
//   plan: {hash (string: xxh3-128 of the plan as run), shard ({index, count}|null for an
//          unsharded run), cells [every cell id of the plan, matrix order], invariant
//          [axis], require_golden (bool)} | null.
// docs/report-format.md describes it for people; docs/schemas/report.schema.json is its
// JSON Schema (ctest validates every report the tests write against it).
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

// Adds golden_check and golden_cell of `cell` to its JSON object.
void add_golden_details(nlohmann::ordered_json& json, const CellReport& cell);

// Writes report_to_json(report), indented by 2, with a final newline.
void write_json_report(std::ostream& out, const RunReport& report);

}  // namespace repro
