// Axes: the registry contract, value normalization, BLAS lookup and availability reasons.
#include "harness/plan/axis.hpp"

#include <gtest/gtest.h>

#include "harness/plan/axis_availability.hpp"
#include "harness/plan/blas_locator.hpp"
#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

std::string norm(std::string_view axis, std::string_view value) {
  return normalize_axis_value(*find_axis(axis), value, "test", "value");
}

TEST(Axis, RegistryNamesAreTheContract) {
  std::vector<std::string> names;
  for (const auto& axis : axis_definitions()) {
    names.emplace_back(axis.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"device", "threads", "interop_threads", "seed",
                                             "deterministic", "cpu_capability", "blas", "fault",
                                             "worker"}));
  EXPECT_EQ(find_axis("blas")->values,
            (std::vector<std::string_view>{"reference", "atlas", "blis", "openblas-pthread",
                                           "openblas-openmp"}));
  EXPECT_EQ(find_axis("cpu_capability")->target, AxisTarget::environment);
  EXPECT_EQ(find_axis("worker")->target, AxisTarget::executable);
  EXPECT_EQ(find_axis("threads")->target, AxisTarget::config);
  EXPECT_EQ(find_axis("colour"), nullptr);
}

TEST(Axis, NormalizesAliasesAndNumbers) {
  EXPECT_EQ(norm("device", "cuda"), "gpu");
  EXPECT_EQ(norm("device", "cpu"), "cpu");
  EXPECT_EQ(norm("deterministic", "true"), "on");
  EXPECT_EQ(norm("deterministic", "off"), "off");
  EXPECT_EQ(norm("threads", "02"), "2");
  EXPECT_EQ(norm("seed", "0"), "0");
  EXPECT_EQ(norm("seed", "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(norm("cpu_capability", "avx512"), "avx512");
  EXPECT_EQ(norm("worker", "/opt/w/repro-worker"), "/opt/w/repro-worker");
}

TEST(Axis, RejectsValuesTheAxisDoesNotAccept) {
  for (auto [axis, value] :
       std::vector<std::pair<std::string_view, std::string_view>>{{"device", "tpu"},
                                                                  {"threads", "0"},
                                                                  {"threads", "-1"},
                                                                  {"threads", "1025"},
                                                                  {"threads", " 2"},
                                                                  {"interop_threads", "two"},
                                                                  {"seed", "18446744073709551616"},
                                                                  {"seed", "1e3"},
                                                                  {"deterministic", "yes"},
                                                                  {"cpu_capability", "sse4"},
                                                                  {"blas", "mkl"},
                                                                  {"worker", ""},
                                                                  {"worker", "/a,b"}}) {
    SCOPED_TRACE(std::string(axis) + "=" + std::string(value));
    try {
      norm(axis, value);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.file(), "test");
      EXPECT_EQ(e.field(), "value");
    }
  }
}

TEST(Axis, UnknownAxisListsTheKnownOnes) {
  try {
    require_axis("thread", "suites/x.json", "axes[0].name");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "axes[0].name");
    EXPECT_NE(e.message().find("threads"), std::string::npos) << e.what();
  }
}

TEST(Axis, ConfigAxesReachTheWorkerConfig) {
  WorkerConfig c;
  apply_settings_to_config({{"device", "gpu"},
                            {"threads", "3"},
                            {"interop_threads", "2"},
                            {"seed", "42"},
                            {"deterministic", "on"},
                            {"blas", "atlas"},
                            {"cpu_capability", "avx2"}},
                           c);
  EXPECT_EQ(c.settings.device, "gpu");
  EXPECT_EQ(c.settings.threads, 3);
  EXPECT_EQ(c.settings.interop_threads, 2);
  EXPECT_EQ(c.train.seed, 42u);
  EXPECT_TRUE(c.settings.deterministic);
  WorkerConfig untouched;
  apply_settings_to_config({{"blas", "atlas"}}, untouched);
  EXPECT_EQ(untouched, WorkerConfig{});
}

// A fake library tree: ROOT/<dir>/libblas.so.3 for each of `dirs`.
void make_blas_tree(const std::filesystem::path& root, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs) {
    write_file_atomic(root / d / "libblas.so.3", "");
  }
}

TEST(BlasLocator, MapsAxisValuesToDebianFolders) {
  test::TempDir dir;
  make_blas_tree(dir / "multiarch", {"blas", "blis-pthread", "openblas-pthread"});
  make_blas_tree(dir / "lib", {"atlas"});
  BlasLocator blas({dir / "multiarch", dir / "lib"});
  EXPECT_EQ(blas.find("reference"), dir / "multiarch/blas");
  EXPECT_EQ(blas.find("blis"), dir / "multiarch/blis-pthread");
  EXPECT_EQ(blas.find("openblas-pthread"), dir / "multiarch/openblas-pthread");
  EXPECT_EQ(blas.find("atlas"), dir / "lib/atlas");
  EXPECT_EQ(blas.find("openblas-openmp"), std::nullopt);
  EXPECT_EQ(blas.find("mkl"), std::nullopt);
  EXPECT_EQ(blas.missing_reason("atlas"), "");
  EXPECT_EQ(blas.missing_reason("openblas-openmp"),
            (dir / "multiarch/openblas-openmp/libblas.so.3").string() +
                " not installed (apt-get install libopenblas0-openmp)");
}

