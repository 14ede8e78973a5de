// Reporters: the JSON contract, well-formed JUnit, terminal, Markdown and HTML output.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/report/escape.hpp"
#include "harness/report/html_report.hpp"
#include "harness/report/json_report.hpp"
#include "harness/report/junit_report.hpp"
#include "harness/report/markdown_report.hpp"
#include "harness/report/terminal_report.hpp"
#include "harness/verdict/check.hpp"
#include "tests/support/synthetic_traces.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

const Settings k_base = {{"device", "cpu"}, {"threads", "1"}};

// A failing run: threads (declared invariant) breaks at step 0, a gpu cell skips, a
// cell named with XML-hostile characters crashes.
RunReport failing_report() {
  CheckInput in;
  in.suite = "smoke";
  in.design = "ofat";
  in.invariant_axes = {"threads"};
  in.fingerprint.libtorch_version = "1.13.1";
  in.fingerprint.blas_build = "openblas-pthread";
  in.fingerprint.cpu_capability = "avx2";
  in.fingerprint.device = "cpu";
  Trace broken = make_trace(2);
  test::diverge(broken, 0, "enc1.conv1.weight.grad");
  in.runs = {
      make_run(make_cell(k_base, CellRole::baseline), make_trace(2)),
      make_run(make_cell(k_base, CellRole::repeat), make_trace(2)),
      make_run(make_cell({{"device", "cpu"}, {"threads", "2"}}, CellRole::variant, "threads"),
               broken),
      test::failed_run(make_cell({{"device", "gpu"}, {"threads", "1"}}), RunStatus::skipped,
                       "gpu: no CUDA device"),
      test::failed_run(make_cell({{"device", "cpu"}, {"threads", "1"}, {"worker", "a<b>&\"c'"}}),
                       RunStatus::crashed, "exit 3: <stderr> \x01 bad\xff bytes & more"),
  };
  return check_runs(in);
}

RunReport passing_report() {
  CheckInput in;
  in.suite = "smoke";
  in.design = "ofat";
  in.fingerprint.device = "cpu";
  in.runs = {make_run(make_cell(k_base, CellRole::baseline), make_trace(2)),
             make_run(make_cell(k_base, CellRole::repeat), make_trace(2))};
  return check_runs(in);
}

