// check_runs: verdicts, exit codes, golden handling and magnitudes, end to end.
#include "harness/verdict/check.hpp"
#include "harness/verdict/golden_gate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "harness/util/error.hpp"
#include "harness/verdict/remedy.hpp"
#include "tests/support/synthetic_traces.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

using test::make_cell;
using test::make_run;
using test::make_trace;

const Settings k_base = {{"device", "cpu"}, {"seed", "1"}, {"threads", "1"}};

Settings with(Settings s, const std::string& axis, const std::string& value) {
  s[axis] = value;
  return s;
}

Fingerprint fingerprint() {
  Fingerprint fp;
  fp.libtorch_version = "1.13.1";
  fp.blas_build = "openblas-pthread";
  fp.blas_version = "OpenBLAS 0.3.21";
  fp.cpu_capability = "avx2";
  fp.device = "cpu";
  return fp;
}

// An ofat run: baseline, repeat, threads=2, seed=2 (seed changes the batch), device=gpu.
CheckInput ofat_input() {
  CheckInput in;
  in.suite = "smoke";
  in.design = "ofat";
  in.fingerprint = fingerprint();
  Trace seed = make_trace(3);
  test::diverge(seed, 0, "batch.images", 7);
  in.runs = {make_run(make_cell(k_base, CellRole::baseline), make_trace(3)),
             make_run(make_cell(k_base, CellRole::repeat), make_trace(3)),
             make_run(make_cell(with(k_base, "threads", "2"), CellRole::variant, "threads"),
                      make_trace(3)),
             make_run(make_cell(with(k_base, "seed", "2"), CellRole::variant, "seed"), seed),
             test::failed_run(make_cell(with(k_base, "device", "gpu"), CellRole::variant, "device"),
                              RunStatus::skipped, "gpu: libtorch built without CUDA")};
  return in;
}

// Blesses every cell of `in` (its traces carry no fingerprint: in.fingerprint's class).
void bless_all(const GoldenStore& store, const CheckInput& in) {
  GoldenProvenance p;
  p.blessed_at = "2024-05-01T12:00:00Z";
  p.reason = "test";
  p.source = "run";
  for (const auto& g : make_goldens(in.suite, golden_candidates(in.runs, in.fingerprint), p)) {
    store.bless(g);
  }
}

CellRun& cell(CheckInput& in, const std::string& id) {
  for (auto& run : in.runs) {
    if (run.cell.id == id) {
      return run;
    }
  }
  throw std::runtime_error("no cell " + id);
}

const CellReport& cell(const RunReport& r, const std::string& id) {
  for (const auto& c : r.cells) {
    if (c.id == id) {
      return c;
    }
  }
  throw std::runtime_error("no cell " + id);
}

const std::string k_threads2 = "device=cpu,seed=1,threads=2";

TEST(CheckRuns, ReproducibleRunPassesAndSkipsDoNotFail) {
  RunReport r = check_runs(ofat_input());
  EXPECT_EQ(r.exit_code, k_exit_ok);
  EXPECT_TRUE(r.pass);
  EXPECT_EQ(r.repeatable, true);
  EXPECT_EQ(r.cells.size(), 5u);
  EXPECT_EQ(cell(r, "device=gpu,seed=1,threads=1").verdict, CellVerdict::skipped);
  EXPECT_EQ(cell(r, "device=gpu,seed=1,threads=1").reason, "gpu: libtorch built without CUDA");
  EXPECT_EQ(cell(r, k_threads2).verdict, CellVerdict::identical);
  EXPECT_EQ(cell(r, k_threads2).step_time_ms, 50.0);
  EXPECT_EQ(r.culprit, "");  // a seed that changes results is no culprit
  EXPECT_EQ(r.attribution[1].axis, "seed");
  EXPECT_TRUE(r.attribution[1].breaks);
  EXPECT_EQ(r.environment_class, environment_class(fingerprint()));
}

TEST(CheckRuns, RepeatThatDiffersFailsWithExit1) {
  CheckInput in = ofat_input();
  test::diverge(*cell(in, "device=cpu,seed=1,threads=1#repeat").trace, 1, "loss");
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_determinism_broken);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.repeatable, false);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].code, "not_reproducible");
  EXPECT_EQ(r.culprit.rfind("not reproducible under identical settings", 0), 0u) << r.culprit;
  EXPECT_EQ(cell(r, "device=cpu,seed=1,threads=1#repeat").failures.size(), 1u);
}

