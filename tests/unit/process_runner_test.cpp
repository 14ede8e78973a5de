// ProcessRunner against small fake workers (shell scripts spawned directly by path, no shell
// in between): every way a worker can end becomes a CellRun status.
#include "harness/run/process_runner.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/run/progress_printer.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/process_probe.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

Fingerprint cpu_fingerprint() {
  Fingerprint fp;
  fp.libtorch_version = "1.13.1";
  fp.blas_build = "openblas-pthread";
  fp.cpu_capability = "avx2";
  fp.device = "cpu";
  return fp;
}

// A complete two-step trace at `path`, with timings 5 and 7 ms.
void write_trace(const std::filesystem::path& path, const Fingerprint& fp, bool finish = true) {
  TraceWriter writer(path);
  TraceHeader header;
  header.producer = "fake-worker";
  header.fingerprint = to_json(fp);
  writer.write_header(header);
  for (int step = 0; step < 2; ++step) {
    StepRecord s;
    s.step = step;
    s.loss_bits = "3f800000";
    s.loss_value = 1.0;
    s.batch_ids = {"Abyssinian_1"};
    std::byte b{static_cast<unsigned char>(step)};
    s.tensors = {{"w", TensorKind::param, digest_bytes(std::span<const std::byte>(&b, 1))}};
    s.root = compute_root(s);
    writer.write_step(s);
    writer.write_timing(step, step == 0 ? 5.0 : 7.0);
  }
  if (finish) {
    writer.finish(2);
  }
}

