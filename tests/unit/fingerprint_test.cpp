// Fingerprint: JSON round trip, validation, and environment classes.
#include "harness/trace/fingerprint.hpp"

#include <gtest/gtest.h>

#include "harness/util/error.hpp"

namespace repro {
namespace {

Fingerprint sample() {
  Fingerprint fp;
  fp.libtorch_version = "1.13.0";
  fp.blas_build = "openblas-pthread";
  fp.blas_library = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";
  fp.blas_version = "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64";
  fp.blas_core = "Zen";
  fp.cpu_capability = "avx2";
  fp.cpu_capabilities_supported = {"default", "avx2", "avx512"};
  fp.device = "cpu";
  fp.device_model = "AMD EPYC";
  fp.env = {{"OMP_NUM_THREADS", "1"}};
  return fp;
}

TEST(Fingerprint, RoundTripsThroughJson) {
  EXPECT_EQ(fingerprint_from_json(to_json(sample()), "fp"), sample());
}

TEST(Fingerprint, EnvironmentClassIsReadableAndFileNameSafe) {
  EXPECT_EQ(environment_class(sample()), "libtorch-1.13.0_openblas-pthread-0.3.21-zen_avx2_cpu");
}

TEST(Fingerprint, ClassIgnoresFieldsThatDoNotDecideBits) {
  Fingerprint other = sample();
  other.os = "something else";
  other.env["OMP_NUM_THREADS"] = std::string("2");
  other.device_model = "another CPU";  // for cpu, the BLAS core and ISA carry what matters
  EXPECT_EQ(environment_class(other), environment_class(sample()));
}

TEST(Fingerprint, ClassDifferencesNameTheFields) {
  Fingerprint other = sample();
  other.blas_build = "atlas";
  other.cpu_capability = "avx512";
  auto diffs = environment_class_differences(sample(), other);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0], "blas_build: openblas-pthread -> atlas");
  EXPECT_EQ(diffs[1], "cpu_capability: avx2 -> avx512");
  EXPECT_NE(environment_class(other), environment_class(sample()));
}

TEST(Fingerprint, MissingRequiredFieldIsNamed) {
  auto j = to_json(sample());
  j.erase("blas_build");
  try {
    fingerprint_from_json(j, "trace.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "trace.jsonl");
    EXPECT_EQ(e.field(), "fingerprint.blas_build");
  }
}

}  // namespace
}  // namespace repro
