// Writing a RunReport's files (JSON, JUnit, Markdown, HTML): shared by `run` and `merge`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/report/history.hpp"
#include "harness/verdict/run_report.hpp"

namespace repro {

struct ReportFiles {
  std::string json;  // "" = not written
  std::string junit;
  std::string markdown;
  std::string html;
  // Append the Markdown summary instead of replacing the file. Also on, whatever this
  // says, when `markdown` is the file $GITHUB_STEP_SUMMARY names: earlier steps' summaries
  // in that file are never lost.
  bool markdown_append = false;
};

// True when `path` names the same file as $GITHUB_STEP_SUMMARY (set and non-empty).
bool is_github_step_summary(const std::filesystem::path& path);

// The time a run is recorded at: $REPRO_NOW when set (a fake clock for tests and replays,
// in utc_iso8601's form, e.g. 2026-01-02T03:04:05Z), else the current UTC time. Throws
// repro::Error naming REPRO_NOW when it is set but malformed.
std::string report_time();

// Appends `text` to `path` with one write (O_APPEND), creating the file when missing.
// Throws repro::Error naming the file.
void append_to_file(const std::filesystem::path& path, const std::string& text);

// Writes each requested file (atomically, except an appended Markdown summary); `recent`
// is the history trend the HTML page shows. Throws repro::Error naming the file.
void write_report_files(const RunReport& report, const ReportFiles& files,
                        const std::vector<HistoryRow>& recent);

}  // namespace repro
