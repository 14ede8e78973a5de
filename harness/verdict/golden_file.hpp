// GoldenFile: the blessed digests of one suite in one environment class, and its format.
// Written by golden_writer.hpp, read and validated by golden_reader.hpp.
//
// Format (version 2), written only by serialize_golden(), byte for byte:
//
//   {
//     "format_version": 2,
//     "suite": "pr",
//     "environment_class": "libtorch-1.13.0_reference-3.11.0_avx2_cpu",
//     "class_fields": {                                golden_class.hpp: what decides the bits
//       "libtorch_version": "1.13.0", "blas_build": "reference", ...   (one per line)
//     },
//     "digest_algorithm": "xxh3-128",
//     "cells": {                                       keyed by settings_key(), sorted
//       "blas=reference,cpu_capability=avx2,threads=1": {
//         "provenance": {
//           "blessed_at": "2026-11-27T06:00:00Z",      UTC ISO-8601
//           "reason": "why these digests are right",
//           "commit": "9ab2714...",                    "" outside a git checkout
//           "source": "run",                           or "report RUN.json" (bless --from-report)
//           "fingerprint": {...}                       the cell's own, keys sorted
//         },
//         "config_hash": "<32 hex>",                   digest of `config` (see golden_config.hpp)
//         "config": {"data.count": 40, ...},           the worker config, flattened, sorted
//         "steps": [                                   one object per step, in order
//           {"step": 0, "root": "<32 hex>", "loss_bits": "3f8ccccd",
//            "tensors": {"batch.images": "<32 hex>", ...}}   trace order, one per line
//         ]
//       }
//     },
//     "checksum": "<32 hex>"
//   }
//
// Two spaces of indentation, objects one member per line, arrays of plain values on one
// line, '\n' line ends, a final newline. `checksum` is XXH3-128 over the file as written
// without the checksum member (and the comma before it). A reader re-serializes what it
// parsed and requires the exact bytes back, so any truncation or byte change is rejected.
// Format 1 (one class per suite run, no provenance per cell) is refused as too old.
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
#include "harness/verdict/golden_class.hpp"
#include "harness/verdict/golden_config.hpp"

namespace repro {

inline constexpr int k_golden_format_version = 2;

// One step's digests: the root and each tensor's digest in trace order.
struct GoldenStep {
  Digest root;
  std::string loss_bits;
  std::vector<std::pair<std::string, Digest>> tensors;
  friend bool operator==(const GoldenStep&, const GoldenStep&) = default;
};

// Where a golden cell came from.
struct GoldenProvenance {
  std::string blessed_at;  // UTC ISO-8601
  std::string reason;
  std::string commit;       // git commit of the checkout that blessed, "" when none
  std::string source;       // "run" or "report <file>"
  Fingerprint fingerprint;  // the cell's own
  friend bool operator==(const GoldenProvenance&, const GoldenProvenance&) = default;
};

// One cell: provenance, the workload it ran, its steps (steps[i] is step i).
struct GoldenCell {
  GoldenProvenance provenance;
  ConfigFields config;
  std::vector<GoldenStep> steps;
  friend bool operator==(const GoldenCell&, const GoldenCell&) = default;
};

struct GoldenFile {
  std::string suite;
  std::string environment_class;  // golden_class_name(class_fields)
  ClassFields class_fields;
  std::string digest_algorithm = std::string(k_digest_algorithm);
  std::map<std::string, GoldenCell> cells;  // by settings_key(settings)
  friend bool operator==(const GoldenFile&, const GoldenFile&) = default;
};

// One run's cell ready to bless: its key, class and golden cell.
struct GoldenCandidate {
  std::string key;  // settings_key(settings)
  ClassFields class_fields;
  std::string environment_class;
  GoldenCell cell;
};

// The fingerprint a run's cell ran with: its trace header's, else `fallback` (a trace
// without one, or with one that does not parse).
Fingerprint cell_fingerprint(const CellRun& run, const Fingerprint& fallback);

// The golden digests of one trace (provenance left empty but for the fingerprint).
GoldenCell golden_cell_from_trace(const Trace& trace, const Fingerprint& fingerprint);

// The candidates of a finished run: every cell that ran with a complete trace, keyed by its
// settings; repeat cells are left out (they share the baseline's key).
std::vector<GoldenCandidate> golden_candidates(const std::vector<CellRun>& runs,
                                               const Fingerprint& fallback);

// Groups candidates into one GoldenFile per class with `provenance` (its fingerprint is
// replaced by each cell's own). Cells of other classes are never mixed.
std::vector<GoldenFile> make_goldens(const std::string& suite,
                                     const std::vector<GoldenCandidate>& candidates,
                                     const GoldenProvenance& provenance);

// Compares a run's trace with a golden cell (the golden is the reference side).
// Batch ids are not stored in goldens, so a data-order change shows up through the
// batch tensors' digests; kinds come from the trace.
Comparison compare_with_golden(const GoldenCell& golden, const Trace& trace);

// The decimal value of loss bits ("3f8ccccd" -> 1.1): 8 hex digits are a float32, 16 a
// float64; nullopt otherwise.
std::optional<double> loss_from_bits(const std::string& bits);

}  // namespace repro
