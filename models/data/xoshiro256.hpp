// Xoshiro256: a small, fully specified PRNG (xoshiro256** seeded by splitmix64).
//
// The workload draws every random number it owns (synthetic images, data order,
// flips) from this generator rather than from std:: distributions, whose output is
// implementation-defined: the same seed gives the same stream on every compiler,
// library and machine.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace repro {

// One step of splitmix64: advances `state` and returns the next output.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A well-mixed 64-bit seed derived from a list of values, e.g. (seed, step, shard):
// different lists give unrelated seeds.
inline std::uint64_t derive_seed(std::initializer_list<std::uint64_t> parts) {
  std::uint64_t state = 0x5eed5eed5eed5eedULL;
  std::uint64_t out = 0;
  for (std::uint64_t part : parts) {
    state ^= part;
    out = splitmix64(state);
    state = out;
  }
  return out;
}

class Xoshiro256 {
 public:
  // The four state words come from splitmix64(seed), as the authors recommend.
  explicit Xoshiro256(std::uint64_t seed) {
    for (auto& word : m_state) {
      word = splitmix64(seed);
    }
  }

  // The next 64 uniformly distributed bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n); `n` must be > 0. Plain modulo: the bias (< n / 2^64) is
  // irrelevant for the small n used here, and the result is identical everywhere.
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t m_state[4];
};

}  // namespace repro