TEST(BlasLocator, DefaultRootsStartWithThisArchitecture) {
  auto roots = default_library_roots();
  ASSERT_GE(roots.size(), 2u);
  EXPECT_EQ(roots.back(), "/usr/lib");
#if defined(__x86_64__)
  EXPECT_EQ(roots.front(), "/usr/lib/x86_64-linux-gnu");
#endif
}

MachineFacts facts_without_cuda() {
  MachineFacts facts{std::nullopt,
                     "",
                     {},
                     BlasLocator(std::vector<std::filesystem::path>{}),
                     WorkerEnvironments()};
  Fingerprint fp;
  fp.libtorch_version = "1.13.1";
  fp.cuda_available = false;
  fp.cuda_unavailable_reason = "libtorch built without CUDA";
  fp.cpu_capabilities_supported = {"default", "avx2"};
  fp.hardware_threads = 2;
  facts.fingerprint = fp;
  facts.cpu_flags = {"avx2", "fma", "sse4_2"};
  return facts;
}

TEST(AxisAvailability, ExplainsEveryMissingValue) {
  test::TempDir dir;
  make_blas_tree(dir.path(), {"openblas-pthread"});
  MachineFacts facts = facts_without_cuda();
  facts.blas = BlasLocator({dir.path()});
  AxisAvailability availability(facts);
  EXPECT_EQ(availability.unavailable_reason("device", "cpu"), std::nullopt);
  EXPECT_EQ(availability.unavailable_reason("device", "gpu"), "libtorch built without CUDA");
  EXPECT_EQ(availability.unavailable_reason("cpu_capability", "avx2"), std::nullopt);
  EXPECT_EQ(availability.unavailable_reason("cpu_capability", "default"), std::nullopt);
  EXPECT_EQ(availability.unavailable_reason("cpu_capability", "avx512"),
            "CPU lacks AVX-512 (no 'avx512f' in /proc/cpuinfo)");
  EXPECT_EQ(availability.unavailable_reason("blas", "openblas-pthread"), std::nullopt);
  EXPECT_EQ(
      availability.unavailable_reason("blas", "atlas"),
      (dir / "atlas/libblas.so.3").string() + " not installed (apt-get install libatlas3-base)");
  EXPECT_EQ(availability.unavailable_reason("threads", "64"), std::nullopt);
  // A missing worker is not a value this machine lacks: its cells start, fail to start and
  // are crashed (exit 3), never skipped.
  EXPECT_EQ(availability.unavailable_reason("worker", (dir / "nope").string()), std::nullopt);
  EXPECT_EQ(availability.skip_reason({{"device", "gpu"}, {"threads", "1"}}),
            "device=gpu: libtorch built without CUDA");
  EXPECT_EQ(availability.skip_reason({{"device", "cpu"}, {"threads", "1"}}), std::nullopt);
}

TEST(AxisAvailability, CpuWithTheIsaButLibtorchWithoutIt) {
  MachineFacts facts = facts_without_cuda();
  facts.cpu_flags.insert({"avx512f", "avx512bw", "avx512vl", "avx512dq"});
  AxisAvailability availability(facts);
  auto reason = availability.unavailable_reason("cpu_capability", "avx512");
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("no AVX-512 kernels"), std::string::npos) << *reason;
  facts.fingerprint->cpu_capabilities_supported.push_back("avx512");
  EXPECT_EQ(AxisAvailability(facts).unavailable_reason("cpu_capability", "avx512"), std::nullopt);
}

TEST(AxisAvailability, WorkerThatCannotBeAskedExplainsGpu) {
  MachineFacts facts{std::nullopt,
                     "/x/repro-worker: no such file",
                     {"avx2", "fma"},
                     BlasLocator(std::vector<std::filesystem::path>{}),
                     WorkerEnvironments()};
  AxisAvailability availability(facts);
  auto reason = availability.unavailable_reason("device", "gpu");
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("no such file"), std::string::npos);
  EXPECT_EQ(availability.unavailable_reason("cpu_capability", "avx2"), std::nullopt);
}

TEST(AxisAvailability, ReportListsEveryAxis) {
  AxisAvailability availability(facts_without_cuda());
  auto report = availability.report();
  ASSERT_EQ(report.size(), axis_definitions().size());
  EXPECT_EQ(report[0].axis, "device");
  EXPECT_EQ(report[0].available, (std::vector<std::string>{"cpu"}));
  ASSERT_EQ(report[0].unavailable.size(), 1u);
  EXPECT_EQ(report[0].unavailable[0].value, "gpu");
  EXPECT_EQ(report[1].axis, "threads");
  EXPECT_NE(report[1].open_values.find("2 hardware threads"), std::string::npos);
}

TEST(AxisAvailability, ReadsCpuFlags) {
  test::TempDir dir;
  write_file_atomic(dir / "cpuinfo",
                    "processor\t: 0\nflags\t\t: fpu sse avx2 fma\n\nprocessor\t: 1\nflags\t\t: "
                    "fpu avx512f\n");
  auto flags = read_cpu_flags(dir / "cpuinfo");
  EXPECT_EQ(flags, (std::set<std::string>{"fpu", "sse", "avx2", "fma"}));
  EXPECT_TRUE(read_cpu_flags(dir / "missing").empty());
}

}  // namespace
}  // namespace repro
