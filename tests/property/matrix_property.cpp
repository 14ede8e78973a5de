// Matrix properties: cell counts of both designs, and sharding that partitions the cells stably.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "harness/plan/matrix.hpp"
#include "harness/util/str_cat.hpp"

namespace repro {
namespace {

// 1 to 4 axes, each with 1 to 4 distinct values.
rc::Gen<std::vector<MatrixAxis>> gen_axes() {
  return rc::gen::exec([] {
    auto n = *rc::gen::inRange(1, 5);
    std::vector<MatrixAxis> axes;
    for (int a = 0; a < n; ++a) {
      auto count = *rc::gen::inRange(1, 5);
      MatrixAxis axis{str_cat("axis", std::to_string(a)), {}};
      for (int v = 0; v < count; ++v) {
        axis.values.push_back(str_cat("v", std::to_string(v)));
      }
      axes.push_back(axis);
    }
    return axes;
  });
}

std::set<std::string> ids_of(const std::vector<Cell>& cells) {
  std::set<std::string> ids;
  for (const auto& c : cells) {
    ids.insert(c.id);
  }
  return ids;
}

RC_GTEST_PROP(MatrixProperty, OfatYieldsOnePlusSumOfOtherValuesPlusRepeat, ()) {
  auto axes = *gen_axes();
  size_t expected = 1;
  for (const auto& a : axes) {
    expected += a.values.size() - 1;
  }
  auto cells = expand_matrix(axes, Design::ofat);
  RC_ASSERT(cells.size() == expected + 1);
  RC_ASSERT(cells[0].role == CellRole::baseline);
  RC_ASSERT(cells[1].role == CellRole::repeat);
  RC_ASSERT(cells[1].settings == cells[0].settings);
  for (size_t i = 2; i < cells.size(); ++i) {
    // Exactly one axis differs from the baseline, and it is the one named.
    int differing = 0;
    for (const auto& [axis, value] : cells[i].settings) {
      differing += value != cells[0].settings.at(axis) ? 1 : 0;
    }
    RC_ASSERT(differing == 1);
    RC_ASSERT(cells[i].settings.at(cells[i].varied_axis) !=
              cells[0].settings.at(cells[i].varied_axis));
  }
  RC_ASSERT(ids_of(cells).size() == cells.size());  // ids unique
}

RC_GTEST_PROP(MatrixProperty, FullYieldsTheProductPlusRepeat, ()) {
  auto axes = *gen_axes();
  size_t product = 1;
  for (const auto& a : axes) {
    product *= a.values.size();
  }
  auto cells = expand_matrix(axes, Design::full);
  RC_ASSERT(cells.size() == product + 1);
  std::set<Settings> distinct;
  for (const auto& c : cells) {
    distinct.insert(c.settings);
  }
  RC_ASSERT(distinct.size() == product);
}

RC_GTEST_PROP(MatrixProperty, ShardsAreDisjointCoverEverythingAndAreStable, ()) {
  auto axes = *gen_axes();
  auto design = *rc::gen::element(Design::ofat, Design::full);
  auto count = *rc::gen::inRange(1, 7);
  auto cells = expand_matrix(axes, design);
  std::multiset<std::string> seen;
  for (int i = 0; i < count; ++i) {
    auto part = shard(cells, i, count);
    auto again = shard(expand_matrix(axes, design), i, count);
    RC_ASSERT(ids_of(part) == ids_of(again));  // stable across runs
    for (const auto& c : part) {
      seen.insert(c.id);
    }
  }
  RC_ASSERT(seen.size() == cells.size());  // disjoint: nothing twice
  RC_ASSERT(std::set<std::string>(seen.begin(), seen.end()) == ids_of(cells));  // union: all
}

}  // namespace
}  // namespace repro
