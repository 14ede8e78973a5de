// BlasLocator: where Debian's interchangeable libblas.so.3 builds live on this machine.
//
// Debian installs each BLAS implementation's libblas.so.3 in its own folder under the
// multiarch library directory (/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3, ...). Putting
// one of those folders first on a worker's LD_LIBRARY_PATH makes that worker load that build.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

// One `blas` axis value and where Debian puts it.
struct BlasBuild {
  std::string_view value;      // the axis value: "blis"
  std::string_view directory;  // the folder under the multiarch lib dir: "blis-pthread"
  std::string_view package;    // the Debian package that installs it: "libblis4-pthread"
};

// All five builds, in the order of the `blas` axis values.
const std::vector<BlasBuild>& blas_builds();

// The build for an axis value, or nullptr.
const BlasBuild* find_blas_build(std::string_view value);

// Library roots to search, most specific first: /usr/lib/<multiarch of this build>, every
// other /usr/lib/*-linux-* folder, /usr/lib64, /usr/lib.
std::vector<std::filesystem::path> default_library_roots();

class BlasLocator {
 public:
  // Searches `roots` in order for ROOT/<directory>/libblas.so.3.
  explicit BlasLocator(std::vector<std::filesystem::path> roots = default_library_roots());

  // The folder holding the build's libblas.so.3 (to prepend to LD_LIBRARY_PATH), or nullopt
  // when the value is unknown or the build is not installed.
  std::optional<std::filesystem::path> find(std::string_view value) const;

  // Why `value` is not usable, for people: "/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3 not
  // installed (apt-get install libatlas3-base)"; "" when it is installed.
  std::string missing_reason(std::string_view value) const;

 private:
  std::vector<std::filesystem::path> m_roots;
};

}  // namespace repro
