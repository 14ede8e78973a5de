// XXH3-128 digests of tensors and steps (see digest.hpp for the framing).
#include "harness/trace/digest.hpp"

#include <xxhash.h>

#include <array>
#include <cassert>
#include <cstring>

namespace repro {
namespace {

// Streams little-endian integers and length-prefixed strings into one XXH3 state,
// so that ("ab","c") and ("a","bc") can never collide by concatenation.
class Hasher {
 public:
  Hasher() : m_state(XXH3_createState()) {
    assert(m_state != nullptr);
    XXH3_128bits_reset(m_state);
  }
  ~Hasher() { XXH3_freeState(m_state); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void add_u64(std::uint64_t v) {
    std::array<unsigned char, 8> le{};
    for (int i = 0; i < 8; ++i) {
      le[i] = static_cast<unsigned char>(v >> (8 * i));
    }
    XXH3_128bits_update(m_state, le.data(), le.size());
  }
  void add_string(std::string_view s) {
    add_u64(s.size());
    XXH3_128bits_update(m_state, s.data(), s.size());
  }
  void add_bytes(std::span<const std::byte> bytes) {
    add_u64(bytes.size());
    XXH3_128bits_update(m_state, bytes.data(), bytes.size());
  }
  Digest finish() const {
    XXH128_hash_t h = XXH3_128bits_digest(m_state);
    return Digest{h.high64, h.low64};
  }

 private:
  XXH3_state_t* m_state;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::string Digest::hex() const {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = k_digits[(high >> (4 * i)) & 0xf];
    out[31 - i] = k_digits[(low >> (4 * i)) & 0xf];
  }
  return out;
}

std::optional<Digest> Digest::from_hex(std::string_view text) {
  if (text.size() != 32) {
    return std::nullopt;
  }
  Digest d;
  for (size_t i = 0; i < 32; ++i) {
    int v = hex_value(text[i]);
    if (v < 0) {
      return std::nullopt;
    }
    std::uint64_t& word = i < 16 ? d.high : d.low;
    word = (word << 4) | static_cast<std::uint64_t>(v);
  }
  return d;
}

void PrintTo(const Digest& digest, std::ostream* os) {
  *os << digest.hex();
}

std::ostream& operator<<(std::ostream& os, const Digest& digest) {
  return os << digest.hex();
}

Digest digest_tensor(std::string_view dtype, std::span<const std::int64_t> shape,
                     std::span<const std::byte> bytes) {
  Hasher h;
  h.add_string("tensor");
  h.add_string(dtype);
  h.add_u64(shape.size());
  for (std::int64_t dim : shape) {
    h.add_u64(static_cast<std::uint64_t>(dim));
  }
  h.add_bytes(bytes);
  return h.finish();
}

Digest digest_bytes(std::span<const std::byte> bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return Digest{h.high64, h.low64};
}

Digest step_root(std::span<const NamedDigest> tensors) {
  Hasher h;
  h.add_string("step");
  h.add_u64(tensors.size());
  for (const NamedDigest& t : tensors) {
    h.add_string(t.name);
    h.add_u64(t.digest.high);
    h.add_u64(t.digest.low);
  }
  return h.finish();
}

}  // namespace repro
