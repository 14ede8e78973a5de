// History: one SQLite row per run, for trends and the nightly HTML report.
//
// File: .repro/history.sqlite by default; schema version in PRAGMA user_version
// (k_history_schema_version); table `runs` (id, time, suite, environment_class,
// verdict, exit_code, cells, diverged, culprit, report_json).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/verdict/run_report.hpp"

struct sqlite3;

namespace repro {

inline constexpr int k_history_schema_version = 1;

struct HistoryRow {
  std::int64_t id = 0;  // assigned by append()
  std::string time;     // UTC ISO-8601
  std::string suite;
  std::string environment_class;
  std::string verdict;  // "pass", "fail" or "interrupted" (verdict_word)
  int exit_code = 0;
  int cells = 0;
  int diverged = 0;         // cells whose verdict is "diverged"
  std::string culprit;      // RunReport::culprit
  std::string report_json;  // the full JSON report (harness/report/json_report.hpp)
  friend bool operator==(const HistoryRow&, const HistoryRow&) = default;
};

// The row for `report`, stamped `time` (utc_now_iso8601() for a real run).
HistoryRow history_row(const RunReport& report, std::string time);

// <project root>/.repro/history.sqlite
std::filesystem::path default_history_path(const std::filesystem::path& project_root);

class History {
 public:
  enum class Mode {
    create,     // open read-write, creating the file (and its folder) when missing
    read_only,  // open an existing file; Error when it does not exist
  };

  // Opens the history. Throws repro::Error naming the file when it cannot be opened,
  // is not a SQLite database (corrupt), is some other program's database, has a
  // schema newer than this build reads, or stays locked past `busy_timeout_ms`.
  explicit History(std::filesystem::path file, Mode mode = Mode::create,
                   int busy_timeout_ms = 5000);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Appends a row (its id is ignored); returns the id it got. Throws repro::Error
  // (locked, read-only, corrupt).
  std::int64_t append(const HistoryRow& row);

  // The newest `limit` rows, newest first; an empty `suite` means every suite.
  // Throws repro::Error (corrupt, locked).
  std::vector<HistoryRow> last(const std::string& suite, int limit) const;

  // The database file.
  const std::filesystem::path& file() const { return m_file; }

 private:
  void fail(const std::string& what) const;
  void exec(const char* sql) const;

  std::filesystem::path m_file;
  sqlite3* m_db = nullptr;
  bool m_empty = false;  // opened read-only on an empty database: no table yet
};

}  // namespace repro
