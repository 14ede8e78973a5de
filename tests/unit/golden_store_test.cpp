// Golden files: exact round trip, strict validation, lookup and bless.
#include "harness/verdict/golden_store.hpp"
#include "harness/verdict/golden_reader.hpp"
#include "harness/verdict/golden_writer.hpp"

#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

Fingerprint fingerprint(const std::string& blas_version = "OpenBLAS 0.3.21") {
  Fingerprint fp;
  fp.libtorch_version = "1.13.1";
  fp.blas_build = "openblas-pthread";
  fp.blas_version = blas_version;
  fp.blas_core = "SkylakeX";
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

GoldenFile sample(int steps = 2) {
  return make_golden("smoke", fingerprint(), runs(steps), "initial bless: ünïcode ok",
                     "2024-05-01T12:00:00Z");
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

TEST(GoldenFile, MakeGoldenKeepsEveryRanCellButTheRepeat) {
  GoldenFile g = sample();
  EXPECT_EQ(g.environment_class, environment_class(fingerprint()));
  ASSERT_EQ(g.cells.size(), 2u);
  EXPECT_TRUE(g.cells.count("blas=openblas-pthread,threads=1"));
  EXPECT_TRUE(g.cells.count("blas=openblas-pthread,threads=2"));
  EXPECT_EQ(g.cells.at("blas=openblas-pthread,threads=1").steps.size(), 2u);
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
  EXPECT_NE(text.find("\n          \"enc1.conv1.weight.grad\": \"" + d.hex() + "\",\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"cpu_capabilities_supported\": [\"default\", \"avx2\", \"avx512\"]"),
            std::string::npos);
  EXPECT_EQ(text.rfind("{\n  \"format_version\": 1,\n  \"suite\": \"smoke\",", 0), 0u);
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
    for (unsigned char flip : {0x01, 0x20, 0x80}) {
      std::string bad = text;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      Error e = rejection(bad);
      EXPECT_EQ(e.file(), "golden/smoke/x.json") << "byte " << i << " ^ " << int(flip);
    }
  }
}

TEST(GoldenFile, RejectsNewerAndOlderFormatsSeparately) {
  std::string text = serialize_golden(sample());
  Error newer = rejection(replace_once(text, "\"format_version\": 1", "\"format_version\": 2"));
  EXPECT_EQ(newer.field(), "format_version");
  EXPECT_NE(newer.message().find("too new"), std::string::npos) << newer.what();
  Error older = rejection(replace_once(text, "\"format_version\": 1", "\"format_version\": 0"));
  EXPECT_EQ(older.field(), "format_version");
  EXPECT_NE(older.message().find("too old"), std::string::npos) << older.what();
}

TEST(GoldenFile, NamesAMissingField) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "  \"reason\": \"initial bless: ünïcode ok\",\n", ""));
  EXPECT_EQ(e.field(), "reason");
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
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=1[0].tensors.loss");
  EXPECT_NE(e.message().find("malformed digest"), std::string::npos);
}

TEST(GoldenFile, RejectsDuplicateKeys) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "  \"suite\": \"smoke\",\n",
                                   "  \"suite\": \"smoke\",\n  \"suite\": \"other\",\n"));
  EXPECT_EQ(e.field(), "suite");
  EXPECT_NE(e.message().find("duplicate key"), std::string::npos);
}

TEST(GoldenFile, RejectsACellWithFewerSteps) {
  GoldenFile g = sample(3);
  g.cells.at("blas=openblas-pthread,threads=2").steps.pop_back();
  Error e = rejection(serialize_golden(g));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=2");
  EXPECT_NE(e.message().find("has 2 steps"), std::string::npos) << e.what();
}

TEST(GoldenFile, RejectsATamperedDigestThroughTheRoot) {
  GoldenFile g = sample();
  g.cells.at("blas=openblas-pthread,threads=1").steps[1].tensors[0].second = Digest{1, 2};
  Error e = rejection(serialize_golden(g));
  EXPECT_EQ(e.field(), "cells.blas=openblas-pthread,threads=1[1].root");
}