TEST(CheckRuns, BrokenInvariantAxisFailsWithExit1) {
  CheckInput in = ofat_input();
  in.invariant_axes = {"threads"};
  test::diverge(*cell(in, k_threads2).trace, 0, "enc1.conv1.weight.grad");
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_determinism_broken);
  const CellReport& c = cell(r, k_threads2);
  EXPECT_EQ(c.verdict, CellVerdict::diverged);
  EXPECT_EQ(c.first_divergence->step, 0);
  EXPECT_EQ(c.first_divergence->tensor, "enc1.conv1.weight.grad");
  ASSERT_EQ(c.failures.size(), 1u);
  EXPECT_NE(c.failures[0].find("declared invariant threads"), std::string::npos);
  ASSERT_EQ(r.attribution.size(), 2u);  // threads and seed; the skipped gpu cell takes no part
  EXPECT_TRUE(r.attribution[0].must_hold);
  EXPECT_EQ(r.culprit, "threads 1→2 breaks bit-equality at step 0 in enc1.conv1.weight.grad → " +
                           remedy_for_axis("threads"));
}

TEST(CheckRuns, DivergenceOnAnotherAxisIsReportedNotFailed) {
  CheckInput in = ofat_input();
  in.invariant_axes = {"seed"};
  cell(in, "device=cpu,seed=2,threads=1") =
      make_run(make_cell(with(k_base, "seed", "2"), CellRole::variant, "seed"), make_trace(3));
  test::diverge(*cell(in, k_threads2).trace, 2, "dec1.conv1.weight.grad");
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_ok);
  EXPECT_EQ(cell(r, k_threads2).verdict, CellVerdict::diverged);
  EXPECT_TRUE(cell(r, k_threads2).failures.empty());
  EXPECT_TRUE(r.attribution[0].breaks);
  EXPECT_FALSE(r.attribution[0].must_hold);
  EXPECT_EQ(r.culprit, "threads 1→2 breaks bit-equality at step 2 in dec1.conv1.weight.grad → " +
                           remedy_for_axis("threads"));
  bool seed_finding = false;
  for (const auto& f : r.findings) {
    seed_finding = seed_finding || f.code == "seed_no_effect";
  }
  EXPECT_TRUE(seed_finding);
}

TEST(CheckRuns, CrashedBaselineIsExit3) {
  CheckInput in = ofat_input();
  in.runs[0] = test::failed_run(in.runs[0].cell, RunStatus::crashed, "signal 11");
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_infrastructure);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.cells[0].verdict, CellVerdict::crashed);
  EXPECT_EQ(r.cells[1].verdict, CellVerdict::skipped);
  EXPECT_NE(r.cells[1].reason.find("baseline did not run"), std::string::npos);
  EXPECT_FALSE(r.repeatable.has_value());
  EXPECT_TRUE(r.attribution.empty());
  EXPECT_EQ(r.findings[0].code, "baseline_failed");
}

TEST(CheckRuns, CrashedVariantIsExit3AndRecorded) {
  CheckInput in = ofat_input();
  cell(in, k_threads2) =
      test::failed_run(cell(in, k_threads2).cell, RunStatus::timeout, "killed after 600 s");
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_infrastructure);
  EXPECT_EQ(cell(r, k_threads2).verdict, CellVerdict::timeout);
  EXPECT_EQ(r.repeatable, true);
}

TEST(CheckRuns, DeterminismFailureOutranksInfrastructure) {
  CheckInput in = ofat_input();
  test::diverge(*cell(in, "device=cpu,seed=1,threads=1#repeat").trace, 0, "loss");
  cell(in, k_threads2) = test::failed_run(cell(in, k_threads2).cell, RunStatus::crashed, "exit 3");
  EXPECT_EQ(check_runs(in).exit_code, k_exit_determinism_broken);
}

TEST(CheckRuns, NothingRanIsExit77) {
  CheckInput in = ofat_input();
  for (auto& run : in.runs) {
    run = test::failed_run(run.cell, RunStatus::skipped, "no CUDA device");
  }
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_nothing_ran);
  EXPECT_TRUE(r.pass);
}

