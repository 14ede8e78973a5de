// Golden files: exact round trip, strict validation, lookup and bless.
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/golden_reader.hpp"
#include "harness/verdict/golden_writer.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

Fingerprint fingerprint(const std::string& blas_version = "OpenBLAS 0.3.21",
                        const std::string& core = "SkylakeX") {
  Fingerprint fp;
  fp.libtorch_version = "1.13.1";
  fp.blas_build = "openblas-pthread";
  fp.blas_version = blas_version;
  fp.blas_core = core;
  fp.cpu_capability = "avx2";
  fp.cpu_capabilities_supported = {"default", "avx2", "avx512"};
  fp.cpu_model = "Intel Xeon";
  fp.device = "cpu";
  fp.compiler = "GCC 12.2.0";
  fp.env = {{"OMP_NUM_THREADS", "1"}};
  return fp;
}

std::vector<CellRun> runs(int steps = 2) {
  Settings base = {{"blas", "openblas-pthread"}, {"threads", "1"}};
  Settings two = {{"blas", "openblas-pthread"}, {"threads", "2"}};
  Trace t2 = make_trace(steps);
  test::diverge(t2, 0, "enc1.conv1.weight.grad");
  return {make_run(make_cell(base, CellRole::baseline), make_trace(steps)),
          make_run(make_cell(base, CellRole::repeat), make_trace(steps)),
          make_run(make_cell(two, CellRole::variant, "threads"), t2)};
}

GoldenProvenance provenance(const std::string& reason = "initial bless: ünïcode ok") {
  GoldenProvenance p;
  p.blessed_at = "2024-05-01T12:00:00Z";
  p.reason = reason;
  p.commit = "9ab2714c0ffee9ab2714c0ffee9ab2714c0ffee0";
  p.source = "run";
  return p;
}

// Every run's trace carries `fp` and a workload config with `learning_rate`.
std::vector<CellRun> runs_with(const Fingerprint& fp, double learning_rate = 0.001, int steps = 2) {
  std::vector<CellRun> out = runs(steps);
  for (auto& run : out) {
    run.trace->header.fingerprint = to_json(fp);
    run.trace->header.config = {{"format_version", 1},
                                {"train", {{"learning_rate", learning_rate}, {"steps", steps}}}};
  }
  return out;
}

GoldenFile sample(int steps = 2) {
  auto files = make_goldens(
      "smoke", golden_candidates(runs_with(fingerprint(), 0.001, steps), fingerprint()),
      provenance());
  EXPECT_EQ(files.size(), 1u);
  return files.front();
}

