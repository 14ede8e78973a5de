// Fuzzes traces: the JSON Lines reader (harness/trace/trace.cpp) and the fingerprint in
// its header (harness/trace/fingerprint.cpp), as the checker reads a worker's trace.
#include "harness/trace/fingerprint.hpp"
#include "harness/trace/trace.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  repro::fuzz::expect_only_repro_errors([&] {
    repro::Trace trace = repro::parse_trace(repro::fuzz::text_of(data, size), "trace.jsonl");
    repro::fingerprint_from_json(trace.header.fingerprint, "trace.jsonl: header");
  });
  return 0;
}
