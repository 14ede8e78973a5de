// Digest throughput: XXH3-128 (what traces use) against SHA-256 and MD5 (OpenSSL), and
// the cost of a step root and of a trace line, and a plain memory read as the ceiling. Results:
// docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <vector>

#include "harness/trace/digest.hpp"
#include "harness/trace/trace.hpp"
#include "harness/util/str_cat.hpp"

namespace repro {
namespace {

std::vector<std::byte> make_bytes(size_t n) {
  std::vector<std::byte> v(n);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::byte>(x);
  }
  return v;
}

void BM_DigestTensorXxh3(benchmark::State& state) {
  auto bytes = make_bytes(static_cast<size_t>(state.range(0)));
  std::array<std::int64_t, 1> shape = {state.range(0) / 4};
  for (auto _ : state) {
    benchmark::DoNotOptimize(digest_tensor("float32", shape, bytes));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void openssl_digest(benchmark::State& state, const EVP_MD* md) {
  auto bytes = make_bytes(static_cast<size_t>(state.range(0)));
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, md, nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_DigestSha256(benchmark::State& state) {
  openssl_digest(state, EVP_sha256());
}
void BM_DigestMd5(benchmark::State& state) {
  openssl_digest(state, EVP_md5());
}

// The ceiling a digest is compared with: reading the same bytes from memory, 8 bytes at a time
// (summed so the compiler cannot skip the loads), with the same sizes as the XXH3 benchmark.
void BM_MemoryRead(benchmark::State& state) {
  auto bytes = make_bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes.data() + i, 8);
      sum += word;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// One step of a width-16 U-Net: ~8 MB over ~120 named tensors.
void BM_StepRecordOfEightMegabytes(benchmark::State& state) {
  constexpr int k_tensors = 120;
  auto bytes = make_bytes(8 << 20);
  size_t chunk = bytes.size() / k_tensors;
  for (auto _ : state) {
    StepRecord step;
    for (int i = 0; i < k_tensors; ++i) {
      std::span<const std::byte> part(bytes.data() + static_cast<size_t>(i) * chunk, chunk);
      std::array<std::int64_t, 1> shape = {static_cast<std::int64_t>(chunk / 4)};
      step.tensors.push_back({str_cat("t", std::to_string(i)), TensorKind::param,
                              digest_tensor("float32", shape, part)});
    }
    step.root = compute_root(step);
    benchmark::DoNotOptimize(step_line(step));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (8 << 20));
}

BENCHMARK(BM_DigestTensorXxh3)
    ->Arg(1 << 20)
    ->Arg(8 << 20)
    ->Arg(256 << 20)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryRead)->Arg(1 << 20)->Arg(8 << 20)->Arg(256 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DigestSha256)->Arg(8 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DigestMd5)->Arg(8 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StepRecordOfEightMegabytes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace repro

BENCHMARK_MAIN();
