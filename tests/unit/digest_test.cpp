// Digest: pinned known answers and sensitivity to every bit, dtype and shape.
#include "harness/trace/digest.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

namespace repro {
namespace {

std::vector<std::byte> float_bytes(const std::vector<float>& values) {
  std::vector<std::byte> out(values.size() * sizeof(float));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

TEST(Digest, PinsKnownAnswerForFixedTensor) {
  // A 2x3 float32 tensor [0, 1, ..., 5]. Pinned: if this changes, every golden
  // file ever blessed becomes invalid, so the format_version must change with it.
  // Cross-checked outside our code: `xxhsum -H2` over the framed bytes
  // u64(6)"tensor" u64(7)"float32" u64(2) u64(2) u64(3) u64(24) <24 data bytes>
  // (every u64 little-endian) prints the same value.
  auto bytes = float_bytes({0, 1, 2, 3, 4, 5});
  std::array<std::int64_t, 2> shape = {2, 3};
  EXPECT_EQ(digest_tensor("float32", shape, bytes).hex(), "1c2f92a2a7b51b63f7c59be619153f3a");
}

TEST(Digest, PinsKnownAnswerForEmptyBytes) {
  // XXH3-128 of no bytes, as published by xxHash (`xxhsum -H2 /dev/null`).
  EXPECT_EQ(digest_bytes({}).hex(), "99aa06d3014798d86001c324468d497f");
}

TEST(Digest, EverySingleBitFlipChangesIt) {
  auto bytes = float_bytes({0.5f, -1.25f, 3.0e-9f, 7.0f});
  std::array<std::int64_t, 1> shape = {4};
  Digest original = digest_tensor("float32", shape, bytes);
  for (size_t byte = 0; byte < bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = bytes;
      flipped[byte] ^= std::byte(1u << bit);
      EXPECT_NE(digest_tensor("float32", shape, flipped), original)
          << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(Digest, DtypeTakesPart) {
  auto bytes = float_bytes({1, 2});
  std::array<std::int64_t, 1> shape = {2};
  EXPECT_NE(digest_tensor("float32", shape, bytes), digest_tensor("int32", shape, bytes));
}

TEST(Digest, ShapeTakesPart) {
  auto bytes = float_bytes({1, 2, 3, 4, 5, 6});
  std::array<std::int64_t, 2> a = {2, 3};
  std::array<std::int64_t, 2> b = {3, 2};
  std::array<std::int64_t, 1> flat = {6};
  EXPECT_NE(digest_tensor("float32", a, bytes), digest_tensor("float32", b, bytes));
  EXPECT_NE(digest_tensor("float32", a, bytes), digest_tensor("float32", flat, bytes));
}

TEST(Digest, HexRoundTrips) {
  Digest d{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  EXPECT_EQ(d.hex(), "0123456789abcdeffedcba9876543210");
  EXPECT_EQ(Digest::from_hex(d.hex()), d);
  EXPECT_EQ(Digest::from_hex("0123456789ABCDEFFEDCBA9876543210"), d);
}

TEST(Digest, FromHexRejectsMalformedText) {
  EXPECT_FALSE(Digest::from_hex(""));
  EXPECT_FALSE(Digest::from_hex("0123456789abcdef"));
  EXPECT_FALSE(Digest::from_hex("0123456789abcdeffedcba987654321g"));
  EXPECT_FALSE(Digest::from_hex("0123456789abcdeffedcba98765432100"));
}

TEST(StepRoot, DependsOnNamesOrderAndDigests) {
  Digest a{1, 2};
  Digest b{3, 4};
  std::vector<NamedDigest> base = {{"w", a}, {"w.grad", b}};
  std::vector<NamedDigest> swapped = {{"w.grad", b}, {"w", a}};
  std::vector<NamedDigest> renamed = {{"v", a}, {"w.grad", b}};
  std::vector<NamedDigest> changed = {{"w", a}, {"w.grad", Digest{3, 5}}};
  Digest root = step_root(base);
  EXPECT_EQ(step_root(base), root);
  EXPECT_NE(step_root(swapped), root);
  EXPECT_NE(step_root(renamed), root);
  EXPECT_NE(step_root(changed), root);
}

TEST(StepRoot, NameBoundariesCannotCollide) {
  // Length-prefixed framing: ("ab", "c") must differ from ("a", "bc").
  Digest d{7, 7};
  std::vector<NamedDigest> x = {{"ab", d}, {"c", d}};
  std::vector<NamedDigest> y = {{"a", d}, {"bc", d}};
  EXPECT_NE(step_root(x), step_root(y));
}

}  // namespace
}  // namespace repro