// Runs parse_golden and returns the Error (fails the test if it does not throw).
Error rejection(const std::string& text, const std::string& file = "golden/smoke/x.json") {
  try {
    parse_golden(text, file);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return Error("", "", "");
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return pos == std::string::npos ? text : text.replace(pos, from.size(), to);
}

TEST(GoldenClass, OnlyOpenBlasCarriesItsCore) {
  Fingerprint fp = fingerprint();
  ClassFields openblas = golden_class_fields(fp);
  EXPECT_EQ(golden_class_name(openblas),
            "libtorch-1.13.1_openblas-pthread-0.3.21-skylakex_avx2_cpu");
  EXPECT_FALSE(golden_class_portable(openblas));
  fp.blas_build = "reference";
  fp.blas_version = "3.11.0";
  fp.blas_core = "SkylakeX";  // even if a probe reported one, the reference BLAS has none
  ClassFields reference = golden_class_fields(fp);
  EXPECT_EQ(golden_class_name(reference), "libtorch-1.13.1_reference-3.11.0_avx2_cpu");
  EXPECT_TRUE(golden_class_portable(reference));
  fp.blas_build = "blis";
  EXPECT_FALSE(golden_class_portable(golden_class_fields(fp)));  // BLIS picks kernels by CPU
  EXPECT_EQ(
      golden_class_differences(golden_class_fields(fingerprint("OpenBLAS 0.3.21", "Cooperlake")),
                               golden_class_fields(fingerprint("OpenBLAS 0.3.21", "Haswell"))),
      std::vector<std::string>{"blas_core Cooperlake→Haswell"});
}

TEST(GoldenConfig, NamesEveryChangedField) {
  nlohmann::json a = {{"format_version", 1}, {"train", {{"learning_rate", 0.001}, {"steps", 3}}}};
  nlohmann::json b = {{"format_version", 1},
                      {"train", {{"learning_rate", 0.002}, {"steps", 3}}},
                      {"eval", {{"enabled", true}}}};
  ConfigFields fa = flatten_config(a);
  ASSERT_EQ(fa.size(), 2u);
  EXPECT_EQ(fa[0], (std::pair<std::string, std::string>{"train.learning_rate", "0.001"}));
  EXPECT_EQ(config_changes(fa, flatten_config(b)),
            (std::vector<std::string>{"eval.enabled (absent) → true",
                                      "train.learning_rate 0.001 → 0.002"}));
  EXPECT_NE(config_hash(fa), config_hash(flatten_config(b)));
  EXPECT_EQ(config_hash(fa), config_hash(flatten_config(a)));
}

TEST(GoldenFile, MakeGoldensKeepsEveryRanCellButTheRepeat) {
  GoldenFile g = sample();
  EXPECT_EQ(g.environment_class, golden_class_name(golden_class_fields(fingerprint())));
  ASSERT_EQ(g.cells.size(), 2u);
  const GoldenCell& base = g.cells.at("blas=openblas-pthread,threads=1");
  EXPECT_EQ(base.steps.size(), 2u);
  EXPECT_EQ(base.provenance.reason, "initial bless: ünïcode ok");
  EXPECT_EQ(base.provenance.fingerprint, fingerprint());
  EXPECT_EQ(base.config.size(), 2u);
  EXPECT_TRUE(g.cells.count("blas=openblas-pthread,threads=2"));
}

TEST(GoldenFile, SplitsCellsByTheirOwnClass) {
  std::vector<CellRun> r = runs_with(fingerprint());
  Fingerprint reference = fingerprint("3.11.0");
  reference.blas_build = "reference";
  reference.blas_core = "";
  r[2].trace->header.fingerprint = to_json(reference);
  auto files = make_goldens("pr", golden_candidates(r, fingerprint()), provenance());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].environment_class,
            "libtorch-1.13.1_openblas-pthread-0.3.21-skylakex_avx2_cpu");
  EXPECT_EQ(files[0].cells.size(), 1u);
  EXPECT_EQ(files[1].environment_class, "libtorch-1.13.1_reference-3.11.0_avx2_cpu");
  EXPECT_EQ(files[1].cells.count("blas=openblas-pthread,threads=2"), 1u);
}

TEST(GoldenFile, RoundTripsExactly) {
  GoldenFile g = sample();
  std::string text = serialize_golden(g);
  GoldenFile back = parse_golden(text, "g.json");
  EXPECT_EQ(back, g);
  EXPECT_EQ(serialize_golden(back), text);
}

TEST(GoldenFile, ReadsAsAStoryInADiff) {
  GoldenFile g = sample();
  std::string text = serialize_golden(g);
  Digest d = g.cells.at("blas=openblas-pthread,threads=1").steps[1].tensors[4].second;
  EXPECT_NE(text.find("\n            \"enc1.conv1.weight.grad\": \"" + d.hex() + "\",\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"cpu_capabilities_supported\": [\"default\", \"avx2\", \"avx512\"]"),
            std::string::npos);
  EXPECT_NE(text.find("\n        \"train.learning_rate\": 0.001,\n"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("{\n  \"format_version\": 2,\n  \"suite\": \"smoke\",", 0), 0u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("ünïcode"), std::string::npos);  // UTF-8 as written, not \u escapes
}

TEST(GoldenFile, RejectsEveryTruncation) {
  std::string text = serialize_golden(sample(1));
  for (size_t n = 0; n < text.size(); ++n) {
    Error e = rejection(text.substr(0, n));
    EXPECT_EQ(e.file(), "golden/smoke/x.json") << "truncated to " << n;
  }
}

TEST(GoldenFile, RejectsEveryByteCorruption) {
  std::string text = serialize_golden(sample(1));
  for (size_t i = 0; i < text.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80}) {
      std::string bad = text;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      Error e = rejection(bad);
      EXPECT_EQ(e.file(), "golden/smoke/x.json") << "byte " << i << " ^ " << int(flip);
    }
  }
}

