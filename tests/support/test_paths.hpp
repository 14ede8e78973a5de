// Paths the tests need: reference vectors, built executables, the source tree.
#pragma once

#include <filesystem>

namespace repro::test {

// tests/data: reference vectors committed with the tests (REPRO_VECTORS_DIR).
std::filesystem::path vectors_dir();
// The folder holding repro-check and repro-worker.
std::filesystem::path bin_dir();
// The repository root.
std::filesystem::path source_dir();

}  // namespace repro::test
