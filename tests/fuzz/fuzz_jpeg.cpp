// Fuzzes the JPEG reader (models/data/jpeg_codec.cpp), with its size limits.
#include <span>

#include "models/data/jpeg_codec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  repro::fuzz::expect_only_repro_errors(
      [&] { repro::decode_jpeg(std::span<const std::uint8_t>(data, size), "fuzz.jpg"); });
  return 0;
}
