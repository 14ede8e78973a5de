// Real bless and run against golden files: per-cell classes, cross-class evidence, the
// gates ctest uses, bless --axis and --from-report, and corrupt or old goldens.
#include <gtest/gtest.h>

#include <cstdlib>

#include "harness/util/atomic_file.hpp"
#include "harness/verdict/golden_class.hpp"
#include "harness/verdict/golden_reader.hpp"
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/golden_writer.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

// Sets OPENBLAS_CORETYPE for the repro-check processes this test starts (workers
// inherit it), and restores the previous value.
class CoreType {
 public:
  explicit CoreType(const char* core) {
    const char* old = std::getenv("OPENBLAS_CORETYPE");
    m_had = old != nullptr;
    m_old = old != nullptr ? old : "";
    setenv("OPENBLAS_CORETYPE", core, 1);
  }
  ~CoreType() {
    if (m_had) {
      setenv("OPENBLAS_CORETYPE", m_old.c_str(), 1);
    } else {
      unsetenv("OPENBLAS_CORETYPE");
    }
  }
  CoreType(const CoreType&) = delete;
  CoreType& operator=(const CoreType&) = delete;

 private:
  bool m_had = false;
  std::string m_old;
};

std::string this_class() {
  return golden_class_name(golden_class_fields(worker_fingerprint()));
}

bool openblas_default() {
  return worker_fingerprint().blas_build.rfind("openblas", 0) == 0;
}

TEST(Golden, BlessThenRunMatchesTheGolden) {
  ScratchProject project;
  project.write_suite("blessed", {{{"name", "seed"}, {"values", {1, 2}}}});
  CliResult bless =
      project.repro_check({"bless", "--suite", "blessed", "--reason", "integration test"});
  ASSERT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  auto dir = project.root() / "golden" / "blessed";
  ASSERT_TRUE(std::filesystem::is_directory(dir));
  nlohmann::json report;
  CliResult run = project.run("blessed", {"--require-golden", "--skip-without-golden"}, &report);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(report["golden_found"], true);
  EXPECT_EQ(report["golden_compared"], 3);
  for (const auto& [id, status] : report["golden"].items()) {
    EXPECT_EQ(status, "match") << id;
  }
  // Provenance: reason and fingerprint per cell.
  GoldenStore store(project.root() / "golden");
  GoldenFile g = *store.load("blessed", this_class());
  for (const auto& [key, cell] : g.cells) {
    EXPECT_EQ(cell.provenance.reason, "integration test") << key;
    EXPECT_EQ(cell.provenance.source, "run");
    EXPECT_FALSE(cell.config.empty());
  }
}

TEST(Golden, BlessNeedsAReason) {
  ScratchProject project;
  project.write_suite("blessed", {{{"name", "threads"}, {"values", {1}}}});
  CliResult bless = project.repro_check({"bless", "--suite", "blessed"});
  EXPECT_EQ(bless.exit_code, 2) << bless.out << bless.err;
  EXPECT_NE(bless.err.find("--reason"), std::string::npos) << bless.err;
}

TEST(Golden, RunWithoutGoldenSaysSoAndSkipsUnderTheGate) {
  ScratchProject project;
  project.write_suite("fresh", {{{"name", "threads"}, {"values", {1}}}});
  nlohmann::json report;
  CliResult plain = project.run("fresh", {}, &report);
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_EQ(report["golden_compared"], 0);
  EXPECT_NE(plain.out.find("no golden compared"), std::string::npos) << plain.out;
  EXPECT_NE(report["cells"][0]["golden_check"]["detail"].get<std::string>().find(
                "no golden for class " + this_class()),
            std::string::npos);
  CliResult gated = project.run("fresh", {"--skip-without-golden"}, &report);
  EXPECT_EQ(gated.exit_code, 77) << gated.out << gated.err;
  EXPECT_NE(gated.out.find("SKIP (exit 77): no golden compared"), std::string::npos) << gated.out;
  EXPECT_EQ(project.run("fresh", {"--require-golden"}, nullptr).exit_code, 1);
}