// A small XML 1.0 well-formedness check: one root, balanced and properly nested tags,
// quoted attributes, only the five predefined entities or character references, no
// raw '<' or '&' in text, no forbidden control characters.
::testing::AssertionResult well_formed_xml(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  int roots = 0;
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << " at byte " << i << ": " << xml.substr(i, 60);
  };
  auto check_entity = [&](size_t at) {
    size_t end = xml.find(';', at);
    if (end == std::string::npos) {
      return false;
    }
    std::string name = xml.substr(at + 1, end - at - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") {
      return true;
    }
    return name.size() > 1 && name[0] == '#' &&
           name.find_first_not_of("0123456789", 1) == std::string::npos;
  };
  if (xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0) != 0) {
    return fail("no XML declaration");
  }
  i = xml.find('\n') + 1;
  while (i < xml.size()) {
    unsigned char c = static_cast<unsigned char>(xml[i]);
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return fail("control character");
    }
    if (c == '&') {
      if (!check_entity(i)) {
        return fail("bad entity");
      }
      ++i;
      continue;
    }
    if (c != '<') {
      if (open.empty() && c != '\n' && c != ' ') {
        return fail("text outside the root");
      }
      ++i;
      continue;
    }
    size_t end = i + 1;
    char quote = 0;
    while (end < xml.size() && (quote != 0 || xml[end] != '>')) {
      if (quote == 0 && (xml[end] == '"' || xml[end] == '\'')) {
        quote = xml[end];
      } else if (quote != 0 && xml[end] == quote) {
        quote = 0;
      } else if (quote != 0 && xml[end] == '<') {
        return fail("'<' inside an attribute");
      } else if (quote != 0 && xml[end] == '&' && !check_entity(end)) {
        return fail("bad entity in an attribute");
      } else if (quote == 0 && xml[end] == '<') {
        return fail("'<' inside a tag");
      }
      ++end;
    }
    if (end >= xml.size()) {
      return fail("unterminated tag");
    }
    std::string tag = xml.substr(i + 1, end - i - 1);
    bool closing = !tag.empty() && tag[0] == '/';
    bool empty = !tag.empty() && tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" /\t\n"));
    if (name.empty()) {
      return fail("empty tag name");
    }
    if (closing) {
      if (open.empty() || open.back() != name) {
        return fail("mismatched </" + name + ">");
      }
      open.pop_back();
    } else if (!empty) {
      if (open.empty() && ++roots > 1) {
        return fail("second root");
      }
      open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty()) {
    return ::testing::AssertionFailure() << "unclosed <" << open.back() << ">";
  }
  return ::testing::AssertionSuccess();
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(JsonReport, HasEveryContractFieldWithTheRightType) {
  RunReport report = failing_report();
  std::ostringstream out;
  write_json_report(out, report);
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j.at("format_version"), 1);
  EXPECT_EQ(j.at("suite"), "smoke");
  EXPECT_EQ(j.at("design"), "ofat");
  EXPECT_EQ(j.at("verdict"), "fail");
  EXPECT_EQ(j.at("exit_code"), 1);
  EXPECT_TRUE(j.at("fingerprint").is_object());
  EXPECT_EQ(j.at("fingerprint").at("libtorch_version"), "1.13.1");
  EXPECT_TRUE(j.at("repeatable").is_boolean());
  ASSERT_TRUE(j.at("cells").is_array());
  ASSERT_EQ(j.at("cells").size(), 5u);
  for (const auto& c : j.at("cells")) {
    EXPECT_TRUE(c.at("id").is_string());
    EXPECT_TRUE(c.at("settings").is_object());
    std::string verdict = c.at("verdict");
    EXPECT_TRUE(verdict == "identical" || verdict == "diverged" || verdict == "skipped" ||
                verdict == "crashed" || verdict == "timeout")
        << verdict;
    EXPECT_TRUE(c.at("reason").is_string());
    EXPECT_TRUE(c.at("step_time_ms").is_number() || c.at("step_time_ms").is_null());
    EXPECT_TRUE(c.at("first_divergence").is_object() || c.at("first_divergence").is_null());
  }
  const auto& baseline = j.at("cells").at(0);
  EXPECT_TRUE(baseline.at("first_divergence").is_null());
  EXPECT_EQ(baseline.at("settings"), (nlohmann::json{{"device", "cpu"}, {"threads", "1"}}));
  EXPECT_EQ(baseline.at("step_time_ms"), 50.0);
  const auto& fd = j.at("cells").at(2).at("first_divergence");
  EXPECT_EQ(fd.at("step"), 0);
  EXPECT_EQ(fd.at("tensor"), "enc1.conv1.weight.grad");
  EXPECT_EQ(fd.at("kind"), "grad");
  EXPECT_TRUE(fd.at("max_abs_diff").is_null());
  EXPECT_TRUE(fd.at("max_ulp").is_null());

  ASSERT_TRUE(j.at("attribution").is_array());
  ASSERT_EQ(j.at("attribution").size(), 1u);
  const auto& a = j.at("attribution").at(0);
  EXPECT_EQ(a.at("axis"), "threads");
  EXPECT_EQ(a.at("from"), "1");
  EXPECT_EQ(a.at("to"), "2");
  EXPECT_EQ(a.at("breaks"), true);
  for (const char* key : {"step", "tensor", "kind", "max_abs_diff", "max_ulp"}) {
    EXPECT_TRUE(a.at("first_divergence").contains(key)) << key;
  }
  ASSERT_TRUE(j.at("golden").is_object());
  EXPECT_EQ(j.at("golden").at("device=cpu,threads=1"), "missing");
  EXPECT_TRUE(j.at("golden").at("device=gpu,threads=1").is_null());
  EXPECT_TRUE(j.at("interactions").is_array());
  EXPECT_TRUE(j.at("findings").is_array());
  EXPECT_TRUE(j.at("summary").is_array());
  EXPECT_TRUE(j.at("culprit").is_string());
}

TEST(JsonReport, PassingRunHasNullDivergences) {
  std::ostringstream out;
  write_json_report(out, passing_report());
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j.at("verdict"), "pass");
  EXPECT_EQ(j.at("exit_code"), 0);
  EXPECT_EQ(j.at("repeatable"), true);
  for (const auto& c : j.at("cells")) {
    EXPECT_TRUE(c.at("first_divergence").is_null());
  }
}

TEST(JunitReport, IsWellFormedWithOneTestcasePerCell) {
  std::ostringstream out;
  write_junit_report(out, failing_report());
  std::string xml = out.str();
  EXPECT_TRUE(well_formed_xml(xml)) << xml;
  EXPECT_EQ(occurrences(xml, "<testcase "), 5u);
  EXPECT_EQ(occurrences(xml, "<failure "), 1u);
  EXPECT_EQ(occurrences(xml, "<skipped "), 1u);
  EXPECT_EQ(occurrences(xml, "<error "), 1u);
  EXPECT_NE(xml.find("tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&apos;"), std::string::npos);
}

TEST(JunitReport, PassingRunHasNoFailures) {
  std::ostringstream out;
  write_junit_report(out, passing_report());
  EXPECT_TRUE(well_formed_xml(out.str()));
  EXPECT_EQ(occurrences(out.str(), "<failure"), 0u);
}

