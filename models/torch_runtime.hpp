// libtorch's per-process settings of a run, and which devices can run here.
#pragma once

#include <c10/core/Device.h>

#include <string>

#include "harness/trace/worker_config.hpp"

namespace repro {

// Applies the settings libtorch fixes per process, in the order it needs: inter-op
// threads first (libtorch refuses once inter-op work has started), then intra-op
// threads, then the deterministic-algorithms flag (errors, not warnings, for ops
// without a deterministic implementation). Call once, before any tensor work.
void apply_torch_settings(const RunSettings& settings);

// Why CUDA cannot be used here ("libtorch built without CUDA", "no CUDA device"), or ""
// when it can.
std::string cuda_unavailable_reason();

// "" when `device` ("cpu" or "gpu") can run here, else why not (cuda_unavailable_reason()).
std::string device_unavailable_reason(const std::string& device);

// Sets the thread count of the loaded BLAS where it has a run-time knob (OpenBLAS's
// openblas_set_num_threads, BLIS's bli_thread_set_num_threads); the reference BLAS and
// ATLAS are single-threaded or fixed at build time. Returns whether a knob was found.
bool set_blas_threads(int threads);

// The libtorch device for "cpu" or "gpu" (cuda:0).
c10::Device torch_device(const std::string& device);

}  // namespace repro