TEST(Golden, AnotherClassGivesCrossClassEvidenceNotAPass) {
  if (!openblas_default()) {
    GTEST_SKIP() << "the default BLAS is not OpenBLAS: no core to change";
  }
  ScratchProject project;
  project.write_suite("cross", {{{"name", "threads"}, {"values", {1}}}});
  {
    // Prescott's SSE3 kernels run on every x86-64 machine: "another CPU".
    CoreType core("Prescott");
    CliResult bless = project.repro_check({"bless", "--suite", "cross", "--reason", "other cpu"});
    ASSERT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  }
  CoreType core("Haswell");
  nlohmann::json report;
  CliResult run = project.run("cross", {"--skip-without-golden"}, &report);
  EXPECT_EQ(run.exit_code, 77) << run.out << run.err;
  const auto& check = report["cells"][0]["golden_check"];
  ASSERT_EQ(check["cross_class"].size(), 1u) << check.dump(2);
  std::string text = check["cross_class"][0]["text"];
  EXPECT_NE(text.find("(differs in blas_core Prescott→Haswell): "), std::string::npos) << text;
  EXPECT_TRUE(text.find("identical") != std::string::npos ||
              text.find("diverged at step") != std::string::npos)
      << text;
  std::string detail = check["detail"];
  EXPECT_EQ(detail.rfind("no golden for class ", 0), 0u) << detail;
  EXPECT_NE(run.out.find(text), std::string::npos) << run.out;
  EXPECT_EQ(project.run("cross", {"--require-golden"}, nullptr).exit_code, 1);
  // golden classes lists the class file.
  CliResult classes = project.repro_check({"golden", "classes", "--suite", "cross"});
  EXPECT_EQ(classes.exit_code, 0) << classes.err;
  EXPECT_NE(classes.out.find("prescott"), std::string::npos) << classes.out;
}

