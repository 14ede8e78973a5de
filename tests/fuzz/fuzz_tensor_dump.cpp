// Fuzzes tensor-dump manifests (harness/trace/tensor_dump.cpp): the input is written as
// DIR/manifest.json beside a fixed tensor file 0.bin (8 bytes), then read back.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/trace/tensor_dump.hpp"
#include "harness/util/temp_folder.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

// Removed when libFuzzer exits (it ends with exit(), which runs static destructors).
const std::filesystem::path& dump_dir() {
  static const repro::TempFolder k_dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "repro-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::abort();
    }
    std::filesystem::path dir = pattern;
    std::ofstream(dir / "0.bin", std::ios::binary) << std::string(8, '\0');
    return repro::TempFolder(dir);
  }();
  return k_dir.path();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const auto& dir = dump_dir();
  {
    std::ofstream out(dir / "manifest.json", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  repro::fuzz::expect_only_repro_errors([&] { repro::read_tensor_dump(dir); });
  return 0;
}