TEST(CheckRuns, MagnitudesComeFromDumpsAndTheBaselineIsDumpedOnce) {
  CheckInput in = ofat_input();
  test::diverge(*cell(in, k_threads2).trace, 0, "enc1.conv1.weight.grad");
  test::diverge(*cell(in, "device=cpu,seed=1,threads=1#repeat").trace, 0, "enc1.conv1.weight.grad");
  test::FakeDumpProvider dumps;
  TensorDump base;
  base.tensors = {test::float_tensor("enc1.conv1.weight.grad", TensorKind::grad, {0.5f, 1.0f})};
  TensorDump moved;
  moved.tensors = {test::float_tensor("enc1.conv1.weight.grad", TensorKind::grad,
                                      {0.5f, std::nextafter(1.0f, 2.0f)})};
  dumps.set_dump(in.runs[0].cell.id, base);
  dumps.set_dump(k_threads2, moved);
  // The dumps reproduce what the traces recorded (a dump that does not is not measured).
  auto record = [](Trace& trace, const DumpedTensor& t) {
    for (auto& r : trace.steps[0].tensors) {
      if (r.name == t.name) {
        r.digest = digest_tensor(t.dtype, t.shape, t.bytes);
      }
    }
    test::refresh(trace);
  };
  record(*in.runs[0].trace, base.tensors[0]);
  record(*cell(in, k_threads2).trace, moved.tensors[0]);
  in.dumps = &dumps;
  RunReport r = check_runs(in);
  const FirstDivergence& fd = *cell(r, k_threads2).first_divergence;
  EXPECT_EQ(fd.max_ulp, 1u);
  EXPECT_EQ(fd.differing_elements, 1);
  EXPECT_NEAR(*fd.max_abs_diff, 1.19e-7, 1e-9);
  EXPECT_EQ(r.attribution[0].summary(),
            "threads 1→2 breaks bit-equality at step 0 in enc1.conv1.weight.grad (max |Δ| "
            "1.2e-07, 1 ULP)");
  // The repeat has no dump: its magnitude is missing with a reason, not an error.
  const FirstDivergence& repeat = *cell(r, "device=cpu,seed=1,threads=1#repeat").first_divergence;
  EXPECT_FALSE(repeat.max_abs_diff.has_value());
  EXPECT_NE(repeat.magnitude_note.find("no dump of"), std::string::npos);
  int baseline_requests = 0;
  for (const auto& [id, step] : dumps.requests()) {
    baseline_requests += id == in.runs[0].cell.id ? 1 : 0;
  }
  EXPECT_EQ(baseline_requests, 1);
}

TEST(CheckRuns, GoldenMatchAndMismatch) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  bless_all(store, in);
  in.golden = &store;
  RunReport same = check_runs(in);
  EXPECT_EQ(same.exit_code, k_exit_ok);
  EXPECT_TRUE(same.golden_found);
  EXPECT_EQ(same.cells[0].golden, GoldenStatus::match);
  EXPECT_FALSE(cell(same, "device=gpu,seed=1,threads=1").golden.has_value());

  // Every cell drifts the same way: identical to each other, not to the golden.
  for (auto& run : in.runs) {
    if (run.trace) {
      test::diverge(*run.trace, 1, "enc1.conv1.weight");
    }
  }
  RunReport drift = check_runs(in);
  EXPECT_EQ(drift.exit_code, k_exit_determinism_broken);
  EXPECT_EQ(drift.repeatable, true);
  EXPECT_EQ(drift.cells[0].verdict, CellVerdict::identical);
  EXPECT_EQ(drift.cells[0].golden, GoldenStatus::mismatch);
  EXPECT_EQ(drift.cells[0].golden_divergence->step, 1);
  EXPECT_EQ(drift.cells[0].golden_divergence->tensor, "enc1.conv1.weight");
  EXPECT_FALSE(drift.cells[0].failures.empty());
  EXPECT_EQ(drift.culprit.rfind("golden mismatch: baseline (device=cpu,seed=1,threads=1) differs "
                                "from its golden",
                                0),
            0u)
      << drift.culprit;
  EXPECT_EQ(drift.summary.front(), drift.culprit);
}

