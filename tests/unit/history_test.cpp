// History: append and query, schema version, corrupt and locked databases, the CLI.
#include "harness/report/history.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <vector>

#include "harness/cli/run_main.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/verdict/check.hpp"
#include "harness/verdict/remedy.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

HistoryRow row(const std::string& suite, const std::string& time, int diverged) {
  HistoryRow r;
  r.time = time;
  r.suite = suite;
  r.environment_class = "libtorch-1.13.1_openblas-pthread_avx2_cpu";
  r.verdict = diverged > 0 ? "fail" : "pass";
  r.exit_code = diverged > 0 ? 1 : 0;
  r.cells = 4;
  r.diverged = diverged;
  r.culprit = diverged > 0 ? "threads 1→2 breaks bit-equality at step 0 in loss" : "";
  r.report_json = "{\"suite\":\"" + suite + "\"}";
  return r;
}

int user_version(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  sqlite3_step(stmt);
  int v = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return v;
}

int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "repro-check");
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return run_main(static_cast<int>(argv.size()), argv.data());
}

TEST(History, AppendThenQueryNewestFirst) {
  test::TempDir dir;
  std::filesystem::path file = dir / ".repro" / "history.sqlite";
  {
    History h(file);
    EXPECT_EQ(h.append(row("smoke", "2024-05-01T00:00:00Z", 0)), 1);
    EXPECT_EQ(h.append(row("pr", "2024-05-02T00:00:00Z", 1)), 2);
    EXPECT_EQ(h.append(row("smoke", "2024-05-03T00:00:00Z", 2)), 3);
  }
  History h(file, History::Mode::read_only);
  std::vector<HistoryRow> smoke = h.last("smoke", 10);
  ASSERT_EQ(smoke.size(), 2u);
  EXPECT_EQ(smoke[0].time, "2024-05-03T00:00:00Z");
  EXPECT_EQ(smoke[1].time, "2024-05-01T00:00:00Z");
  HistoryRow expected = row("smoke", "2024-05-03T00:00:00Z", 2);
  expected.id = 3;
  EXPECT_EQ(smoke[0], expected);
  EXPECT_EQ(h.last("", 10).size(), 3u);
  ASSERT_EQ(h.last("", 1).size(), 1u);
  EXPECT_EQ(h.last("", 1)[0].suite, "smoke");
  EXPECT_TRUE(h.last("nightly", 10).empty());
  EXPECT_EQ(user_version(file), k_history_schema_version);
}

TEST(History, RowFromAReport) {
  CheckInput in;
  in.suite = "smoke";
  in.design = "ofat";
  Trace broken = test::make_trace(2);
  test::diverge(broken, 0, "loss");
  in.runs = {
      test::make_run(test::make_cell({{"threads", "1"}}, CellRole::baseline), test::make_trace(2)),
      test::make_run(test::make_cell({{"threads", "2"}}), broken)};
  RunReport report = check_runs(in);
  HistoryRow r = history_row(report, "2024-05-01T00:00:00Z");
  EXPECT_EQ(r.verdict, "pass");
  EXPECT_EQ(r.cells, 2);
  EXPECT_EQ(r.diverged, 1);
  EXPECT_EQ(r.culprit,
            "threads 1→2 breaks bit-equality at step 0 in loss → " + remedy_for_axis("threads"));
  EXPECT_EQ(nlohmann::json::parse(r.report_json).at("suite"), "smoke");
}

TEST(History, CorruptFileIsAnErrorNamingTheFile) {
  test::TempDir dir;
  std::filesystem::path file = dir / "history.sqlite";
  write_file_atomic(file, std::string(4096, 'x'));
  try {
    History h(file);
    FAIL() << "opened a corrupt history";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_NE(e.message().find("corrupt"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(file), std::string(4096, 'x'));  // left alone
}

TEST(History, ForeignDatabaseIsAnError) {
  test::TempDir dir;
  std::filesystem::path file = dir / "other.sqlite";
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_THROW(History h(file), Error);
}

TEST(History, NewerSchemaIsAnError) {
  test::TempDir dir;
  std::filesystem::path file = dir / "history.sqlite";
  { History h(file); }
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 2", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    History h(file);
    FAIL() << "opened a newer history";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("too new"), std::string::npos);
  }
}

TEST(History, LockedDatabaseIsAnError) {
  test::TempDir dir;
  std::filesystem::path file = dir / "history.sqlite";
  History h(file, History::Mode::create, /*busy_timeout_ms=*/50);
  sqlite3* other = nullptr;
  sqlite3_open(file.c_str(), &other);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    h.append(row("smoke", "2024-05-01T00:00:00Z", 0));
    FAIL() << "appended to a locked history";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_NE(e.message().find("locked"), std::string::npos) << e.what();
  }
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(h.append(row("smoke", "2024-05-01T00:00:00Z", 0)), 1);
}

TEST(History, ReadOnlyNeedsAnExistingFile) {
  test::TempDir dir;
  EXPECT_THROW(History h(dir / "none.sqlite", History::Mode::read_only), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "none.sqlite"));
}

TEST(HistoryCommand, PrintsRowsAndWritesHtml) {
  test::TempDir dir;
  std::filesystem::path file = dir / "history.sqlite";
  {
    History h(file);
    h.append(row("nightly", "2024-05-01T00:00:00Z", 1));
  }
  std::filesystem::path html = dir / "nightly.html";
  testing::internal::CaptureStdout();
  int rc = run_cli({"history", "--db", file.string(), "--suite", "nightly", "--limit", "5",
                    "--html", html.string()});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, k_exit_ok);
  EXPECT_NE(out.find("threads 1→2 breaks bit-equality"), std::string::npos) << out;
  std::string page = read_file(html);
  EXPECT_NE(page.find("<h3>Suite <code>nightly</code>"), std::string::npos);
}

TEST(HistoryCommand, CorruptHistoryIsExit2) {
  test::TempDir dir;
  std::filesystem::path file = dir / "history.sqlite";
  write_file_atomic(file, std::string(4096, 'x'));
  testing::internal::CaptureStderr();
  int rc = run_cli({"history", "--db", file.string()});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, k_exit_usage);
  EXPECT_NE(err.find(file.string()), std::string::npos) << err;
}

}  // namespace
}  // namespace repro
