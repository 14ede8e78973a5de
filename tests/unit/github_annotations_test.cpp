// GitHub Actions annotations and the step-summary append.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/report/github_annotations.hpp"
#include "harness/report/markdown_report.hpp"
#include "harness/report/report_files.hpp"
#include "harness/verdict/check.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

RunReport invariant_broken() {
  CheckInput in;
  in.suite = "pr";
  in.design = "ofat";
  in.invariant_axes = {"threads"};
  in.fingerprint.device = "cpu";
  Trace two = make_trace(2);
  test::diverge(two, 0, "enc1.conv1.weight.grad");
  Settings base = {{"threads", "1"}};
  in.runs = {make_run(make_cell(base, CellRole::baseline), make_trace(2)),
             make_run(make_cell({{"threads", "2"}}, CellRole::variant, "threads"), two),
             test::failed_run(make_cell({{"threads", "3"}}), RunStatus::crashed, "exit 3:\nboom")};
  return check_runs(in);
}

TEST(GithubAnnotations, OneErrorPerFailingOrCrashedCellEscaped) {
  std::ostringstream out;
  write_github_annotations(out, invariant_broken());
  std::string text = out.str();
  EXPECT_NE(text.find("::error file=suites/pr.json,title=repro-check pr%3A threads=2::threads=2: "
                      "declared invariant threads changed the results"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("::error file=suites/pr.json,title=repro-check pr%3A threads=3::threads=3 "
                      "crashed: exit 3:%0Aboom\n"),
            std::string::npos)
      << text;
}

TEST(GithubAnnotations, NothingForACleanRun) {
  CheckInput in;
  in.suite = "smoke";
  in.design = "ofat";
  in.runs = {make_run(make_cell({{"threads", "1"}}, CellRole::baseline), make_trace(2))};
  std::ostringstream out;
  write_github_annotations(out, check_runs(in));
  EXPECT_EQ(out.str(), "");
}

TEST(GithubAnnotations, EscapesLikeTheToolkit) {
  EXPECT_EQ(github_escape("a%b\r\nc:d,e", false), "a%25b%0D%0Ac:d,e");
  EXPECT_EQ(github_escape("a%b\r\nc:d,e", true), "a%25b%0D%0Ac%3Ad%2Ce");
}

TEST(ReportFiles, StepSummaryIsAppendedNotReplaced) {
  test::TempDir dir;
  std::filesystem::path summary = dir.path() / "summary.md";
  std::ofstream(summary) << "# earlier step\n";
  ::setenv("GITHUB_STEP_SUMMARY", summary.c_str(), 1);
  ReportFiles files;
  files.markdown = summary.string();
  write_report_files(invariant_broken(), files, {});
  write_report_files(invariant_broken(), files, {});
  ::unsetenv("GITHUB_STEP_SUMMARY");
  std::stringstream text;
  text << std::ifstream(summary).rdbuf();
  EXPECT_EQ(text.str().rfind("# earlier step\n\n", 0), 0u) << text.str();
  std::ostringstream one;
  write_markdown_report(one, invariant_broken());
  std::string headline = one.str().substr(0, one.str().find('\n'));
  size_t first = text.str().find(headline);
  ASSERT_NE(first, std::string::npos) << text.str();
  EXPECT_NE(text.str().find(headline, first + 1), std::string::npos) << "second summary lost";

  // Any other file is replaced (atomically) unless --markdown-append asks otherwise.
  std::filesystem::path other = dir.path() / "other.md";
  std::ofstream(other) << "PREVIOUS-CONTENT\n";
  files.markdown = other.string();
  write_report_files(invariant_broken(), files, {});
  std::stringstream replaced;
  replaced << std::ifstream(other).rdbuf();
  EXPECT_EQ(replaced.str().find("PREVIOUS-CONTENT"), std::string::npos);
  files.markdown_append = true;
  std::ofstream(other) << "PREVIOUS-CONTENT\n";
  write_report_files(invariant_broken(), files, {});
  std::stringstream appended;
  appended << std::ifstream(other).rdbuf();
  EXPECT_EQ(appended.str().rfind("PREVIOUS-CONTENT\n", 0), 0u);
}

}  // namespace
}  // namespace repro
