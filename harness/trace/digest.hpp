// Digest of a tensor's ordered bytes (with dtype and shape) and of a whole step.
//
// The digest is XXH3-128: a fast, non-cryptographic hash used for change
// detection only. It is NOT a security measure: a digest match proves nothing
// against an adversary, only (with overwhelming probability) that two honest
// runs produced the same bytes. Any single flipped bit in the data, a different
// dtype or a different shape changes the digest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

// A 128-bit digest. Printed and stored as 32 lowercase hex characters.
struct Digest {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  // 32 lowercase hex characters, high word first.
  std::string hex() const;
  // Parses 32 hex characters (either case); nullopt for anything else.
  static std::optional<Digest> from_hex(std::string_view text);

  friend bool operator==(const Digest&, const Digest&) = default;
};

// GoogleTest printer: failed EXPECT_EQ shows hex, not bytes.
void PrintTo(const Digest& digest, std::ostream* os);
std::ostream& operator<<(std::ostream& os, const Digest& digest);

// Digest of one tensor: dtype name (e.g. "float32"), shape, then the row-major
// contiguous bytes. `bytes.size()` must equal the element count times the element
// size; the caller (the worker) makes the tensor contiguous first.
Digest digest_tensor(std::string_view dtype, std::span<const std::int64_t> shape,
                     std::span<const std::byte> bytes);

// Digest of raw bytes with no framing (used for ids and files).
Digest digest_bytes(std::span<const std::byte> bytes);

// One named tensor digest inside a step.
struct NamedDigest {
  std::string name;
  Digest digest;
};

// The step root: a digest over the ordered (name, digest) list. Two steps have the
// same root exactly when they hold the same names, in the same order, with the
// same digests.
Digest step_root(std::span<const NamedDigest> tensors);

// The algorithm name written into traces and golden files.
inline constexpr std::string_view k_digest_algorithm = "xxh3-128";

}  // namespace repro