TEST(CheckRuns, AnAllowedDivergenceIsNeverTheHeadlineOfAFailure) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  // threads=2 diverges (allowed: threads is not declared invariant; blessed so), and the
  // seed=2 cell no longer matches its golden: the failure is the golden, not threads.
  test::diverge(*cell(in, "device=cpu,seed=1,threads=2").trace, 0, "enc1.conv1.weight.grad");
  bless_all(store, in);
  in.golden = &store;
  test::diverge(*cell(in, "device=cpu,seed=2,threads=1").trace, 1, "dec1.conv1.weight", 9);
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_determinism_broken);
  EXPECT_EQ(r.culprit.rfind("golden mismatch: seed=2", 0), 0u) << r.culprit;
  EXPECT_EQ(r.culprit.find("threads"), r.culprit.find("threads=1"));  // only in the cell id
  // Passing, the same divergence is the run's informational culprit.
  CheckInput pass = ofat_input();
  test::diverge(*cell(pass, "device=cpu,seed=1,threads=2").trace, 0, "enc1.conv1.weight.grad");
  RunReport ok = check_runs(pass);
  EXPECT_EQ(ok.exit_code, k_exit_ok);
  EXPECT_EQ(ok.culprit.rfind("threads 1→2 breaks bit-equality", 0), 0u) << ok.culprit;
}

TEST(CheckRuns, GateSkipsARunThatComparedNoGoldenAndRequiresPortableCells) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  in.golden = &store;
  RunReport r = check_runs(in);
  ASSERT_EQ(r.exit_code, k_exit_ok);
  EXPECT_EQ(r.golden_compared(), 0);
  bool said = false;
  for (const auto& line : r.summary) {
    said = said || line.rfind("no golden compared", 0) == 0;
  }
  EXPECT_TRUE(said);
  RunReport skipped = r;
  apply_golden_gate(skipped, {GoldenRequirement::none, true});
  EXPECT_EQ(skipped.exit_code, k_exit_nothing_ran);
  EXPECT_EQ(skipped.culprit.rfind("no golden compared", 0), 0u);
  // The OpenBLAS cells are CPU-specific: =portable does not require them ...
  RunReport portable = r;
  apply_golden_gate(portable, {GoldenRequirement::portable, false});
  EXPECT_EQ(portable.exit_code, k_exit_ok);
  // ... but a reference-BLAS cell is portable and must have its golden.
  Fingerprint reference = fingerprint();
  reference.blas_build = "reference";
  reference.blas_version = "3.11.0";
  cell(in, "device=cpu,seed=1,threads=2").trace->header.fingerprint = to_json(reference);
  RunReport required = check_runs(in);
  apply_golden_gate(required, {GoldenRequirement::portable, true});
  EXPECT_EQ(required.exit_code, k_exit_determinism_broken);
  EXPECT_EQ(required.culprit.rfind("threads=2: --require-golden=portable", 0), 0u)
      << required.culprit;
}

TEST(CheckRuns, MissingGoldenIsANoteUnlessRequired) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  in.golden = &store;
  RunReport r = check_runs(in);
  EXPECT_EQ(r.exit_code, k_exit_ok);
  EXPECT_FALSE(r.golden_found);
  EXPECT_EQ(r.cells[0].golden, GoldenStatus::missing);
  ASSERT_FALSE(r.golden_notes.empty());
  EXPECT_NE(r.golden_notes[0].find("repro-check bless --suite smoke --reason"), std::string::npos)
      << r.golden_notes[0];
  in.require_golden = true;
  EXPECT_EQ(check_runs(in).exit_code, k_exit_determinism_broken);
}

TEST(CheckRuns, TheBlessAdviceNamesTheRunsOverrides) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  in.golden = &store;
  in.bless_arguments = {"--axis", "worker=default,debian13", "--design", "full"};
  RunReport r = check_runs(in);
  ASSERT_FALSE(r.golden_notes.empty());
  EXPECT_NE(r.golden_notes[0].find("repro-check bless --suite smoke --axis "
                                   "worker=default,debian13 --design full --reason"),
            std::string::npos)
      << r.golden_notes[0];
}

TEST(CheckRuns, NoGoldenStoreMarksRanCellsMissing) {
  CheckInput in = ofat_input();
  RunReport r = check_runs(in);
  EXPECT_EQ(r.cells[0].golden, GoldenStatus::missing);
  in.require_golden = true;
  EXPECT_EQ(check_runs(in).exit_code, k_exit_determinism_broken);
}

TEST(CheckRuns, CorruptGoldenIsAnError) {
  test::TempDir dir;
  GoldenStore store(dir / "golden");
  CheckInput in = ofat_input();
  std::filesystem::path path =
      store.path_for("smoke", golden_class_name(golden_class_fields(in.fingerprint)));
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "{\"format_version\": 1, \"suite\": ";
  in.golden = &store;
  try {
    check_runs(in);
    FAIL() << "a corrupt golden was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), path.string());
  }
}

}  // namespace
}  // namespace repro