struct ProcessRunnerTest : ::testing::Test {
  // Writes an executable /bin/sh script; argv: --config C --trace T [--dump-step K --dump-dir D].
  std::filesystem::path script(const std::string& name, const std::string& body) {
    auto path = m_dir / "workers" / name;
    write_file_atomic(path, "#!/bin/sh\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }

  ProcessRunnerOptions options(const std::filesystem::path& worker) {
    ProcessRunnerOptions o;
    o.workload.train.steps = 2;
    o.launch.default_worker = worker;
    o.launch.parent_env = {{"PATH", "/usr/bin:/bin"}, {"NOT_FOR_WORKERS", "1"}};
    o.launch.blas = BlasLocator({m_dir / "lib"});
    o.run_dir = m_dir / "run";
    o.jobs = 2;
    o.cell_timeout = std::chrono::seconds(20);
    return o;
  }

  static Cell cell(const std::string& id, Settings settings = {{"threads", "1"}}) {
    Cell c;
    c.id = id;
    c.settings = std::move(settings);
    return c;
  }

  CellRun run_one(const std::filesystem::path& worker, Cell c = cell("threads=1")) {
    ProcessRunner runner(options(worker));
    auto runs = runner.run({c}, nullptr);
    EXPECT_EQ(runs.size(), 1u);
    return runs.at(0);
  }

  test::TempDir m_dir;
};

TEST_F(ProcessRunnerTest, RunsACellWithItsConfigAndExplicitEnvironment) {
  write_trace(m_dir / "fixture/trace.jsonl", cpu_fingerprint());
  auto worker = script("ok", "env > \"$(dirname \"$4\")/env.txt\"\ncp \"" +
                                 (m_dir / "fixture/trace.jsonl").string() + "\" \"$4\"");
  ProcessRunner runner(options(worker));
  auto runs = runner.run({cell("seed=5,threads=2", {{"seed", "5"}, {"threads", "2"}})}, nullptr);
  ASSERT_EQ(runs.size(), 1u);
  const CellRun& run = runs[0];
  EXPECT_EQ(run.status, RunStatus::ran) << run.reason;
  ASSERT_TRUE(run.trace.has_value());
  EXPECT_EQ(run.trace->steps.size(), 2u);
  EXPECT_DOUBLE_EQ(run.step_time_ms, 6.0);
  EXPECT_GT(run.wall_seconds, 0.0);

  auto dir = m_dir / "run/00-seed=5_threads=2";
  EXPECT_EQ(runner.cell_dir(runs[0].cell), dir);
  EXPECT_EQ(run.trace_path, dir / "trace.jsonl");
  WorkerConfig config = read_worker_config((dir / "config.json").string());
  EXPECT_EQ(config.train.seed, 5u);
  EXPECT_EQ(config.settings.threads, 2);
  EXPECT_EQ(config.train.steps, 2);
  std::string env = read_file(dir / "env.txt");
  EXPECT_NE(env.find("OMP_NUM_THREADS=2\n"), std::string::npos) << env;
  EXPECT_NE(env.find("BLIS_NUM_THREADS=2\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("NOT_FOR_WORKERS"), std::string::npos) << env;
  EXPECT_EQ(env.find("ATEN_CPU_CAPABILITY"), std::string::npos) << env;
}

TEST_F(ProcessRunnerTest, NonZeroExitIsACrashWithTheStderrTail) {
  auto run = run_one(script("crash", "echo loading >&2\necho 'boom: no kernel' >&2\nexit 3"));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("exit 3"), std::string::npos) << run.reason;
  EXPECT_NE(run.reason.find("runtime failure"), std::string::npos) << run.reason;
  EXPECT_NE(run.reason.find("boom: no kernel"), std::string::npos) << run.reason;
}

TEST_F(ProcessRunnerTest, SignalIsACrash) {
  auto run = run_one(script("segv", "kill -SEGV $$"));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("signal 11"), std::string::npos) << run.reason;
}

TEST_F(ProcessRunnerTest, TimeLimitKillsTheWorker) {
  auto o = options(script("hang", "echo started >&2\nsleep 30"));
  o.cell_timeout = std::chrono::milliseconds(300);
  ProcessRunner runner(o);
  auto start = std::chrono::steady_clock::now();
  auto runs = runner.run({cell("threads=1")}, nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(runs[0].status, RunStatus::timeout);
  EXPECT_NE(runs[0].reason.find("cell_timeout_s"), std::string::npos) << runs[0].reason;
}

TEST_F(ProcessRunnerTest, Exit77IsASkipWithTheWorkersReason) {
  auto run = run_one(script("skip", "echo 'skip: no CUDA device' >&2\nexit 77"));
  EXPECT_EQ(run.status, RunStatus::skipped);
  EXPECT_EQ(run.reason, "no CUDA device");
}

TEST_F(ProcessRunnerTest, UnavailableCellsStartNoWorker) {
  auto marker = m_dir / "started";
  auto o = options(script("touch", "touch \"" + marker.string() + "\"\nexit 3"));
  o.skip_reason = [](const Cell& c) -> std::optional<std::string> {
    if (c.settings.at("device") == "gpu") {
      return "device=gpu: libtorch built without CUDA";
    }
    return std::nullopt;
  };
  ProcessRunner runner(o);
  auto runs = runner.run({cell("device=gpu", {{"device", "gpu"}})}, nullptr);
  EXPECT_EQ(runs[0].status, RunStatus::skipped);
  EXPECT_EQ(runs[0].reason, "device=gpu: libtorch built without CUDA");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(ProcessRunnerTest, MissingOrIncompleteTraceIsACrash) {
  auto run = run_one(script("silent", "exit 0"));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("no trace"), std::string::npos) << run.reason;

  write_trace(m_dir / "fixture/torn.jsonl", cpu_fingerprint(), /*finish=*/false);
  run = run_one(
      script("torn", "cp \"" + (m_dir / "fixture/torn.jsonl.partial").string() + "\" \"$4\""));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("no end record"), std::string::npos) << run.reason;
  ASSERT_TRUE(run.trace.has_value());
  EXPECT_FALSE(run.trace->complete);

  run = run_one(script("garbage", "echo 'not json' > \"$4\""));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("trace unreadable"), std::string::npos) << run.reason;
}

TEST_F(ProcessRunnerTest, CrashKeepsThePartialTrace) {
  write_trace(m_dir / "fixture/torn.jsonl", cpu_fingerprint(), /*finish=*/false);
  auto run = run_one(script("dies", "cp \"" + (m_dir / "fixture/torn.jsonl.partial").string() +
                                        "\" \"$4.partial\"\nexit 3"));
  EXPECT_EQ(run.status, RunStatus::crashed);
  ASSERT_TRUE(run.trace.has_value());
  EXPECT_EQ(run.trace->steps.size(), 2u);
}

TEST_F(ProcessRunnerTest, WorkerThatCannotStartIsACrash) {
  auto run = run_one(m_dir / "workers/does-not-exist");
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("could not start"), std::string::npos) << run.reason;
}

TEST_F(ProcessRunnerTest, WorkerThatIsNotExecutableIsACrashSayingSo) {
  auto worker = m_dir / "workers" / "plain-file";
  write_file_atomic(worker, "#!/bin/sh\nexit 0\n");
  auto run = run_one(worker);
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("not executable"), std::string::npos) << run.reason;
  auto folder = run_one(m_dir / "workers");
  EXPECT_NE(folder.reason.find("not a regular file"), std::string::npos) << folder.reason;
}

using test::is_dead;
using test::wait_for_pid;

