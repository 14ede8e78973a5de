// GoldenFile: the blessed digests of one suite in one environment class, and its format.
// Written by golden_writer.hpp, read and validated by golden_reader.hpp.
//
// Format (version 1), written only by serialize_golden(), byte for byte:
//
//   {
//     "format_version": 1,
//     "suite": "smoke",
//     "environment_class": "libtorch-1.13.1_openblas-pthread-0.3.21-skylakex_avx2_cpu",
//     "blessed_at": "2024-05-01T12:00:00Z",          UTC ISO-8601
//     "reason": "initial bless",
//     "digest_algorithm": "xxh3-128",
//     "fingerprint": {                                 harness/trace/fingerprint.hpp, keys sorted
//       "blas_build": "openblas-pthread",
//       "cpu_capabilities_supported": ["default", "avx2", "avx512"],
//       ...
//     },
//     "cells": {                                       keyed by settings_key(), sorted
//       "blas=openblas-pthread,threads=1": [           one object per step, in order
//         {
//           "step": 0,
//           "root": "<32 hex>",                        step_root() over the tensors below
//           "loss_bits": "3f8ccccd",
//           "tensors": {                               trace (causal) order, one per line
//             "batch.images": "<32 hex>",
//             "enc1.conv1.weight.grad": "<32 hex>"
//           }
//         }
//       ]
//     },
//     "checksum": "<32 hex>"                           see below
//   }
//
// Two spaces of indentation, arrays of plain values on one line, '\n' line ends, a
// final newline. `checksum` is XXH3-128 (digest_bytes) over the file as
// serialize_golden() writes it without the checksum member (and without the comma
// before it). A reader re-serializes what it parsed and requires the exact bytes
// back, so any truncation or byte change (even a flipped hex digit, a changed key or
// a whitespace edit) is rejected with an Error: a golden file is only ever written
// by `repro-check bless`. The checksum is for change detection, not security.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/digest.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/compare.hpp"

namespace repro {

inline constexpr int k_golden_format_version = 1;

// One step's digests: the root and each tensor's digest in trace order.
struct GoldenStep {
  Digest root;
  std::string loss_bits;
  std::vector<std::pair<std::string, Digest>> tensors;
  friend bool operator==(const GoldenStep&, const GoldenStep&) = default;
};

// One cell: its steps, steps[i] is step i.
struct GoldenCell {
  std::vector<GoldenStep> steps;
  friend bool operator==(const GoldenCell&, const GoldenCell&) = default;
};

struct GoldenFile {
  std::string suite;
  std::string environment_class;  // environment_class(fingerprint)
  Fingerprint fingerprint;
  std::string blessed_at;  // UTC ISO-8601
  std::string reason;
  std::string digest_algorithm = std::string(k_digest_algorithm);
  std::map<std::string, GoldenCell> cells;  // by settings_key(settings)
  friend bool operator==(const GoldenFile&, const GoldenFile&) = default;
};

// The golden digests of one trace.
GoldenCell golden_cell_from_trace(const Trace& trace);

// A golden from a finished run: every cell that ran with a complete trace, keyed by
// its settings; repeat cells are left out (they share the baseline's key). Cells that
// did not run are left out too: the caller decides whether that is acceptable.
GoldenFile make_golden(const std::string& suite, const Fingerprint& fingerprint,
                       const std::vector<CellRun>& runs, std::string reason,
                       std::string blessed_at);

// Compares a run's trace with a golden cell (the golden is the reference side).
// Batch ids are not stored in goldens, so a data-order change shows up through the
// batch tensors' digests; kinds come from the trace.
Comparison compare_with_golden(const GoldenCell& golden, const Trace& trace);

}  // namespace repro
