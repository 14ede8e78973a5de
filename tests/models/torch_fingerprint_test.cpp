// Fingerprint collection: BLAS build names, CPU capability parsing, collected facts.
#include "models/torch_fingerprint.hpp"

#include <gtest/gtest.h>

namespace repro {
namespace {

TEST(TorchFingerprint, BlasBuildFromLibraryFolder) {
  const std::string lib = "/usr/lib/x86_64-linux-gnu/";
  EXPECT_EQ(blas_build_of(lib + "blas/libblas.so.3.11.0"), "reference");
  EXPECT_EQ(blas_build_of(lib + "atlas/libblas.so.3.10.3"), "atlas");
  EXPECT_EQ(blas_build_of(lib + "blis-pthread/libblas.so.3"), "blis");
  EXPECT_EQ(blas_build_of(lib + "openblas-pthread/libblas.so.3"), "openblas-pthread");
  EXPECT_EQ(blas_build_of(lib + "openblas-openmp/libblas.so.3"), "openblas-openmp");
}

TEST(TorchFingerprint, CpuCapabilityFromShowConfig) {
  EXPECT_EQ(cpu_capability_from_config("  - CPU capability usage: AVX2\n  - Build"), "avx2");
  EXPECT_EQ(cpu_capability_from_config("  - CPU capability usage: AVX512\n"), "avx512");
  EXPECT_EQ(cpu_capability_from_config("  - CPU capability usage: NO AVX\n"), "default");
  EXPECT_EQ(cpu_capability_from_config("  - CPU capability usage: DEFAULT\n"), "default");
  EXPECT_EQ(cpu_capability_from_config("nothing here"), "");
}

TEST(TorchFingerprint, CollectsTheFactsThatDecideResults) {
  const Fingerprint fp = collect_fingerprint("cpu");
  EXPECT_FALSE(fp.libtorch_version.empty());
  EXPECT_FALSE(fp.blas_library.empty());
  EXPECT_FALSE(fp.blas_build.empty());
  EXPECT_FALSE(fp.cpu_capability.empty());
  ASSERT_FALSE(fp.cpu_capabilities_supported.empty());
  EXPECT_EQ(fp.cpu_capabilities_supported.front(), "default");
  EXPECT_EQ(fp.device, "cpu");
  EXPECT_EQ(fp.device_model, fp.cpu_model);
  EXPECT_FALSE(fp.compiler.empty());
  EXPECT_EQ(fp.libc.rfind("glibc ", 0), 0u);
  EXPECT_FALSE(fp.tbb_version.empty());
  EXPECT_GT(fp.hardware_threads, 0);
  EXPECT_EQ(fp.cuda_available, fp.cuda_unavailable_reason.empty());
  // Round trip through the harness's JSON reader: the checker must accept it.
  EXPECT_EQ(fingerprint_from_json(to_json(fp), "test"), fp);
}

}  // namespace
}  // namespace repro