TEST(GoldenFile, RejectsNewerFormatsAndNamesTheOldOneTooOld) {
  std::string text = serialize_golden(sample());
  Error newer = rejection(replace_once(text, "\"format_version\": 2", "\"format_version\": 3"));
  EXPECT_EQ(newer.field(), "format_version");
  EXPECT_NE(newer.message().find("too new"), std::string::npos) << newer.what();
  Error older = rejection(replace_once(text, "\"format_version\": 2", "\"format_version\": 1"));
  EXPECT_EQ(older.field(), "format_version");
  EXPECT_NE(older.message().find("golden format 1 is too old"), std::string::npos) << older.what();
  EXPECT_NE(older.message().find("repro-check bless --suite smoke"), std::string::npos)
      << older.what();
}

TEST(GoldenFile, NamesAMissingField) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "\"reason\": \"initial bless: ünïcode ok\",\n", ""));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=1.provenance.reason");
  EXPECT_NE(e.message().find("missing"), std::string::npos);
}

TEST(GoldenFile, NamesMalformedHex) {
  GoldenFile g = sample();
  std::string text = serialize_golden(g);
  Digest d = g.cells.at("blas=openblas-pthread,threads=1").steps[0].tensors[3].second;
  std::string upper = d.hex();
  for (auto& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  upper[0] = 'Z';
  Error e = rejection(replace_once(text, d.hex(), upper));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=1.steps[0].tensors.loss");
  EXPECT_NE(e.message().find("malformed digest"), std::string::npos);
}

TEST(GoldenFile, RejectsDuplicateKeys) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "  \"suite\": \"smoke\",\n",
                                   "  \"suite\": \"smoke\",\n  \"suite\": \"other\",\n"));
  EXPECT_EQ(e.field(), "suite");
  EXPECT_NE(e.message().find("duplicate key"), std::string::npos);
}

TEST(GoldenFile, RejectsATamperedDigestThroughTheRoot) {
  GoldenFile g = sample();
  g.cells.at("blas=openblas-pthread,threads=1").steps[1].tensors[0].second = Digest{1, 2};
  Error e = rejection(serialize_golden(g));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=1.steps[1].root");
}

TEST(GoldenFile, RejectsACellOfAnotherClass) {
  GoldenFile g = sample();
  g.cells.at("blas=openblas-pthread,threads=2").provenance.fingerprint.blas_core = "Haswell";
  Error e = rejection(serialize_golden(g));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=2.provenance.fingerprint");
}

TEST(GoldenFile, RejectsAnEditThatKeepsTheJsonValid) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "initial bless", "initial blesS"));
  EXPECT_EQ(e.field(), "checksum");
  Error layout = rejection(replace_once(text, "\"suite\": \"smoke\"", "\"suite\":  \"smoke\""));
  EXPECT_EQ(layout.field(), "line 3");
}

TEST(GoldenFile, CompareWithGoldenFindsTheFirstDivergence) {
  GoldenCell cell = golden_cell_from_trace(make_trace(3), fingerprint());
  EXPECT_TRUE(compare_with_golden(cell, make_trace(3)).identical);
  Trace changed = make_trace(3);
  test::diverge(changed, 1, "enc1.bn1.running_mean");
  Comparison c = compare_with_golden(cell, changed);
  ASSERT_FALSE(c.identical);
  EXPECT_EQ(c.first_divergence->step, 1);
  EXPECT_EQ(c.first_divergence->tensor, "enc1.bn1.running_mean");
  EXPECT_EQ(c.first_divergence->kind, TensorKind::buffer);
}

TEST(GoldenFile, LossFromBits) {
  EXPECT_EQ(loss_from_bits("3f800000"), 1.0);
  EXPECT_EQ(loss_from_bits("3ff0000000000000"), 1.0);
  EXPECT_FALSE(loss_from_bits("3f80").has_value());
  EXPECT_FALSE(loss_from_bits("3f80000g").has_value());
}

