// Paths the tests need: reference vectors, built executables, the source tree.
#pragma once

#include <filesystem>

namespace repro::test {

// ../shared/vectors (REPRO_VECTORS_DIR at configure time).
std::filesystem::path vectors_dir();
// The folder holding repro-check and repro-worker.
std::filesystem::path bin_dir();
// The repository root.
std::filesystem::path source_dir();

}  // namespace repro::test
