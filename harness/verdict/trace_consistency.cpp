// Trace consistency: recompute the loss tensor's digest from the loss bits.
#include "harness/verdict/trace_consistency.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>

#include "harness/trace/digest.hpp"

namespace repro {
namespace {

// The digest a 0-dim tensor holding exactly these loss bits has; nullopt when the bits
// are not hex of the dtype's width.
std::optional<Digest> loss_digest(const std::string& dtype, const std::string& bits) {
  size_t width = dtype == "float32" ? 4 : dtype == "float64" ? 8 : 0;
  if (width == 0 || bits.size() != 2 * width) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value, 16);
  if (ec != std::errc() || end != bits.data() + bits.size()) {
    return std::nullopt;
  }
  std::byte bytes[8];
  for (size_t i = 0; i < width; ++i) {
    bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xffu);  // little-endian
  }
  return digest_tensor(dtype, std::span<const std::int64_t>(), std::span(bytes, width));
}

}  // namespace

std::string trace_inconsistency(const Trace& trace) {
  for (const auto& step : trace.steps) {
    for (const auto& t : step.tensors) {
      if (t.name != "loss" || t.kind != TensorKind::loss) {
        continue;
      }
      std::optional<Digest> expected = loss_digest(step.loss_dtype, step.loss_bits);
      std::optional<Digest> as_vector;
      if (expected && *expected != t.digest) {
        // A producer may record the loss as a 1-element vector: accept that spelling too.
        const std::int64_t one[] = {1};
        std::byte bytes[8];
        std::uint64_t value = std::stoull(step.loss_bits, nullptr, 16);
        const size_t width = step.loss_bits.size() / 2;
        for (size_t i = 0; i < width; ++i) {
          bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xffu);
        }
        as_vector = digest_tensor(step.loss_dtype, one, std::span(bytes, width));
      }
      if (expected && *expected != t.digest && as_vector != t.digest) {
        return "step " + std::to_string(step.step) + ": the loss bits " + step.loss_bits +
               " disagree with the digest of its 'loss' tensor";
      }
    }
  }
  return "";
}

}  // namespace repro
