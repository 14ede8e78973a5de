// LibraryVersions: what changing the worker environment (another libtorch) did, for people.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/plan/cell.hpp"
#include "harness/trace/trace.hpp"
#include "harness/verdict/op_localization.hpp"

namespace repro {

// What else changed in the fingerprint between two traces besides libtorch (a library
// upgrade brings its stack: BLAS, default CPU capability, compiler, libc, oneTBB, OS), as
// "OpenBLAS 0.3.21 → OpenBLAS 0.3.29", "cpu_capability avx2 → avx512", ...; fields
// missing from either trace are left out.
std::vector<std::string> companion_changes(const Trace& from, const Trace& to);

// The libtorch version a trace's header fingerprint names; "unknown" when absent.
std::string trace_libtorch_version(const Trace& trace);

// What one cell's worker environment did: the cell's id and the line for people.
struct LibraryVersionLine {
  std::string cell_id;  // empty when only the text is known (a shard report's finding)
  std::string text;
  std::string advice;  // how to tell the changes apart ("" when there is nothing to add)
};

// One line per cell whose `worker` setting differs from the baseline's and that ran:
// "worker default → debian13 (libtorch 1.13.0 → 2.6.0): differs at step 1 in loss_bits
// (...); loss non-finite from step 1 ...", or "...: identical (4 steps)". Empty when
// the baseline did not run or no cell changes the worker. The report adds the cell's
// first divergent op once the diagnosis has localized it (with_first_divergent_op).
std::vector<LibraryVersionLine> library_version_lines(const std::vector<CellRun>& runs);

// `line`'s text, plus "; the first divergent op is ..." when `op` localized the
// divergence to an op (or to ops the two libraries run differently), then its advice.
std::string with_first_divergent_op(const LibraryVersionLine& line,
                                    const std::optional<OpLocalization>& op);

}  // namespace repro
