// Fingerprint collection: loaded libraries via dl_iterate_phdr, libtorch's build facts.
#include "models/torch_fingerprint.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <oneapi/tbb/version.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

#include "models/torch_runtime.hpp"

namespace repro {
namespace {

constexpr std::array<const char*, 9> k_result_env = {
    "ATEN_CPU_CAPABILITY",  "OMP_NUM_THREADS",  "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",     "LD_LIBRARY_PATH",  "CUBLAS_WORKSPACE_CONFIG"};

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

// The value after "key<sep>" on the first line of `path` that starts with `key`.
std::string field_of_file(const std::filesystem::path& path, const std::string& key, char sep) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const size_t at = line.find(sep);
      if (at != std::string::npos) {
        return trim(line.substr(at + 1));
      }
    }
  }
  return "";
}

int collect_blas(struct dl_phdr_info* info, size_t /*size*/, void* data) {
  const std::string name = info->dlpi_name == nullptr ? "" : info->dlpi_name;
  if (std::filesystem::path(name).filename().string().rfind("libblas.so", 0) == 0) {
    *static_cast<std::string*>(data) = name;
    return 1;
  }
  return 0;
}

std::string loaded_blas_library() {
  std::string name;
  dl_iterate_phdr(collect_blas, &name);
  if (name.empty()) {
    return "";
  }
  std::error_code ec;
  const auto resolved = std::filesystem::canonical(name, ec);
  return ec ? name : resolved.string();
}

// The Debian package version of `package` from the dpkg database, "" if not installed.
std::string dpkg_version(const std::string& package) {
  std::ifstream in("/var/lib/dpkg/status");
  std::string line;
  bool in_package = false;
  while (std::getline(in, line)) {
    if (line.rfind("Package: ", 0) == 0) {
      in_package = line.substr(9) == package;
    } else if (in_package && line.rfind("Version: ", 0) == 0) {
      return line.substr(9);
    }
  }
  return "";
}

// Version and core of the BLAS at `library`: asked from the library itself where it can
// tell (OpenBLAS, BLIS), else the Debian package version. Symbols are looked up in that
// library and its dependencies only: libtorch also links libopenblas directly, so a
// global lookup would find OpenBLAS whatever libblas is in use.
void describe_blas(const std::string& library, const std::string& build, Fingerprint& fp) {
  void* handle = library.empty() ? nullptr : dlopen(library.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle != nullptr) {
    using TextFn = char* (*)();
    using ConstTextFn = const char* (*)();
    if (auto config = reinterpret_cast<TextFn>(dlsym(handle, "openblas_get_config"))) {
      fp.blas_version = config();
      if (auto core = reinterpret_cast<TextFn>(dlsym(handle, "openblas_get_corename"))) {
        fp.blas_core = core();
      }
    } else if (auto blis =
                   reinterpret_cast<ConstTextFn>(dlsym(handle, "bli_info_get_version_str"))) {
      fp.blas_version = std::string("BLIS ") + blis();
    }
    dlclose(handle);
  }
  if (fp.blas_version.empty()) {
    const std::string package = build == "reference" ? "libblas3"
                                : build == "atlas"   ? "libatlas3-base"
                                : build == "blis"    ? "libblis4-pthread"
                                                     : "";
    const std::string version = package.empty() ? "" : dpkg_version(package);
    if (!version.empty()) {
      fp.blas_version = package + " " + version;
    }
  }
}

std::vector<std::string> supported_capabilities() {
  std::vector<std::string> out = {"default"};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    out.push_back("avx2");
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    out.push_back("avx512");
  }
  return out;
}

std::string parallel_backend(const std::string& config) {
  const std::string info = at::get_parallel_info();
  std::smatch m;
  static const std::regex k_backend(R"(ATen parallel backend: ([^\n]+))");
  std::string backend = std::regex_search(info, m, k_backend) ? trim(m.str(1)) : "";
  static const std::regex k_openmp(R"(OpenMP (\d+))");
  if (backend == "OpenMP" && std::regex_search(config, m, k_openmp)) {
    backend += " " + m.str(1);
  }
  return backend;
}

