// Fuzzes golden files: the validating reader (harness/verdict/golden_reader.cpp).
#include "harness/verdict/golden_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  repro::fuzz::expect_only_repro_errors(
      [&] { repro::parse_golden(repro::fuzz::text_of(data, size), "golden/fuzz/x.json"); });
  return 0;
}