TEST(GoldenStore, BlessThenLoadRoundTrips) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  BlessResult r = store.bless(g);
  EXPECT_EQ(r.path, dir / "golden" / "smoke" / (g.environment_class + ".json"));
  EXPECT_FALSE(r.had_previous);
  EXPECT_EQ(r.added.size(), 2u);
  std::optional<GoldenFile> back = store.load("smoke", g.environment_class);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, g);
  EXPECT_EQ(store.environment_classes("smoke"), std::vector<std::string>{g.environment_class});
  EXPECT_FALSE(store.load("smoke", "other-class").has_value());
}

TEST(GoldenStore, BlessAddsAndReplacesCellsWithoutDroppingOthers) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  store.bless(g);
  GoldenFile next = g;
  next.cells.erase("blas=openblas-pthread,threads=2");
  next.cells["blas=atlas,threads=1"] = g.cells.at("blas=openblas-pthread,threads=1");
  Trace changed = make_trace(2);
  test::diverge(changed, 1, "loss");
  next.cells["blas=openblas-pthread,threads=1"] = golden_cell_from_trace(changed, fingerprint());
  next.cells["blas=openblas-pthread,threads=1"].provenance = provenance("second");
  next.cells["blas=openblas-pthread,threads=1"].provenance.fingerprint = fingerprint();
  BlessResult r = store.bless(next);
  EXPECT_TRUE(r.had_previous);
  EXPECT_EQ(r.added, std::vector<std::string>{"blas=atlas,threads=1"});
  EXPECT_EQ(r.kept, std::vector<std::string>{"blas=openblas-pthread,threads=2"});
  EXPECT_EQ(r.changed, std::vector<std::string>{"blas=openblas-pthread,threads=1"});
  GoldenFile back = *store.load("smoke", g.environment_class);
  EXPECT_EQ(back.cells.size(), 3u);
  EXPECT_EQ(back.cells.at("blas=openblas-pthread,threads=2"),
            g.cells.at("blas=openblas-pthread,threads=2"));
  EXPECT_EQ(back.cells.at("blas=openblas-pthread,threads=1").provenance.reason, "second");
}

TEST(GoldenStore, CorruptGoldenIsNeverOverwritten) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  std::filesystem::path path = store.bless(g).path;
  std::string corrupt = read_file(path).substr(0, 100);
  write_file_atomic(path, corrupt);
  EXPECT_THROW(store.load("smoke", g.environment_class), Error);
  EXPECT_THROW(store.lookup("smoke", fingerprint(), runs()), Error);
  EXPECT_THROW(store.bless(g), Error);
  EXPECT_EQ(read_file(path), corrupt);
  BlessResult r = store.bless(g, /*replace_corrupt=*/true);
  EXPECT_TRUE(r.replaced_corrupt);
  EXPECT_EQ(*store.load("smoke", g.environment_class), g);
}

TEST(GoldenStore, LoadRejectsAGoldenFiledUnderTheWrongName) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  std::filesystem::path path = store.bless(g).path;
  std::filesystem::create_directories(dir / "golden" / "pr");
  std::filesystem::copy_file(path, dir / "golden" / "pr" / path.filename());
  try {
    store.load("pr", g.environment_class);
    FAIL() << "accepted a smoke golden as pr";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "suite");
    EXPECT_NE(e.file().find("pr"), std::string::npos);
  }
}

TEST(GoldenStore, RejectsNamesThatEscapeTheDirectory) {
  GoldenStore store("golden");
  EXPECT_THROW(store.path_for("../etc", "x"), Error);
  EXPECT_THROW(store.path_for("smoke", ""), Error);
  EXPECT_THROW(store.path_for("a/b", "x"), Error);
}

