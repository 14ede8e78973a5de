// GoldenClass: the per-cell environment class a golden cell is stored and looked up under.
//
// A class holds only the fingerprint fields that can change that cell's bits (the rule
// and its evidence are in docs/goldens.md):
//   libtorch_version, blas_build, blas_version, cpu_capability, device   always;
//   blas_core      only for OpenBLAS builds (they pick kernels by CPU core at run time);
//   cpu_model, cpu_isa  only for BLIS (it picks kernels by CPU too, but names no core;
//                  cpu_isa is the widest ATen capability the CPU supports);
//   device_model   only for gpu cells.
// The reference BLAS and ATLAS carry no CPU field: with a fixed ATen capability their
// cells are portable across x86-64 machines, so their goldens are compared everywhere.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/trace/fingerprint.hpp"

namespace repro {

// (field, value) pairs of a class in a fixed order.
using ClassFields = std::vector<std::pair<std::string, std::string>>;

// The class fields of a cell that ran with `fp`.
ClassFields golden_class_fields(const Fingerprint& fp);

// A file-name-safe class name from the fields, e.g.
// "libtorch-1.13.0_openblas-pthread-0.3.21-haswell_avx2_cpu" or
// "libtorch-1.13.0_reference-3.11.0_avx2_cpu".
std::string golden_class_name(const ClassFields& fields);

// True when no field of the class names the machine's CPU (blas_core, cpu_model) or GPU
// model: such a cell is expected to give the same bits on every machine with its
// capability, and `--require-golden=portable` requires a golden for it.
bool golden_class_portable(const ClassFields& fields);

// "blas_core Cooperlake→Haswell" for every field whose value differs (from -> to); a
// field only one side has reads "(none)" on the other.
std::vector<std::string> golden_class_differences(const ClassFields& from, const ClassFields& to);

}  // namespace repro