TEST(TerminalReport, ShowsTheTableAndTheCulprit) {
  std::ostringstream out;
  write_terminal_report(out, failing_report(), TerminalOptions{});
  std::string text = out.str();
  EXPECT_NE(text.find("CELL"), std::string::npos);
  EXPECT_NE(text.find("MS/STEP"), std::string::npos);
  EXPECT_NE(text.find("threads=2"), std::string::npos);
  EXPECT_NE(text.find("gpu: no CUDA device"), std::string::npos);
  EXPECT_NE(text.find("threads 1→2 breaks bit-equality at step 0 in enc1.conv1.weight.grad"),
            std::string::npos);
  EXPECT_NE(text.find("FAIL (exit 1)"), std::string::npos);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos);  // a worker's control bytes stay out
}

TEST(TerminalReport, ColoursOnlyWhenAsked) {
  std::ostringstream out;
  TerminalOptions options;
  options.colour = true;
  write_terminal_report(out, passing_report(), options);
  EXPECT_NE(out.str().find("\033[32m"), std::string::npos);
  EXPECT_NE(out.str().find("PASS (exit 0)"), std::string::npos);
}

TEST(TerminalReport, NoColourForAStreamThatIsNotATerminal) {
  EXPECT_FALSE(colour_wanted(-1));
}

TEST(MarkdownReport, HasHeadlineTableAndCulprit) {
  std::ostringstream out;
  write_markdown_report(out, failing_report());
  std::string md = out.str();
  EXPECT_EQ(md.rfind("## repro-check `smoke`: ❌ fail (exit 1)", 0), 0u) << md;
  EXPECT_NE(md.find("| Cell | Verdict | Golden | ms/step | First divergence / reason |"),
            std::string::npos);
  EXPECT_NE(md.find("**Culprit:** threads 1→2 breaks"), std::string::npos);
  EXPECT_NE(md.find("a&lt;b&gt;&amp;\"c'"), std::string::npos);
  EXPECT_NE(md.find("<details><summary>Fingerprint</summary>"), std::string::npos);
}

TEST(HtmlReport, IsSelfContainedAndGroupsHistoryBySuiteAndClass) {
  std::vector<HistoryRow> history(4);
  for (int i = 0; i < 4; ++i) {
    history[i].time = "2024-05-0" + std::to_string(4 - i) + "T02:00:00Z";
    history[i].suite = i == 1 ? "pr" : "nightly";
    history[i].environment_class = i == 3 ? "class-b" : "class-a";
    history[i].verdict = i == 0 ? "fail" : "pass";
    history[i].cells = 6;
    history[i].diverged = i;
    history[i].culprit = i == 0 ? "threads 1→2 breaks <bit>-equality" : "";
  }
  std::ostringstream out;
  write_html_report(out, nullptr, history);
  std::string html = out.str();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(occurrences(html, "<svg"), 0u);  // charts are `repro-check report`'s, never drawn here
  EXPECT_EQ(occurrences(html, "<h3>Suite"), 3u);
  const size_t nightly_a = html.find("<code>nightly</code> · environment class <code>class-a");
  const size_t pr_a = html.find("<code>pr</code> · environment class <code>class-a");
  const size_t nightly_b = html.find("<code>nightly</code> · environment class <code>class-b");
  ASSERT_NE(nightly_a, std::string::npos);
  ASSERT_NE(pr_a, std::string::npos);
  ASSERT_NE(nightly_b, std::string::npos);
  // Rows 0 and 2 (nightly, class-a) sit together in the first table, before the pr one.
  EXPECT_LT(html.find("2024-05-02T02:00:00Z"), pr_a);
  EXPECT_GT(html.find("2024-05-03T02:00:00Z"), pr_a);
  EXPECT_NE(html.find("threads 1→2 breaks &lt;bit&gt;-equality"), std::string::npos);
  for (const char* external : {"<script", "<link", " src=", "https://", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  std::ostringstream full;
  RunReport report = failing_report();
  write_html_report(full, &report, {});
  EXPECT_NE(full.str().find("FAIL (exit 1)"), std::string::npos);
  EXPECT_NE(full.str().find("No runs recorded yet"), std::string::npos);
}

TEST(Escape, XmlAndMarkdown) {
  EXPECT_EQ(xml_escape("a<b>&\"'\x01z"), "a&lt;b&gt;&amp;&quot;&apos;z");
  EXPECT_EQ(xml_escape("bad\xff"), "bad?");
  EXPECT_EQ(markdown_escape("a|b_c\nd"), "a\\|b\\_c d");
}

}  // namespace
}  // namespace repro
