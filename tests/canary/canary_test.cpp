// Canaries: the checker proves it can fail. Each suites/canary-*.json plants one test-only
// fault in the real worker (docs/canaries.md); each test runs that suite and passes only if
// the JSON report catches the fault and attributes it right (axis, step, tensor). A canary
// that is missed fails.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <random>
#include <set>

#include "harness/util/atomic_file.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/util/temp_folder.hpp"
#include "harness/verdict/magnitude_probe.hpp"
#include "tests/integration/cli_process.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

using test::CliResult;
using test::ScratchProject;

// The committed canary suite NAME, as JSON (to copy into a scratch project).
nlohmann::json committed_suite(const std::string& name) {
  auto path = test::source_dir() / "suites" / (name + ".json");
  return parse_json(read_file(path), path.string());
}

// Runs suite NAME (a copy of the committed one, `edit`ed) in a scratch project; the JSON
// report is read into `report`.
CliResult run_canary(ScratchProject& project, const std::string& name, nlohmann::json* report,
                     const std::vector<std::string>& args = {},
                     const std::function<void(nlohmann::json&)>& edit = {}) {
  nlohmann::json suite = committed_suite(name);
  if (edit) {
    edit(suite);
  }
  write_file_atomic(project.root() / "suites" / (name + ".json"), suite.dump(2));
  return project.run(name, args, report);
}

// The report's cell whose role is `role` ("repeat"), or null.
nlohmann::json cell_with_role(const nlohmann::json& report, const std::string& role) {
  for (const auto& c : report.value("cells", nlohmann::json::array())) {
    if (c.value("role", "") == role) {
      return c;
    }
  }
  return nullptr;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// A nondeterminism canary: the repeat of the baseline must differ (exit 1, repeatable
// false), and its first divergence is returned for the caller's checks.
nlohmann::json expect_repeat_differs(const CliResult& r, const nlohmann::json& report) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(report.value("repeatable", nlohmann::json()), false) << report.dump(2);
  nlohmann::json repeat = cell_with_role(report, "repeat");
  EXPECT_EQ(repeat.value("verdict", ""), "diverged") << repeat.dump(2);
  EXPECT_NE(report.value("culprit", "").find("repeat"), std::string::npos) << report["culprit"];
  return repeat.value("first_divergence", nlohmann::json::object());
}

// A deterministic canary: axis AXIS changed to TO must be caught as breaking a declared
// invariant (exit 1), first diverging at STEP in TENSOR.
void expect_attributed(const CliResult& r, const nlohmann::json& report, const std::string& axis,
                       const std::string& to, int step, const std::string& tensor) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(report.value("repeatable", nlohmann::json()), true) << report.dump(2);
  nlohmann::json a = test::attribution_of(report, axis, to);
  ASSERT_TRUE(a.is_object()) << "no attribution to " << axis << "=" << to << ": " << report.dump(2);
  EXPECT_EQ(a["breaks"], true) << a.dump(2);
  EXPECT_EQ(a["must_hold"], true) << a.dump(2);
  EXPECT_EQ(a["first_divergence"]["step"], step) << a.dump(2);
  EXPECT_EQ(a["first_divergence"]["tensor"], tensor) << a.dump(2);
  // Nothing else is blamed: every other attribution holds.
  for (const auto& other : report["attribution"]) {
    if (other["axis"] != axis || other["to"] != to) {
      EXPECT_EQ(other["breaks"], false) << other.dump(2);
    }
  }
}

// The first parameter in registration order: what the ulp-flip faults change.
constexpr const char* k_flipped = "enc1.conv1.weight";

