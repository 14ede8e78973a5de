// Matrix: expands axes into cells (one-factor-at-a-time or full factorial) and shards them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/cell.hpp"

namespace repro {

// How axes combine into cells.
enum class Design {
  ofat,  // baseline, its repeat, and one cell per other value of each axis varied alone
  full,  // the factorial product of all values (baseline and repeat included)
};

// "ofat" / "full"; and back (throws repro::Error(source, field, ...) for anything else).
std::string_view to_string(Design design);
Design design_from_string(std::string_view text, const std::string& source,
                          const std::string& field);

// One axis of a matrix: its name and canonical values; values.front() is the baseline.
struct MatrixAxis {
  std::string name;
  std::vector<std::string> values;
};

// The cells of `axes` under `design`, in a fixed order:
//   cells[0] is the baseline (the first value of every axis), cells[1] its repeat (same
//   settings, id "<key>#repeat"), then
//   ofat: for each axis in order, one cell per other value in order (varied_axis set);
//         1 + sum(|values| - 1) cells plus the repeat;
//   full: every other combination, in odometer order with the last axis varying fastest;
//         the product of |values| cells plus the repeat.
// Cell ids are settings_key(settings). Preconditions (asserted; suites validate them):
// at least one axis, no axis without values, no duplicate names or values.
// `repeats` (>= 1) repeat cells follow the baseline: ids "<key>#repeat", then
// "<key>#repeat2", "<key>#repeat3", ...
std::vector<Cell> expand_matrix(const std::vector<MatrixAxis>& axes, Design design,
                                int repeats = 1);

// Shard `index` of `count` (0 <= index < count): the cells at positions p with
// p % count == index. Round-robin over the expansion order, so shards differ in size by at
// most one, are disjoint, together hold every cell, and are stable from run to run for the
// same suite and overrides (the expansion order is). The baseline (position 0) is in shard 0.
std::vector<Cell> shard(const std::vector<Cell>& cells, int index, int count);

struct ShardSpec {
  int index = 0;
  int count = 1;
};

// Parses "i/N" (0 <= i < N, e.g. "0/3", "1/3", "2/3"). Throws repro::Error naming `source`.
ShardSpec parse_shard(std::string_view text, const std::string& source);

}  // namespace repro
