// Fuzzes suite files: strict JSON parsing and suite validation (harness/plan/suite.cpp).
#include "harness/plan/suite.hpp"
#include "harness/util/json_fields.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  repro::fuzz::expect_only_repro_errors([&] {
    auto j = repro::parse_json(repro::fuzz::text_of(data, size), "suites/fuzz.json");
    repro::parse_suite(j, "suites/fuzz.json");
  });
  return 0;
}