// Name and driver of CUDA device 0 through the driver API, loaded at run time so the
// worker needs no CUDA headers or libraries to build.
void describe_cuda_device(Fingerprint& fp) {
  void* cuda = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (cuda == nullptr) {
    return;
  }
  using InitFn = int (*)(unsigned);
  using DeviceGetFn = int (*)(int*, int);
  using NameFn = int (*)(char*, int, int);
  using VersionFn = int (*)(int*);
  auto init = reinterpret_cast<InitFn>(dlsym(cuda, "cuInit"));
  auto device_get = reinterpret_cast<DeviceGetFn>(dlsym(cuda, "cuDeviceGet"));
  auto name = reinterpret_cast<NameFn>(dlsym(cuda, "cuDeviceGetName"));
  auto version = reinterpret_cast<VersionFn>(dlsym(cuda, "cuDriverGetVersion"));
  int device = 0;
  if (init != nullptr && device_get != nullptr && name != nullptr && init(0) == 0 &&
      device_get(&device, 0) == 0) {
    char text[256] = {};
    if (name(text, sizeof text, device) == 0) {
      fp.device_model = text;
    }
  }
  int driver = 0;
  if (version != nullptr && version(&driver) == 0) {
    fp.driver =
        "CUDA driver " + std::to_string(driver / 1000) + "." + std::to_string((driver % 1000) / 10);
  }
  dlclose(cuda);
}

}  // namespace

std::string blas_build_of(const std::filesystem::path& library) {
  const std::string folder = library.parent_path().filename().string();
  if (folder == "blas") {
    return "reference";
  }
  if (folder == "blis-pthread") {
    return "blis";
  }
  return folder;
}

std::string cpu_capability_from_config(std::string_view show_config) {
  const std::string_view key = "CPU capability usage:";
  const size_t at = show_config.find(key);
  if (at == std::string_view::npos) {
    return "";
  }
  const size_t end = show_config.find('\n', at);
  std::string value = trim(std::string(show_config.substr(at + key.size(), end - at - key.size())));
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value == "no avx" || value.empty()) {
    return "default";
  }
  return value;
}

Fingerprint collect_fingerprint(const std::string& device) {
  Fingerprint fp;
  fp.libtorch_version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                        std::to_string(TORCH_VERSION_MINOR) + "." +
                        std::to_string(TORCH_VERSION_PATCH);
  fp.blas_library = loaded_blas_library();
  fp.blas_build = fp.blas_library.empty() ? "" : blas_build_of(fp.blas_library);
  describe_blas(fp.blas_library, fp.blas_build, fp);
  const std::string config = torch::show_config();
  fp.cpu_capability = cpu_capability_from_config(config);
  fp.cpu_capabilities_supported = supported_capabilities();
  fp.cpu_model = field_of_file("/proc/cpuinfo", "model name", ':');
  fp.device = device;
  fp.cuda_unavailable_reason = cuda_unavailable_reason();
  fp.cuda_available = fp.cuda_unavailable_reason.empty();
  if (device == "gpu") {
    if (fp.cuda_available) {
      describe_cuda_device(fp);
    }
  } else {
    fp.device_model = fp.cpu_model;
  }
#if defined(__clang__)
  fp.compiler = std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  fp.compiler = std::string("GCC ") + __VERSION__;
#endif
  fp.libc = std::string("glibc ") + gnu_get_libc_version();
  std::string os = field_of_file("/etc/os-release", "PRETTY_NAME", '=');
  if (os.size() >= 2 && os.front() == '"' && os.back() == '"') {
    os = os.substr(1, os.size() - 2);
  }
  fp.os = os;
  fp.tbb_version = TBB_runtime_version();
  fp.parallel_backend = parallel_backend(config);
  fp.intra_op_threads = at::get_num_threads();
  fp.inter_op_threads = at::get_num_interop_threads();
  fp.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  for (const char* name : k_result_env) {
    if (const char* value = std::getenv(name)) {
      fp.env[name] = value;
    }
  }
  return fp;
}

}  // namespace repro