TEST(Canary, UnseededDropoutMakesTheRepeatDifferAtStepZero) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-unseeded-dropout", &report);
  nlohmann::json fd = expect_repeat_differs(r, report);
  EXPECT_EQ(fd.value("step", -1), 0) << fd.dump(2);
  // Dropout changes activations, not the data: the batch is identical.
  EXPECT_FALSE(starts_with(fd.value("tensor", ""), "batch")) << fd.dump(2);
  // Step 0 is measured from both runs' own first-step records (the values their traces
  // digested, whatever masks they drew): a real, nonzero magnitude.
  EXPECT_TRUE(fd["max_abs_diff"].is_number()) << fd.dump(2);
  EXPECT_GT(fd.value("max_abs_diff", 0.0), 0.0) << fd.dump(2);
  EXPECT_GT(fd.value("max_ulp", 0), 0) << fd.dump(2);
  EXPECT_EQ(fd.value("magnitude_note", ""), "") << fd.dump(2);
}

TEST(Canary, UnseededDropoutFromStepOneClaimsNoMagnitudeItsReRunsCannotReproduce) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(
      project, "canary-unseeded-dropout", &report, {},
      [](nlohmann::json& suite) { suite["workload"]["settings"]["fault"] = "unseeded-dropout@1"; });
  nlohmann::json fd = expect_repeat_differs(r, report);
  EXPECT_EQ(fd.value("step", -1), 1) << fd.dump(2);
  // Past step 0 a magnitude needs dump re-runs, which draw other masks again and cannot
  // reproduce the traced values: no magnitude is claimed ("0 ULP" beside "diverged" was the
  // old lie), the note says why.
  EXPECT_TRUE(fd["max_abs_diff"].is_null()) << fd.dump(2);
  EXPECT_TRUE(fd["max_ulp"].is_null()) << fd.dump(2);
  EXPECT_EQ(fd.value("magnitude_note", "").rfind(k_not_reproduced_note, 0), 0u) << fd.dump(2);
}

TEST(Canary, UnseededShuffleMakesTheRepeatDifferInTheBatch) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-unseeded-shuffle", &report);
  nlohmann::json fd = expect_repeat_differs(r, report);
  EXPECT_EQ(fd.value("step", -1), 0) << fd.dump(2);
  EXPECT_TRUE(starts_with(fd.value("tensor", ""), "batch")) << fd.dump(2);
}

TEST(Canary, TimeSeededAugmentationMakesTheRepeatDifferInTheImages) {
  ScratchProject project;
  nlohmann::json report;
  // One worker at a time: the fault waits for the next wall-clock second after drawing its
  // seed, so the repeat, started after the baseline ended, draws another one.
  CliResult r = run_canary(project, "canary-time-seeded-augment", &report, {"--jobs", "1"});
  nlohmann::json fd = expect_repeat_differs(r, report);
  // Flips change pixels, never the order of the ids.
  EXPECT_EQ(fd.value("tensor", ""), "batch.images") << fd.dump(2);
}

TEST(Canary, RandomOrderReductionMakesTheRepeatDifferInAGradient) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-random-order-reduction", &report);
  nlohmann::json fd = expect_repeat_differs(r, report);
  EXPECT_EQ(fd.value("kind", ""), "grad") << fd.dump(2);
}

TEST(Canary, UlpFlipUnderTwoThreadsIsAttributedToThreadsAtStepThree) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-ulp-flip-threads", &report);
  expect_attributed(r, report, "threads", "2", 3, k_flipped);
}

TEST(Canary, FaultOnlyAtStepFiveIsLocalizedToStepFive) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-late-fault", &report);
  expect_attributed(r, report, "fault", "ulp-flip@5", 5, k_flipped);
}

TEST(Canary, LossOnlyChangeIsCaughtInTheLoss) {
  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-loss-only", &report);
  expect_attributed(r, report, "fault", "loss-only", 0, "loss");
}

// A folder on a filesystem that does not sort its listings: tmpfs (/dev/shm) when there is
// one, else the temporary folder.
std::filesystem::path unsorted_filesystem_folder() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path();
}

