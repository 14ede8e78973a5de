// BlasLocator: finds the folder of each Debian libblas.so.3 build.
#include "harness/plan/blas_locator.hpp"

#include <algorithm>
#include <system_error>

namespace repro {
namespace {

// The Debian multiarch triplet this binary was built for; the first place to look.
constexpr std::string_view k_multiarch =
#if defined(__x86_64__)
    "x86_64-linux-gnu";
#elif defined(__aarch64__)
    "aarch64-linux-gnu";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    "powerpc64le-linux-gnu";
#elif defined(__s390x__)
    "s390x-linux-gnu";
#elif defined(__riscv) && __riscv_xlen == 64
    "riscv64-linux-gnu";
#elif defined(__i386__)
    "i386-linux-gnu";
#elif defined(__arm__)
    "arm-linux-gnueabihf";
#else
    "";
#endif

constexpr std::string_view k_library_file = "libblas.so.3";

}  // namespace

const std::vector<BlasBuild>& blas_builds() {
  static const std::vector<BlasBuild> k_builds = {
      {"reference", "blas", "libblas3"},
      {"atlas", "atlas", "libatlas3-base"},
      {"blis", "blis-pthread", "libblis4-pthread"},
      {"openblas-pthread", "openblas-pthread", "libopenblas0-pthread"},
      {"openblas-openmp", "openblas-openmp", "libopenblas0-openmp"},
  };
  return k_builds;
}

const BlasBuild* find_blas_build(std::string_view value) {
  for (const auto& build : blas_builds()) {
    if (build.value == value) {
      return &build;
    }
  }
  return nullptr;
}

std::vector<std::filesystem::path> default_library_roots() {
  std::vector<std::filesystem::path> roots;
  if (!k_multiarch.empty()) {
    roots.push_back(std::filesystem::path("/usr/lib") / k_multiarch);
  }
  // Another triplet (a cross-built or differently-named multiarch folder): sorted, so the
  // search order does not depend on directory-listing order.
  std::vector<std::filesystem::path> others;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find("-linux-") != std::string::npos && entry.is_directory(ec) &&
        std::find(roots.begin(), roots.end(), entry.path()) == roots.end()) {
      others.push_back(entry.path());
    }
  }
  std::sort(others.begin(), others.end());
  roots.insert(roots.end(), others.begin(), others.end());
  roots.emplace_back("/usr/lib64");
  roots.emplace_back("/usr/lib");
  return roots;
}

BlasLocator::BlasLocator(std::vector<std::filesystem::path> roots) : m_roots(std::move(roots)) {}

std::optional<std::filesystem::path> BlasLocator::find(std::string_view value) const {
  const BlasBuild* build = find_blas_build(value);
  if (build == nullptr) {
    return std::nullopt;
  }
  for (const auto& root : m_roots) {
    auto dir = root / build->directory;
    std::error_code ec;
    if (std::filesystem::exists(dir / k_library_file, ec)) {
      return dir;
    }
  }
  return std::nullopt;
}

std::string BlasLocator::missing_reason(std::string_view value) const {
  const BlasBuild* build = find_blas_build(value);
  if (build == nullptr) {
    return "unknown BLAS build '" + std::string(value) + "'";
  }
  if (find(value)) {
    return "";
  }
  std::filesystem::path expected =
      m_roots.empty() ? std::filesystem::path("/usr/lib") : m_roots.front();
  return (expected / build->directory / k_library_file).string() +
         " not installed (apt-get install " + std::string(build->package) + ")";
}

}  // namespace repro
