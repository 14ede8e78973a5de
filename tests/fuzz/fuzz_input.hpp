// Shared by the fuzz targets: runs a parser on one input, allowing only repro::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "harness/util/error.hpp"

namespace repro::fuzz {

// The fuzzer's bytes as text.
inline std::string_view text_of(const std::uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Calls `parse`. A repro::Error is the expected answer to bad input; any other exception
// (a nlohmann exception, std::bad_alloc, std::length_error) is a bug, reported by abort()
// so libFuzzer saves the input.
template <typename Parse>
void expect_only_repro_errors(Parse parse) {
  try {
    parse();
  } catch (const Error&) {
    // rejected with a file-and-field error: what bad input must get
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: escaped exception: %s\n", e.what());
    std::abort();
  }
}

}  // namespace repro::fuzz