TEST(Golden, BlessHonoursAxisAndKeepsOtherCells) {
  ScratchProject project;
  project.write_suite("axes", {{{"name", "threads"}, {"values", {1}}}});
  ASSERT_EQ(project.repro_check({"bless", "--suite", "axes", "--reason", "threads 1"}).exit_code,
            0);
  CliResult more = project.repro_check(
      {"bless", "--suite", "axes", "--axis", "threads=1,2", "--reason", "threads 2 too"});
  ASSERT_EQ(more.exit_code, 0) << more.out << more.err;
  size_t added = more.out.find("added: ");
  ASSERT_NE(added, std::string::npos) << more.out;
  EXPECT_NE(more.out.find("threads=2", added), std::string::npos) << more.out;
  // Blessing threads=1 alone again keeps threads=2.
  ASSERT_EQ(project.repro_check({"bless", "--suite", "axes", "--reason", "again"}).exit_code, 0);
  CliResult run = project.run("axes", {"--axis", "threads=1,2", "--require-golden"}, nullptr);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(Golden, BlessFromReportRoundTrips) {
  ScratchProject ci;
  ci.write_suite("ci", {{{"name", "threads"}, {"values", {1, 2}}}});
  nlohmann::json report;
  ASSERT_EQ(ci.run("ci", {}, &report).exit_code, 0);
  ASSERT_FALSE(report["cells"][0]["golden_cell"].is_null());
  std::filesystem::path json = ci.root() / "ci.json";
  CliResult bless =
      ci.repro_check({"bless", "--from-report", json.string(), "--reason", "from CI"});
  ASSERT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  GoldenStore store(ci.root() / "golden");
  GoldenFile g = *store.load("ci", this_class());
  EXPECT_EQ(g.cells.size(), 2u);
  EXPECT_EQ(g.cells.begin()->second.provenance.source, "report ci.json");
  CliResult run = ci.run("ci", {"--require-golden"}, &report);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(report["golden_compared"], 3);
  // A doctored report is refused, naming the field.
  nlohmann::json bad = report;
  bad["cells"][0]["golden_cell"]["steps"][0]["root"] = std::string(32, '0');
  write_file_atomic(ci.root() / "bad.json", bad.dump());
  CliResult refused = ci.repro_check(
      {"bless", "--from-report", (ci.root() / "bad.json").string(), "--reason", "x"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("golden_cell.steps[0].root"), std::string::npos) << refused.err;
}

TEST(Golden, AChangedDigestFailsNamingCellStepAndTensor) {
  ScratchProject project;
  project.write_suite("gate", {{{"name", "threads"}, {"values", {1}}}});
  ASSERT_EQ(project.repro_check({"bless", "--suite", "gate", "--reason", "x"}).exit_code, 0);
  // Rewrite the golden as bless would, with one digest of step 1 changed.
  GoldenStore store(project.root() / "golden");
  GoldenFile g = *store.load("gate", this_class());
  GoldenCell& cell = g.cells.begin()->second;
  auto& [tensor, digest] = cell.steps[1].tensors[3];
  std::string name = tensor;
  digest = Digest{digest.high ^ 1, digest.low};
  std::vector<NamedDigest> named;
  for (const auto& [n, d] : cell.steps[1].tensors) {
    named.push_back({n, d});
  }
  cell.steps[1].root = step_root(named);
  write_file_atomic(store.path_for("gate", this_class()), serialize_golden(g));
  nlohmann::json report;
  CliResult run = project.run("gate", {"--skip-without-golden"}, &report);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  std::string culprit = report["culprit"];
  EXPECT_EQ(culprit.rfind("golden mismatch: baseline (", 0), 0u) << culprit;
  EXPECT_NE(culprit.find("at step 1 in " + name), std::string::npos) << culprit;
  EXPECT_NE(run.out.find("FAIL (exit 1): golden mismatch: baseline"), std::string::npos) << run.out;
  // A hand edit that breaks the file is an input error naming the file, cell and step.
  std::string text = read_file(store.path_for("gate", this_class()));
  std::string hex = cell.steps[1].tensors[3].second.hex();
  text.replace(text.find(hex), 1, hex[0] == '0' ? "1" : "0");
  write_file_atomic(store.path_for("gate", this_class()), text);
  CliResult broken = project.run("gate", {}, nullptr);
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find(".steps[1].root: does not match the tensor digests"), std::string::npos)
      << broken.err;
}

TEST(Golden, OldFormatIsTooOld) {
  ScratchProject project;
  project.write_suite("old", {{{"name", "threads"}, {"values", {1}}}});
  auto golden = project.root() / "golden" / "old" / (this_class() + ".json");
  write_file_atomic(golden, "{\n  \"format_version\": 1,\n  \"suite\": \"old\"\n}\n");
  CliResult run = project.run("old", {}, nullptr);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("golden format 1 is too old"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("repro-check bless --suite old"), std::string::npos) << run.err;
}

TEST(Golden, CorruptGoldenGivesExit2AndStaysUntouched) {
  ScratchProject project;
  project.write_suite("corrupt", {{{"name", "threads"}, {"values", {1}}}});
  // The golden this machine's run would be compared with, truncated.
  auto golden = project.root() / "golden" / "corrupt" / (this_class() + ".json");
  std::string text = "{\"format_version\": 2, \"suite\": \"corrupt\", \"cells\": {";
  write_file_atomic(golden, text);
  CliResult run = project.run("corrupt", {}, nullptr);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("repro-check: error: " + golden.string()), std::string::npos) << run.err;
  EXPECT_EQ(read_file(golden), text);
  CliResult bless = project.repro_check({"bless", "--suite", "corrupt", "--reason", "x"});
  EXPECT_EQ(bless.exit_code, 2) << bless.out << bless.err;
  EXPECT_EQ(read_file(golden), text);
  // Only an explicit --force replaces it.
  bless = project.repro_check({"bless", "--suite", "corrupt", "--force", "--reason", "x"});
  EXPECT_EQ(bless.exit_code, 0) << bless.out << bless.err;
  EXPECT_NE(read_file(golden), text);
  EXPECT_EQ(project.run("corrupt", {"--require-golden"}, nullptr).exit_code, 0);
}

TEST(Golden, CorruptGoldenOfAnotherEnvironmentClassGivesExit2) {
  ScratchProject project;
  project.write_suite("corrupt", {{{"name", "threads"}, {"values", {1}}}});
  auto golden = project.root() / "golden" / "corrupt" / "libtorch-0.1_other_cpu.json";
  write_file_atomic(golden, "not json");
  CliResult run = project.run("corrupt", {}, nullptr);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find(golden.string()), std::string::npos) << run.err;
  EXPECT_EQ(project.repro_check({"bless", "--suite", "corrupt", "--reason", "x"}).exit_code, 2);
  EXPECT_EQ(read_file(golden), "not json");
}

}  // namespace
}  // namespace repro::test