TEST_F(ProcessRunnerTest, TimeOutAlsoKillsWhatTheWorkerDaemonized) {
  enable_orphan_reaping();  // as repro-check does
  auto pid_file = m_dir / "daemon.pid";
  // The daemon leaves the worker's process group and session (setsid), out of reach of a
  // kill of the group; the worker itself then hangs until the time limit.
  auto o =
      options(script("daemonizer", "setsid sh -c 'echo $$ > \"" + pid_file.string() +
                                       "\"; exec sleep 60' </dev/null >/dev/null 2>&1 &\n"
                                       "while [ ! -s \"" +
                                       pid_file.string() + "\" ]; do sleep 0.02; done\nsleep 60"));
  o.cell_timeout = std::chrono::milliseconds(1500);
  ProcessRunner runner(o);
  auto runs = runner.run({cell("threads=1")}, nullptr);
  EXPECT_EQ(runs[0].status, RunStatus::timeout);
  pid_t daemon = wait_for_pid(pid_file);
  ASSERT_GT(daemon, 0);
  EXPECT_TRUE(is_dead(daemon)) << "the daemonized grandchild " << daemon << " outlived the run";
  if (!is_dead(daemon)) {
    ::kill(daemon, SIGKILL);
  }
}

TEST_F(ProcessRunnerTest, SettingsThatDidNotTakeEffectAreACrash) {
  write_file_atomic(m_dir / "lib/atlas/libblas.so.3", "");
  write_trace(m_dir / "fixture/trace.jsonl", cpu_fingerprint());  // loaded openblas-pthread
  auto worker = script("ok", "cp \"" + (m_dir / "fixture/trace.jsonl").string() + "\" \"$4\"");
  auto run = run_one(worker, cell("blas=atlas", {{"blas", "atlas"}}));
  EXPECT_EQ(run.status, RunStatus::crashed);
  EXPECT_NE(run.reason.find("asked for blas=atlas"), std::string::npos) << run.reason;
}

TEST_F(ProcessRunnerTest, RunsJobsInParallelAndReportsProgress) {
  write_trace(m_dir / "fixture/trace.jsonl", cpu_fingerprint());
  auto worker =
      script("slow", "sleep 1\ncp \"" + (m_dir / "fixture/trace.jsonl").string() + "\" \"$4\"");
  ProcessRunner runner(options(worker));
  std::vector<RunProgress> seen;
  auto start = std::chrono::steady_clock::now();
  auto runs = runner.run({cell("seed=1", {{"seed", "1"}}), cell("seed=2", {{"seed", "2"}})},
                         [&](const RunProgress& p) { seen.push_back(p); });
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(1900)) << "two 1 s workers with --jobs 2";
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].cell.id, "seed=1");
  EXPECT_EQ(runs[1].cell.id, "seed=2");
  ASSERT_EQ(seen.size(), 4u);  // two starts, two finishes
  EXPECT_EQ(seen[1].running, 2u);
  EXPECT_EQ(seen.back().done, 2u);
  EXPECT_EQ(seen.back().left(), 0u);
  EXPECT_NE(seen.back().finished, nullptr);
}

TEST_F(ProcessRunnerTest, CancellationKillsRunningWorkersAndStartsNoMore) {
  auto o = options(script("hang", "sleep 30"));
  o.jobs = 1;
  bool cancel = false;
  o.cancelled = [&cancel] { return cancel; };
  ProcessRunner runner(o);
  auto start = std::chrono::steady_clock::now();
  auto runs = runner.run({cell("seed=1", {{"seed", "1"}}), cell("seed=2", {{"seed", "2"}})},
                         [&cancel](const RunProgress& p) { cancel = cancel || p.running > 0; });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, RunStatus::not_run);
  }
  EXPECT_EQ(runs[0].reason, "interrupted while running (worker killed)");
  EXPECT_EQ(runs[1].reason, "interrupted before it started");
  EXPECT_EQ(runs[1].cell.id, "seed=2");
  std::string error;
  EXPECT_FALSE(runner.dump(cell("seed=1", {{"seed", "1"}}), 0, &error).has_value());
  EXPECT_NE(error.find("interrupted"), std::string::npos) << error;
}

