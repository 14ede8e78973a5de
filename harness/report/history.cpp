// SQLite-backed run history.
#include "harness/report/history.hpp"

#include <sqlite3.h>

#include "harness/report/json_report.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

constexpr const char* k_schema = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  suite TEXT NOT NULL,
  environment_class TEXT NOT NULL,
  verdict TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  cells INTEGER NOT NULL,
  diverged INTEGER NOT NULL,
  culprit TEXT NOT NULL,
  report_json TEXT NOT NULL
);
CREATE INDEX runs_by_suite ON runs (suite, id);
PRAGMA user_version = 1;
)sql";

// Finalizes a prepared statement on every path out of a scope.
class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt** out() { return &m_stmt; }
  sqlite3_stmt* get() const { return m_stmt; }

 private:
  sqlite3_stmt* m_stmt = nullptr;
};

std::string column_text(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
}

}  // namespace

HistoryRow history_row(const RunReport& report, std::string time) {
  HistoryRow row;
  row.time = std::move(time);
  row.suite = report.suite;
  row.environment_class = report.environment_class;
  row.verdict = std::string(verdict_word(report));
  row.exit_code = report.exit_code;
  row.cells = static_cast<int>(report.cells.size());
  row.diverged = report.count(CellVerdict::diverged);
  row.culprit = report.culprit;
  row.report_json =
      report_to_json(report).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return row;
}

std::filesystem::path default_history_path(const std::filesystem::path& project_root) {
  return project_root / ".repro" / "history.sqlite";
}

History::History(std::filesystem::path file, Mode mode, int busy_timeout_ms)
    : m_file(std::move(file)) {
  std::error_code ec;
  if (mode == Mode::read_only && !std::filesystem::exists(m_file, ec)) {
    throw Error(m_file.string(), "", "no history file");
  }
  if (mode == Mode::create && m_file.has_parent_path()) {
    std::filesystem::create_directories(m_file.parent_path(), ec);
    if (ec) {
      throw Error(m_file.parent_path().string(), "", "cannot create directory: " + ec.message());
    }
  }
  int flags =
      mode == Mode::create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(m_file.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
    std::string what = m_db != nullptr ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    m_db = nullptr;
    throw Error(m_file.string(), "", "cannot open history: " + what);
  }
  sqlite3_busy_timeout(m_db, busy_timeout_ms);
  try {
    Statement version;
    if (sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, version.out(), nullptr) != SQLITE_OK ||
        sqlite3_step(version.get()) != SQLITE_ROW) {
      fail("not a readable SQLite database");
    }
    int schema = sqlite3_column_int(version.get(), 0);
    if (schema > k_history_schema_version) {
      throw Error(m_file.string(), "user_version",
                  "history schema " + std::to_string(schema) + " is too new (newest read: " +
                      std::to_string(k_history_schema_version) + "); upgrade repro-check");
    }
    if (schema == 0) {
      Statement tables;
      if (sqlite3_prepare_v2(m_db, "SELECT count(*) FROM sqlite_master", -1, tables.out(),
                             nullptr) != SQLITE_OK ||
          sqlite3_step(tables.get()) != SQLITE_ROW) {
        fail("not a readable SQLite database");
      }
      if (sqlite3_column_int(tables.get(), 0) != 0) {
        throw Error(m_file.string(), "",
                    "a SQLite database, but not a repro-check history (no schema version)");
      }
      if (mode == Mode::read_only) {
        m_empty = true;  // an empty file: no rows, and nothing may be created
        return;
      }
      exec("BEGIN IMMEDIATE");
      try {
        exec(k_schema);
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  } catch (...) {
    sqlite3_close(m_db);
    m_db = nullptr;
    throw;
  }
}

History::~History() {
  sqlite3_close(m_db);
}

void History::fail(const std::string& what) const {
  int code = sqlite3_errcode(m_db);
  std::string detail = sqlite3_errmsg(m_db);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    throw Error(m_file.string(), "",
                "history is locked by another process (" + detail + "); try again");
  }
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    throw Error(m_file.string(), "",
                what + " (" + detail + "): the history is corrupt; move it away to start anew");
  }
  throw Error(m_file.string(), "", what + ": " + detail);
}

void History::exec(const char* sql) const {
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail("cannot update the history");
  }
}

std::int64_t History::append(const HistoryRow& row) {
  Statement insert;
  if (sqlite3_prepare_v2(m_db,
                         "INSERT INTO runs (time, suite, environment_class, verdict, exit_code, "
                         "cells, diverged, culprit, report_json) VALUES (?,?,?,?,?,?,?,?,?)",
                         -1, insert.out(), nullptr) != SQLITE_OK) {
    fail("cannot append to the history");
  }
  sqlite3_stmt* s = insert.get();
  sqlite3_bind_text(s, 1, row.time.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, row.suite.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, row.environment_class.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, row.verdict.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 5, row.exit_code);
  sqlite3_bind_int(s, 6, row.cells);
  sqlite3_bind_int(s, 7, row.diverged);
  sqlite3_bind_text(s, 8, row.culprit.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 9, row.report_json.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE) {
    fail("cannot append to the history");
  }
  return sqlite3_last_insert_rowid(m_db);
}

std::vector<HistoryRow> History::last(const std::string& suite, int limit) const {
  std::vector<HistoryRow> rows;
  if (m_empty) {
    return rows;
  }
  Statement query;
  if (sqlite3_prepare_v2(m_db,
                         "SELECT id, time, suite, environment_class, verdict, exit_code, cells, "
                         "diverged, culprit, report_json FROM runs WHERE (?1 = '' OR suite = ?1) "
                         "ORDER BY id DESC LIMIT ?2",
                         -1, query.out(), nullptr) != SQLITE_OK) {
    fail("cannot read the history");
  }
  sqlite3_stmt* s = query.get();
  sqlite3_bind_text(s, 1, suite.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 2, limit < 0 ? 0 : limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    HistoryRow row;
    row.id = sqlite3_column_int64(s, 0);
    row.time = column_text(s, 1);
    row.suite = column_text(s, 2);
    row.environment_class = column_text(s, 3);
    row.verdict = column_text(s, 4);
    row.exit_code = sqlite3_column_int(s, 5);
    row.cells = sqlite3_column_int(s, 6);
    row.diverged = sqlite3_column_int(s, 7);
    row.culprit = column_text(s, 8);
    row.report_json = column_text(s, 9);
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    fail("cannot read the history");
  }
  return rows;
}

}  // namespace repro
