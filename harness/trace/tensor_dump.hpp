// Tensor dumps: the raw values of every tensor at one step, written by the worker
// on request (`--dump-step K --dump-dir DIR`) so the checker can measure how far
// two diverged runs are apart without linking libtorch.
//
// Layout: DIR/manifest.json {format_version, step, tensors: [{name, kind, dtype,
// shape, file, digest}]} and one raw little-endian contiguous file per tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/trace/digest.hpp"
#include "harness/trace/trace.hpp"

namespace repro {

inline constexpr int k_tensor_dump_format_version = 1;

// Reading limits: a manifest's size, its tensor count, dimensions per tensor, bytes per
// tensor and bytes in all. A tensor's `file` must be a plain name of a regular file in
// the dump folder (no '/', no "..", no symbolic link, no device).
inline constexpr std::uint64_t k_max_dump_manifest_bytes = std::uint64_t{16} << 20;
inline constexpr size_t k_max_dump_tensors = 100'000;
inline constexpr size_t k_max_dump_dims = 16;
inline constexpr std::uint64_t k_max_dump_tensor_bytes = std::uint64_t{1} << 31;
inline constexpr std::uint64_t k_max_dump_total_bytes = std::uint64_t{8} << 30;

struct DumpedTensor {
  std::string name;
  TensorKind kind = TensorKind::param;
  std::string dtype;  // "float32", "float64", "int64", "uint8", ...
  std::vector<std::int64_t> shape;
  std::vector<std::byte> bytes;
};

struct TensorDump {
  int step = 0;
  std::vector<DumpedTensor> tensors;
  // The tensor with this name, or nullptr.
  const DumpedTensor* find(const std::string& name) const;
};

// Writes DIR/manifest.json and the tensor files atomically (manifest last).
void write_tensor_dump(const std::filesystem::path& dir, const TensorDump& dump);

// Reads a dump; checks sizes and each file against its digest. Throws repro::Error.
TensorDump read_tensor_dump(const std::filesystem::path& dir);

// How far apart two tensors of the same dtype and shape are.
struct Magnitude {
  double max_abs_diff = 0;    // max |a - b| over elements (NaN-aware: NaN vs number = inf)
  std::uint64_t max_ulp = 0;  // max distance in units in the last place (floating dtypes)
  std::int64_t differing_elements = 0;
  std::int64_t first_differing_index = -1;  // flat row-major index, -1 if none
};

// nullopt when dtype or shape differ or the dtype is not supported.
std::optional<Magnitude> magnitude(const DumpedTensor& a, const DumpedTensor& b);

// ULP distance between two floats / doubles (0 for equal bits; +0 and -0 are 1 apart).
std::uint64_t ulp_distance(float a, float b);
std::uint64_t ulp_distance(double a, double b);

}  // namespace repro