// A folder under /dev/shm removed when the test ends.
TempFolder shm_folder() {
  std::string pattern = (unsorted_filesystem_folder() / "repro-canary-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern);
  }
  return TempFolder(pattern);
}

// Copies the files of FROM/SUB into TO/SUB in a fixed shuffled order, as a parallel copy
// tool would: neither creation order nor its reverse is the sorted order.
void copy_shuffled(const std::filesystem::path& from, const std::filesystem::path& to,
                   const std::string& sub) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(from / sub)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::mt19937 shuffle(12345);
  std::shuffle(files.begin(), files.end(), shuffle);
  std::filesystem::create_directories(to / sub);
  for (const auto& file : files) {
    std::filesystem::copy_file(file, to / sub / file.filename());
  }
}

TEST(Canary, DataOrderFromTheDirectoryListingIsAttributedToTheFault) {
  const TempFolder shm = shm_folder();
  // Export the synthetic pets (the suite's data, in Oxford layout), then copy them in a
  // shuffled file order: the folder the canary reads.
  nlohmann::json suite = committed_suite("canary-listing-order");
  nlohmann::json config = suite["workload"];
  config["format_version"] = 1;
  config["data"] = {{"source", "synthetic"}, {"count", 40}, {"image_size", 32}, {"seed", 7}};
  config["settings"].erase("fault");
  write_file_atomic(shm.path() / "config.json", config.dump(2));
  ProcessSpec spec;
  spec.program = test::worker_executable();
  spec.args = {"-q", "--export-data", (shm.path() / "export").string(), "--config",
               (shm.path() / "config.json").string()};
  spec.env = current_environment();
  spec.stderr_path = shm.path() / "export.err";
  ProcessResult exported = run_process(spec);
  ASSERT_EQ(exported.exit_code, 0) << file_tail(spec.stderr_path);
  const auto pets = shm.path() / "pets";
  copy_shuffled(shm.path() / "export", pets, "images");
  copy_shuffled(shm.path() / "export", pets, "annotations/trimaps");

  // The canary's premise: this folder's listing is not in sorted order.
  std::vector<std::string> listed;
  for (const auto& entry : std::filesystem::directory_iterator(pets / "images")) {
    listed.push_back(entry.path().filename().string());
  }
  ASSERT_FALSE(std::is_sorted(listed.begin(), listed.end()))
      << pets << " lists its files sorted: the listing-order canary cannot be planted here";

  ScratchProject project;
  nlohmann::json report;
  CliResult r = run_canary(project, "canary-listing-order", &report, {},
                           [&](nlohmann::json& s) { s["workload"]["data"]["path"] = pets; });
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  nlohmann::json a = test::attribution_of(report, "fault", "listing-order");
  ASSERT_TRUE(a.is_object()) << report.dump(2);
  EXPECT_EQ(a["breaks"], true) << a.dump(2);
  EXPECT_EQ(a["first_divergence"]["step"], 0) << a.dump(2);
  EXPECT_TRUE(starts_with(a["first_divergence"].value("tensor", ""), "batch")) << a.dump(2);
  EXPECT_EQ(report["repeatable"], true) << report.dump(2);
}

// Every suites/canary-*.json has its test above: a canary nobody asserts proves nothing.
TEST(Canary, EveryCanarySuiteHasATest) {
  const std::set<std::string> tested = {"canary-unseeded-dropout",
                                        "canary-unseeded-shuffle",
                                        "canary-listing-order",
                                        "canary-time-seeded-augment",
                                        "canary-random-order-reduction",
                                        "canary-ulp-flip-threads",
                                        "canary-late-fault",
                                        "canary-loss-only"};
  std::set<std::string> committed;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() / "suites")) {
    std::string name = entry.path().stem().string();
    if (starts_with(name, "canary-") && entry.path().extension() == ".json") {
      committed.insert(name);
    }
  }
  EXPECT_EQ(committed, tested);
}

}  // namespace
}  // namespace repro
