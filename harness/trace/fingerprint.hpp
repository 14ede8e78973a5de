// Fingerprint: the environment facts that decide a training run's bits.
//
// The worker collects it (models/torch_fingerprint.cpp: it needs libtorch); the
// checker only reads it, from `repro-worker --fingerprint` or a trace header.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace repro {

inline constexpr int k_fingerprint_format_version = 1;

struct Fingerprint {
  std::string libtorch_version;  // "1.13.0"
  std::string blas_build;    // "openblas-pthread", "atlas", "blis", "reference", "openblas-openmp"
                             // (the blas axis values)
  std::string blas_library;  // resolved path of the libblas actually loaded
  std::string blas_version;  // e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX"
  std::string blas_core;     // OpenBLAS core type in use, else ""
  std::string cpu_capability;  // ATen dispatch in use: "default", "avx2", "avx512"
  std::vector<std::string> cpu_capabilities_supported;  // by this CPU and build
  std::string cpu_model;                                // /proc/cpuinfo model name
  std::string device;                                   // "cpu" or "gpu" (the device the run used)
  std::string device_model;                             // GPU name for gpu; CPU model for cpu
  std::string driver;                                   // CUDA driver/runtime, "" on cpu
  bool cuda_available = false;
  std::string cuda_unavailable_reason;  // "libtorch built without CUDA", "no CUDA device", ""
  std::string compiler;                 // "GCC 12.2.0"
  std::string libc;                     // "glibc 2.36"
  std::string os;                       // PRETTY_NAME from /etc/os-release
  std::string tbb_version;              // oneTBB runtime version
  std::string parallel_backend;         // "OpenMP 201511"
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  int hardware_threads = 0;
  std::map<std::string, std::string> env;  // result-relevant environment variables as set

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// JSON with "format_version"; from_json validates every field and throws
// repro::Error naming `source` and the field.
nlohmann::json to_json(const Fingerprint& fp);
Fingerprint fingerprint_from_json(const nlohmann::json& j, const std::string& source);

// The fields that decide results, as (name, value) pairs in a fixed order:
// libtorch version, BLAS build and version and core, CPU capability, device model.
std::vector<std::pair<std::string, std::string>> environment_class_fields(const Fingerprint& fp);

// A file-name-safe class name built from environment_class_fields(), e.g.
// "libtorch-1.13.0_openblas-pthread-0.3.21-skylakex_avx2_cpu". Two fingerprints
// with the same class are expected to produce the same bits.
std::string environment_class(const Fingerprint& fp);

// Names of the class fields whose values differ ("blas_version: 0.3.21 -> 0.3.26").
std::vector<std::string> environment_class_differences(const Fingerprint& a, const Fingerprint& b);

// "OpenBLAS 0.3.21 DYNAMIC_ARCH ..." -> "0.3.21": the first dotted version number in
// `text`, or `text` itself when it has none.
std::string short_version(const std::string& text);

// Lowercase letters, digits and '.', every other run as one '-', no trailing '-':
// "AMD EPYC" -> "amd-epyc"; "unknown" when nothing is left (environment class names).
std::string slug(const std::string& text);

}  // namespace repro
