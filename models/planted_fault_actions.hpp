// Planted fault actions: the small pieces of deliberate nondeterminism and corruption the
// planted faults (planted_fault.hpp) are made of. Test-only; see docs/canaries.md.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace repro {

// A seed from std::random_device: different in every process (what "unseeded" means).
std::uint64_t entropy_seed();

// The wall-clock second (time(nullptr)) as a seed, then a wait until the clock shows the
// next second, so that a worker started after this one ends can never draw the same seed.
std::uint64_t time_seed_then_wait_for_next_second();

// Flips the lowest mantissa bit of the first element of a float32 tensor in place (one
// ULP), outside autograd.
void flip_one_ulp(at::Tensor& tensor);

// A 0-dim float32 copy of `loss` one ULP larger.
at::Tensor one_ulp_larger(const at::Tensor& loss);

}  // namespace repro