TEST(GoldenFile, RejectsAnEditThatKeepsTheJsonValid) {
  std::string text = serialize_golden(sample());
  Error e = rejection(replace_once(text, "initial bless", "initial blesS"));
  EXPECT_EQ(e.field(), "checksum");
  Error layout = rejection(replace_once(text, "\"suite\": \"smoke\"", "\"suite\":  \"smoke\""));
  EXPECT_EQ(layout.field(), "line 3");
}

TEST(GoldenFile, CompareWithGoldenFindsTheFirstDivergence) {
  GoldenCell cell = golden_cell_from_trace(make_trace(3));
  EXPECT_TRUE(compare_with_golden(cell, make_trace(3)).identical);
  Trace changed = make_trace(3);
  test::diverge(changed, 1, "enc1.bn1.running_mean");
  Comparison c = compare_with_golden(cell, changed);
  ASSERT_FALSE(c.identical);
  EXPECT_EQ(c.first_divergence->step, 1);
  EXPECT_EQ(c.first_divergence->tensor, "enc1.bn1.running_mean");
  EXPECT_EQ(c.first_divergence->kind, TensorKind::buffer);
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

TEST(GoldenStore, BlessReportsWhatChanged) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  GoldenFile g = sample();
  store.bless(g);
  GoldenFile next = g;
  next.cells.erase("blas=openblas-pthread,threads=2");
  next.cells["blas=atlas,threads=1"] = g.cells.at("blas=openblas-pthread,threads=1");
  Trace changed = make_trace(2);
  test::diverge(changed, 1, "loss");
  next.cells["blas=openblas-pthread,threads=1"] = golden_cell_from_trace(changed);
  BlessResult r = store.bless(next);
  EXPECT_TRUE(r.had_previous);
  EXPECT_EQ(r.added, std::vector<std::string>{"blas=atlas,threads=1"});
  EXPECT_EQ(r.removed, std::vector<std::string>{"blas=openblas-pthread,threads=2"});
  EXPECT_EQ(r.changed, std::vector<std::string>{"blas=openblas-pthread,threads=1"});
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
  std::vector<CellRun> now = runs();
  test::diverge(*now[1].trace, 1, "dec1.conv1.weight");  // the repeat drifted
  now.push_back(test::failed_run(make_cell({{"device", "gpu"}}), RunStatus::skipped, "no CUDA"));
  GoldenLookup r = store.lookup("smoke", fingerprint(), now);
  EXPECT_TRUE(r.found);
  EXPECT_EQ(r.cells.at(now[0].cell.id).status, GoldenStatus::match);
  EXPECT_EQ(r.cells.at(now[1].cell.id).status, GoldenStatus::mismatch);
  EXPECT_EQ(r.cells.at(now[1].cell.id).first_divergence->step, 1);
  EXPECT_EQ(r.cells.at(now[1].cell.id).first_divergence->tensor, "dec1.conv1.weight");
  EXPECT_EQ(r.cells.at(now[2].cell.id).status, GoldenStatus::missing);
  EXPECT_EQ(r.cells.count(now[3].cell.id), 0u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("repro-check bless --suite smoke"), std::string::npos);
}

TEST(GoldenStore, LookupWithoutGoldenNamesTheBlessCommandAndOtherClasses) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  store.bless(make_golden("smoke", fingerprint("OpenBLAS 0.3.26"), runs(), "other machine",
                          "2024-05-01T12:00:00Z"));
  GoldenLookup r = store.lookup("smoke", fingerprint(), runs());
  EXPECT_FALSE(r.found);
  for (const auto& [id, check] : r.cells) {
    EXPECT_EQ(check.status, GoldenStatus::missing) << id;
  }
  ASSERT_EQ(r.other_classes.size(), 1u);
  EXPECT_EQ(r.other_classes[0].differences,
            std::vector<std::string>{"blas_version: 0.3.26 -> 0.3.21"});
  ASSERT_EQ(r.notes.size(), 2u);
  EXPECT_NE(r.notes[0].find("run: repro-check bless --suite smoke"), std::string::npos);
  EXPECT_NE(r.notes[1].find("blas_version: 0.3.26 -> 0.3.21"), std::string::npos);
}

}  // namespace
}  // namespace repro