TEST_F(ProcessRunnerTest, DumpRerunsTheWorkerOnceAndReadsTheDump) {
  TensorDump fixture;
  fixture.step = 1;
  float values[2] = {1.0f, 2.0f};
  DumpedTensor t;
  t.name = "w";
  t.dtype = "float32";
  t.shape = {2};
  t.bytes.resize(sizeof values);
  std::memcpy(t.bytes.data(), values, sizeof values);
  fixture.tensors.push_back(t);
  write_tensor_dump(m_dir / "fixture/dump", fixture);
  auto count = m_dir / "count";
  // argv: --config C --trace T --dump-step K --dump-dir D --stop-after-dump
  auto worker = script("dump", "echo x >> \"" + count.string() +
                                   "\"\n[ \"$5\" = --dump-step ] && [ \"$9\" = --stop-after-dump ] "
                                   "|| exit 2\ncp \"" +
                                   (m_dir / "fixture/dump").string() + "\"/* \"$8\"/");
  ProcessRunner runner(options(worker));
  std::string error;
  auto dump = runner.dump(cell("seed=1", {{"seed", "1"}}), 1, &error);
  ASSERT_TRUE(dump.has_value()) << error;
  ASSERT_NE(dump->find("w"), nullptr);
  EXPECT_EQ(dump->find("w")->bytes, t.bytes);
  EXPECT_TRUE(runner.dump(cell("seed=1", {{"seed", "1"}}), 1, &error).has_value());
  EXPECT_EQ(read_file(count), "x\n");

  ProcessRunner failing(options(script("nodump", "echo 'bad step' >&2\nexit 2")));
  EXPECT_FALSE(failing.dump(cell("seed=1", {{"seed", "1"}}), 1, &error).has_value());
  EXPECT_NE(error.find("bad step"), std::string::npos) << error;
}

TEST(ProcessRunner, RunDirectoriesAreUniqueAndNamedByUtcTime) {
  test::TempDir dir;
  auto when = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
  auto a = create_run_directory(dir.path(), "smoke", when);
  auto b = create_run_directory(dir.path(), "smoke", when);
  EXPECT_EQ(a, dir / ".repro/runs/20231114T221320Z-smoke");
  EXPECT_EQ(b, dir / ".repro/runs/20231114T221320Z-smoke-2");
}

TEST(ProcessRunner, SanitizesCellIds) {
  EXPECT_EQ(sanitize_cell_id("blas=atlas,threads=2#repeat"), "blas=atlas_threads=2_repeat");
  EXPECT_EQ(sanitize_cell_id("worker=/opt/w"), "worker=_opt_w");
  EXPECT_EQ(sanitize_cell_id(std::string(200, 'a')).size(), 80u);
}

TEST(ProcessRunner, ThreadBudgetKeepsThreadCountsHonest) {
  EXPECT_TRUE(within_thread_budget(0, 2, 2));   // a threads=2 cell alone on 2 cores
  EXPECT_FALSE(within_thread_budget(1, 2, 2));  // not beside a threads=1 cell
  EXPECT_TRUE(within_thread_budget(1, 1, 2));   // two threads=1 cells side by side
  EXPECT_FALSE(within_thread_budget(2, 1, 2));
  EXPECT_TRUE(within_thread_budget(0, 4, 2));  // more than the cores: alone
  EXPECT_TRUE(within_thread_budget(8, 8, 0));  // no budget: only --jobs limits
  EXPECT_GE(available_cores(), 1);
}

TEST(ProcessRunner, ReadsSkipLinesAndMedians) {
  EXPECT_EQ(skip_line_reason("skip: no CUDA device\nmore\n"), "no CUDA device");
  EXPECT_EQ(skip_line_reason("warning\nskip:  spaced \r\n"), "spaced");
  EXPECT_EQ(skip_line_reason("nothing here\n"), "");
  EXPECT_DOUBLE_EQ(median_step_time_ms({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median_step_time_ms({0, 4, 2}), 3.0);
  EXPECT_DOUBLE_EQ(median_step_time_ms({}), 0.0);
}

TEST(ProgressPrinter, OneLinePerFinishedCellInLogs) {
  std::ostringstream out;
  ProgressPrinter printer(out, /*interactive=*/false);
  Cell c;
  c.id = "threads=2";
  CellRun run;
  run.cell = c;
  run.status = RunStatus::ran;
  run.wall_seconds = 4.25;
  RunProgress started{7, 2, 3, &c, nullptr};
  printer.update(started);
  EXPECT_EQ(out.str(), "");
  RunProgress finished{7, 3, 2, &c, &run};
  printer.update(finished);
  EXPECT_EQ(out.str(), "[3/7 done, 2 running, 2 left] threads=2: ran in 4.2 s\n");
  run.status = RunStatus::skipped;
  run.reason = "device=gpu: no CUDA";
  EXPECT_EQ(progress_line(finished),
            "[3/7 done, 2 running, 2 left] threads=2: skipped (device=gpu: no CUDA)");
  EXPECT_EQ(progress_line(started), "[2/7 done, 3 running, 2 left] starting threads=2");
}

TEST(ProgressPrinter, RewritesOneLineOnATerminal) {
  std::ostringstream out;
  ProgressPrinter printer(out, /*interactive=*/true);
  Cell c;
  c.id = "seed=2";
  RunProgress started{2, 0, 1, &c, nullptr};
  printer.update(started);
  printer.finish();
  EXPECT_EQ(out.str(), "\r[0/2 done, 1 running, 1 left] starting seed=2\x1b[K\n");
}

}  // namespace
}  // namespace repro
