// Collects the environment Fingerprint of this worker process (it needs libtorch).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "harness/trace/fingerprint.hpp"

namespace repro {

// The fingerprint of this process for a run on `device` ("cpu" or "gpu"): libtorch
// version, the libblas.so.3 actually loaded (resolved path, build, version, OpenBLAS
// core), ATen CPU capability in use and supported, CPU model, device and driver,
// compiler, libc, OS, TBB version, parallel backend, thread counts as configured now,
// and the result-relevant environment variables that are set. Never throws: a fact
// that cannot be found is left empty.
Fingerprint collect_fingerprint(const std::string& device);

// The BLAS build named by the folder of a resolved libblas path, as the `blas` axis
// spells it: blas -> "reference", atlas -> "atlas", blis-pthread -> "blis",
// openblas-pthread / openblas-openmp unchanged; any other folder: its name.
std::string blas_build_of(const std::filesystem::path& library);

// "avx2", "avx512" or "default" from torch::show_config()'s "CPU capability usage:" line
// ("" when the line is missing).
std::string cpu_capability_from_config(std::string_view show_config);

}  // namespace repro
