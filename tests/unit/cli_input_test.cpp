// repro-check end to end with stand-in workers (shell scripts, no libtorch): report files
// checked before the run, verdict lines that match the exit code, worker input errors.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "harness/util/atomic_file.hpp"
#include "harness/util/subprocess.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A project root with suites/tiny.json (one threads value) and a stand-in worker that
// prints `stderr_line` and exits `worker_exit` for every call, the probe included.
class StandInProject {
 public:
  StandInProject(const std::string& stderr_line, int worker_exit)
      : StandInProject("printf '%s\\n' '" + stderr_line + "' >&2\nexit " +
                       std::to_string(worker_exit) + "\n") {}

  // A stand-in worker running `script` (sh) for every call.
  explicit StandInProject(const std::string& script) {
    nlohmann::json suite = {{"format_version", 1},
                            {"name", "tiny"},
                            {"workload", {{"train", {{"steps", 2}}}}},
                            {"axes", {{{"name", "threads"}, {"values", {1}}}}},
                            {"cell_timeout_s", 60}};
    write_file_atomic(m_dir / "suites" / "tiny.json", suite.dump(2));
    write_file_atomic(worker(), "#!/bin/sh\n" + script);
    ::chmod(worker().c_str(), 0755);
  }

  std::filesystem::path worker() const { return m_dir / "worker.sh"; }
  const std::filesystem::path& root() const { return m_dir.path(); }

  // `repro-check --root ROOT --worker WORKER run --suite tiny --no-history <extra>`.
  Result run(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"run", "--suite", "tiny", "--no-history"};
    args.insert(args.end(), extra.begin(), extra.end());
    return command(args);
  }

  // `repro-check --root ROOT --worker WORKER <args>`.
  Result command(const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.program = test::bin_dir() / "repro-check";
    spec.args = {"--root", root().string(), "--worker", worker().string()};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.env = current_environment();
    spec.stdout_path = m_logs / "stdout";
    spec.stderr_path = m_logs / "stderr";
    spec.timeout = std::chrono::minutes(2);
    ProcessResult r = run_process(spec);
    Result result;
    result.exit_code = r.started && r.signal == 0 && !r.timed_out ? r.exit_code : -1;
    result.out = read_file(spec.stdout_path);
    result.err = read_file(spec.stderr_path);
    return result;
  }

 private:
  test::TempDir m_dir;
  test::TempDir m_logs;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CliInput, ReportPathUnderAFileFailsBeforeAnyCellRuns) {
  StandInProject project("worker ran", 3);
  Result r = project.run({"--json", "/etc/passwd/x.json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "--json")) << r.err;
  EXPECT_TRUE(has(r.err, "/etc/passwd is not a directory")) << r.err;
  EXPECT_FALSE(has(r.out, "CELL")) << "a cell ran: " << r.out;
  EXPECT_FALSE(std::filesystem::exists(project.root() / ".repro" / "runs"));
}

TEST(CliInput, FailedReportWriteNeverPrintsAContradictingVerdict) {
  StandInProject project("worker: out of memory", 3);
  Result r = project.run({"--json", "/dev/full"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "(exit 2)")) << r.out;
  EXPECT_FALSE(has(r.out, "(exit 3)")) << r.out;
  EXPECT_TRUE(has(r.err, "/dev/full")) << r.err;
}

TEST(CliInput, DeviceNodeReportTargetStaysADevice) {
  StandInProject project("worker: out of memory", 3);
  Result r = project.run({"--json", "/dev/null"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  struct stat st {};
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(CliInput, WorkerInputErrorEndsTheRunWithExit2) {
  StandInProject project("repro-worker: error: images/cat_1.jpg: corrupt JPEG: bad marker", 2);
  auto json = project.root() / "report.json";
  Result r = project.run({"--json", json.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "(exit 2)")) << r.out;
  auto report = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(report["exit_code"], 2) << report.dump(2);
  EXPECT_TRUE(has(report.dump(), "images/cat_1.jpg")) << report.dump(2);
  EXPECT_TRUE(has(report.dump(), "input_error")) << report.dump(2);
}

TEST(CliInput, FingerprintOutOfDoubleRangeIsAnErrorNotAnAbort) {
  StandInProject project(
      "if [ \"$1\" = --fingerprint ]; then echo '{\"libtorch_version\": 1e400}'; exit 0; fi\n"
      "exit 3\n");
  Result r = project.command({"env"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "--fingerprint")) << r.err;
  EXPECT_TRUE(has(r.err, "out of range")) << r.err;
}

TEST(CliInput, WorkerStderrEscapesNeverReachTheTerminalOrMarkdown) {
  StandInProject project("boom \x1b[2J\x1b]0;owned\x07", 3);
  auto markdown = project.root() / "summary.md";
  Result r = project.run({"--markdown", markdown.string()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_FALSE(has(r.out, "\x1b[2J")) << r.out;
  EXPECT_FALSE(has(r.err, "\x1b[2J")) << r.err;
  EXPECT_FALSE(has(read_file(markdown), "\x1b")) << read_file(markdown);
}

}  // namespace
}  // namespace repro
