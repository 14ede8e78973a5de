// Tensor dumps and divergence magnitudes (max |diff|, ULP).
#include "harness/trace/tensor_dump.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

DumpedTensor floats(const std::string& name, const std::vector<float>& v) {
  DumpedTensor t;
  t.name = name;
  t.kind = TensorKind::grad;
  t.dtype = "float32";
  t.shape = {static_cast<std::int64_t>(v.size())};
  t.bytes.resize(v.size() * 4);
  std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
  return t;
}

TEST(UlpDistance, CountsRepresentableStepsAcrossZero) {
  EXPECT_EQ(ulp_distance(1.0f, 1.0f), 0u);
  EXPECT_EQ(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)), 1u);
  EXPECT_EQ(ulp_distance(0.0f, -0.0f), 1u);
  float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(ulp_distance(-tiny, tiny), 3u);
  EXPECT_EQ(ulp_distance(1.0, std::nextafter(std::nextafter(1.0, 2.0), 2.0)), 2u);
}

TEST(Magnitude, ReportsMaxAbsDiffAndUlp) {
  float a1 = 1.0f;
  float b1 = std::nextafter(std::nextafter(1.0f, 2.0f), 2.0f);
  auto m = magnitude(floats("g", {0.5f, a1, 3.0f}), floats("g", {0.5f, b1, 3.0f}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->max_ulp, 2u);
  EXPECT_DOUBLE_EQ(m->max_abs_diff, static_cast<double>(b1) - 1.0);
  EXPECT_EQ(m->differing_elements, 1);
  EXPECT_EQ(m->first_differing_index, 1);
}

TEST(Magnitude, RefusesDifferentShapes) {
  EXPECT_FALSE(magnitude(floats("g", {1, 2}), floats("g", {1, 2, 3})));
}

TEST(TensorDump, RoundTripsAndDetectsTampering) {
  test::TempDir dir;
  TensorDump dump;
  dump.step = 3;
  dump.tensors = {floats("a", {1, 2, 3}), floats("b", {4})};
  write_tensor_dump(dir.path(), dump);
  TensorDump back = read_tensor_dump(dir.path());
  EXPECT_EQ(back.step, 3);
  ASSERT_EQ(back.tensors.size(), 2u);
  EXPECT_EQ(back.find("a")->bytes, dump.tensors[0].bytes);
  EXPECT_EQ(back.find("b")->shape, dump.tensors[1].shape);
  EXPECT_EQ(back.find("c"), nullptr);

  std::string raw = read_file(dir / "0.bin");
  raw[0] ^= 1;
  write_file_atomic(dir / "0.bin", raw);
  EXPECT_THROW(read_tensor_dump(dir.path()), Error);
}

}  // namespace
}  // namespace repro
