// Digest properties: any single-bit flip, any dtype or shape change, changes the digest.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>

#include "harness/trace/digest.hpp"

namespace repro {
namespace {

std::vector<std::byte> as_bytes(const std::vector<float>& v) {
  std::vector<std::byte> b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

RC_GTEST_PROP(DigestProperty, AnySingleBitFlipChangesIt, ()) {
  auto values =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<float>>(rc::gen::arbitrary<float>()));
  auto bytes = as_bytes(values);
  auto byte = *rc::gen::inRange<size_t>(0, bytes.size());
  auto bit = *rc::gen::inRange(0, 8);
  std::array<std::int64_t, 1> shape = {static_cast<std::int64_t>(values.size())};
  Digest before = digest_tensor("float32", shape, bytes);
  bytes[byte] ^= std::byte(1u << bit);
  RC_ASSERT(digest_tensor("float32", shape, bytes) != before);
}

RC_GTEST_PROP(DigestProperty, DtypeAndShapeTakePart, ()) {
  auto rows = *rc::gen::inRange<std::int64_t>(1, 8);
  auto cols = *rc::gen::inRange<std::int64_t>(1, 8);
  std::vector<float> values(static_cast<size_t>(rows * cols));
  for (auto& v : values) {
    v = *rc::gen::arbitrary<float>();
  }
  auto bytes = as_bytes(values);
  std::array<std::int64_t, 2> shape = {rows, cols};
  std::array<std::int64_t, 1> flat = {rows * cols};
  Digest d = digest_tensor("float32", shape, bytes);
  RC_ASSERT(d != digest_tensor("int32", shape, bytes));
  RC_ASSERT(d != digest_tensor("float32", flat, bytes));
  if (rows != cols) {
    std::array<std::int64_t, 2> transposed = {cols, rows};
    RC_ASSERT(d != digest_tensor("float32", transposed, bytes));
  }
  RC_ASSERT(d == digest_tensor("float32", shape, bytes));
}

RC_GTEST_PROP(DigestProperty, HexRoundTrips, (std::uint64_t high, std::uint64_t low)) {
  Digest d{high, low};
  RC_ASSERT(Digest::from_hex(d.hex()) == d);
}

}  // namespace
}  // namespace repro