TEST(GoldenStore, LookupSaysMatchMismatchAndMissing) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  g.cells.erase("blas=openblas-pthread,threads=2");
  store.bless(g);
  std::vector<CellRun> now = runs_with(fingerprint());
  test::diverge(*now[1].trace, 1, "dec1.conv1.weight");  // the repeat drifted
  now.push_back(test::failed_run(make_cell({{"device", "gpu"}}), RunStatus::skipped, "no CUDA"));
  GoldenLookup r = store.lookup("smoke", fingerprint(), now);
  EXPECT_EQ(r.cells.at(now[0].cell.id).status, GoldenStatus::match);
  const GoldenCellCheck& drift = r.cells.at(now[1].cell.id);
  EXPECT_EQ(drift.status, GoldenStatus::mismatch);
  EXPECT_EQ(drift.first_divergence->step, 1);
  EXPECT_EQ(drift.first_divergence->tensor, "dec1.conv1.weight");
  EXPECT_TRUE(drift.config_changes.empty());
  EXPECT_NE(drift.detail.find("same workload and fingerprint"), std::string::npos) << drift.detail;
  EXPECT_EQ(drift.accept_command,
            "repro-check bless --suite smoke --axis blas=openblas-pthread --axis threads=1 "
            "--reason \"...\"");
  EXPECT_EQ(r.cells.at(now[2].cell.id).status, GoldenStatus::missing);
  EXPECT_EQ(r.cells.count(now[3].cell.id), 0u);
  EXPECT_NE(r.cells.at(now[2].cell.id).accept_command.find("repro-check bless --suite smoke"),
            std::string::npos);
}

TEST(GoldenStore, MismatchNamesTheChangedWorkloadFieldAndTheLoss) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  store.bless(sample());
  std::vector<CellRun> now = runs_with(fingerprint(), 0.002);
  for (auto& run : now) {
    test::diverge(*run.trace, 0, "loss");
  }
  GoldenLookup r = store.lookup("smoke", fingerprint(), now);
  const GoldenCellCheck& c = r.cells.at(now[0].cell.id);
  ASSERT_EQ(c.status, GoldenStatus::mismatch);
  EXPECT_EQ(c.config_changes, std::vector<std::string>{"train.learning_rate 0.001 → 0.002"});
  EXPECT_EQ(c.loss_text.rfind("loss at step 0: golden ", 0), 0u) << c.loss_text;
  EXPECT_NE(c.detail.find("at step 0 in loss"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("train.learning_rate 0.001 → 0.002"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("to accept: repro-check bless --suite smoke"), std::string::npos);
}

TEST(GoldenStore, EachCellIsLookedUpUnderItsOwnClass) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  Fingerprint reference = fingerprint("3.11.0", "");
  reference.blas_build = "reference";
  std::vector<CellRun> r = runs_with(fingerprint("OpenBLAS 0.3.21", "Cooperlake"));
  r[2].trace->header.fingerprint = to_json(reference);
  for (const auto& g : make_goldens("pr", golden_candidates(r, Fingerprint{}), provenance())) {
    store.bless(g);
  }
  // Another CPU: OpenBLAS picks Haswell kernels; the reference BLAS cell is the same class.
  std::vector<CellRun> here = runs_with(fingerprint("OpenBLAS 0.3.21", "Haswell"));
  here[2].trace->header.fingerprint = to_json(reference);
  test::diverge(*here[0].trace, 0, "enc1.conv1.weight.grad");
  GoldenLookup l = store.lookup("pr", Fingerprint{}, here);
  const GoldenCellCheck& ref = l.cells.at(here[2].cell.id);
  EXPECT_EQ(ref.status, GoldenStatus::match);
  EXPECT_TRUE(ref.portable);
  const GoldenCellCheck& base = l.cells.at(here[0].cell.id);
  EXPECT_EQ(base.status, GoldenStatus::missing);
  EXPECT_FALSE(base.portable);
  ASSERT_EQ(base.cross_class.size(), 1u);
  EXPECT_FALSE(base.cross_class[0].identical);
  EXPECT_EQ(base.detail,
            "no golden for class libtorch-1.13.1_openblas-pthread-0.3.21-haswell_avx2_cpu; against "
            "class libtorch-1.13.1_openblas-pthread-0.3.21-cooperlake_avx2_cpu (differs in "
            "blas_core Cooperlake→Haswell): diverged at step 0 in enc1.conv1.weight.grad");
  const GoldenCellCheck& repeat = l.cells.at(here[1].cell.id);
  ASSERT_EQ(repeat.cross_class.size(), 1u);
  EXPECT_TRUE(repeat.cross_class[0].identical);
  EXPECT_NE(repeat.detail.find("(differs in blas_core Cooperlake→Haswell): identical"),
            std::string::npos)
      << repeat.detail;
}

}  // namespace
}  // namespace repro
