// NightlyHistory: the nights of one suite from the history, and what changed between two.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/report/history.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

// One recorded run ("night") with its full report.
struct Night {
  std::string time;  // UTC ISO-8601, from the history row
  RunReport report;
};

// The nights of one suite and environment class inside the report's window, oldest first.
struct NightGroup {
  std::string environment_class;
  std::vector<Night> nights;
};

struct NightlyHistory {
  std::string suite;
  std::string now;    // the window's end (UTC ISO-8601)
  std::string since;  // the window's start
  // Grouped by environment class; the group of the newest night first, the others by
  // their newest night, newest first.
  std::vector<NightGroup> groups;
  // Rows in the window whose report could not be read (older format, corrupt): "time: why".
  std::vector<std::string> unreadable;
};

// One thing that changed from the previous night to the latest (same environment class).
struct NightChange {
  // "new divergence", "fixed", "golden", "environment", "verdict" (crashed, skipped...),
  // "new cell", "removed cell".
  std::string kind;
  std::string cell;     // cell id ("" for environment changes)
  std::string setting;  // the setting responsible: "threads 1→2", "blas: x → y"
  std::string detail;   // where and how: the first divergence, the golden status change
};

// Parses "14d", "36h", "90m" (a positive count and a unit). Throws repro::Error naming
// `source` otherwise.
std::chrono::seconds parse_duration(std::string_view text, const std::string& source);

// Parses utc_iso8601's form; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_utc_iso8601(std::string_view text);

// The rows of `suite` recorded in (now - window, now], parsed and grouped. Rows whose
// report_json does not parse go to `unreadable`, never abort the report.
NightlyHistory collect_nights(const std::vector<HistoryRow>& rows, const std::string& suite,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds window);

// What changed from `previous` to `latest`, in this order: new divergences, fixed cells,
// other verdict changes, golden status changes, new and removed cells, then environment
// (fingerprint) changes.
std::vector<NightChange> changes_between(const RunReport& previous, const RunReport& latest);

// The setting that makes `cell` differ from the baseline: its attribution or interaction
// ("threads 1→2", "blas reference→atlas + threads 1→2"), "none (identical settings)" for
// the repeat, "-" for the baseline.
std::string responsible_setting(const RunReport& report, const CellReport& cell);

}  // namespace repro
