// Test paths from configure-time definitions.
#include "tests/support/test_paths.hpp"

namespace repro::test {

std::filesystem::path vectors_dir() {
  return REPRO_VECTORS_DIR;
}
std::filesystem::path bin_dir() {
  return REPRO_BIN_DIR;
}
std::filesystem::path source_dir() {
  return REPRO_SOURCE_DIR;
}

}  // namespace repro::test
