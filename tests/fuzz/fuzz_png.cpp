// Fuzzes the PNG reader (models/data/png_codec.cpp) as a photo and as a label map.
#include <span>

#include "models/data/png_codec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  repro::fuzz::expect_only_repro_errors(
      [&] { repro::decode_png(bytes, "fuzz.png", repro::PngContent::rgb); });
  repro::fuzz::expect_only_repro_errors(
      [&] { repro::decode_png(bytes, "fuzz.png", repro::PngContent::labels); });
  return 0;
}
