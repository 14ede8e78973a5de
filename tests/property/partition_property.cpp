// Partition stability: a pet's fold depends on its id alone, so a lost dataset regenerates exactly.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "harness/util/atomic_file.hpp"
#include "harness/util/subprocess.hpp"
#include "harness/util/utf8.hpp"
#include "models/data/partition.hpp"
#include "tests/support/generators.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

using test::arbitrary_pet_id;
using test::oxford_pet_id;

// Python's int(hexdigest, 16) % 10, computed a second, independent way: the whole
// 128-bit number at once.
int fold_by_uint128(const std::string& md5) {
  __extension__ using uint128 = unsigned __int128;
  uint128 value = 0;
  for (char c : md5) {
    value = value * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return static_cast<int>(value % 10);
}

std::optional<Split> split_holding(const Partition& p, const std::string& id) {
  for (size_t s = 0; s < p.ids.size(); ++s) {
    if (std::binary_search(p.ids[s].begin(), p.ids[s].end(), id)) {
      return static_cast<Split>(s);
    }
  }
  return std::nullopt;
}

struct ReferenceRow {
  std::string id;
  std::string md5;
  int fold;
};

// tests/data/partition_md5.tsv: id, md5 hex and fold computed with Python's hashlib.
const std::vector<ReferenceRow>& reference_rows() {
  static const std::vector<ReferenceRow> rows = [] {
    std::vector<ReferenceRow> out;
    std::string text = read_file(test::vectors_dir() / "partition_md5.tsv");
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      std::string line = text.substr(pos, eol - pos);
      pos = eol == std::string::npos ? text.size() : eol + 1;
      if (line.empty() || line[0] == '#') {
        continue;
      }
      size_t t1 = line.find('\t');
      size_t t2 = line.find('\t', t1 + 1);
      out.push_back(
          {line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), std::stoi(line.substr(t2 + 1))});
    }
    return out;
  }();
  return rows;
}

// Compatibility with the original study's Python: any reference row, found through any
// file path that names it, gets Python's md5 and fold.
RC_GTEST_PROP(PartitionProperty, MatchesPythonHashlibThroughAnyFilePath, ()) {
  const auto& rows = reference_rows();
  RC_ASSERT(rows.size() > 1000u);
  const auto& row = rows[*rc::gen::inRange<size_t>(0, rows.size())];
  auto dir = *rc::gen::element<std::string>("", "images/", "/data/Oxford-IIIT Pet/images/");
  auto ext = *rc::gen::element<std::string>(".jpg", ".png", ".jpeg");
  std::string id = id_from_path(dir + row.id + ext);
  RC_ASSERT(md5_hex(id) == row.md5);
  RC_ASSERT(fold_of(id) == row.fold);
}

RC_GTEST_PROP(PartitionProperty, FoldIsMd5AsIntegerModTen, ()) {
  auto id = *rc::gen::oneOf(arbitrary_pet_id(), oxford_pet_id());
  RC_ASSERT(fold_of(id) == fold_by_uint128(md5_hex(id)));
}

RC_GTEST_PROP(PartitionProperty, SplitDependsOnIdAloneNotOnOrderOrCompany, ()) {
  auto id = *oxford_pet_id();
  auto others = *rc::gen::container<std::vector<std::string>>(oxford_pet_id());
  auto removed = *rc::gen::container<std::vector<std::string>>(oxford_pet_id());
  std::vector<std::string> first = others;
  first.push_back(id);
  first.insert(first.end(), removed.begin(), removed.end());
  // A random permutation of the others: sort them by random keys.
  auto keys = *rc::gen::container<std::vector<int>>(others.size(), rc::gen::arbitrary<int>());
  std::vector<size_t> order(others.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<std::string> second;
  for (size_t i : order) {
    second.push_back(others[i]);
  }
  second.insert(second.begin() + static_cast<long>(*rc::gen::inRange<size_t>(0, second.size() + 1)),
                id);
  RC_ASSERT(split_holding(partition_ids(first), id) == split_of(id));
  RC_ASSERT(split_holding(partition_ids(second), id) == split_of(id));
}

RC_GTEST_PROP(PartitionProperty, DirectoryAndExtensionDoNotChangeTheId, ()) {
  auto id = *arbitrary_pet_id();
  auto dirs = *rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("images", "data", "Oxford Pets", "тримапы", "a.b"));
  auto ext = *rc::gen::element<std::string>(".jpg", ".jpeg", ".png", ".JPG", ".PNG");
  std::string path;
  for (const auto& d : dirs) {
    path += d + "/";
  }
  path += id + ext;
  RC_ASSERT(id_from_path(path) == id);  // byte-equal: case kept, extension stripped
  RC_ASSERT(fold_of(id_from_path(path)) == fold_of(id));
}

RC_GTEST_PROP(PartitionProperty, SplitsAreDisjointAndCoverTheDataset, ()) {
  auto ids = *rc::gen::container<std::vector<std::string>>(
      rc::gen::oneOf(oxford_pet_id(), arbitrary_pet_id()));
  Partition p = partition_ids(ids);
  std::multiset<std::string> seen;
  for (const auto& group : p.ids) {
    seen.insert(group.begin(), group.end());
  }
  std::set<std::string> unique(ids.begin(), ids.end());
  RC_ASSERT(seen.size() == unique.size());  // each id exactly once
  RC_ASSERT(std::set<std::string>(seen.begin(), seen.end()) == unique);
  for (const auto& id : unique) {
    RC_ASSERT(split_holding(p, id) == split_of(id));
  }
}

// Over n = 20,000 distinct ids each fold's count is Binomial(n, p) with p ~ 1/10
// (exactly: folds 0-5 hold one value more of 2^128 than folds 6-9, a 3e-38 effect).
// sigma = sqrt(n p (1-p)) = 42.4. We allow |count - n/10| <= 6 sigma = 255: for one
// fold the chance to exceed it is below 2e-9 (normal tail; the binomial tail is
// lighter still), so 10 folds x 100 cases x a nightly fresh seed for a year stay
// below 1e-3: a failure means a broken hash or modulus, not bad luck.
RC_GTEST_PROP(PartitionProperty, FoldProportionsStayWithinBinomialBound, ()) {
  constexpr int k_n = 20000;
  const double sigma = std::sqrt(k_n * 0.1 * 0.9);
  auto prefix = *arbitrary_pet_id();
  std::array<int, 10> counts{};
  for (int i = 0; i < k_n; ++i) {
    ++counts[static_cast<size_t>(fold_of(prefix + "_" + std::to_string(i)))];
  }
  for (int fold = 0; fold < 10; ++fold) {
    RC_ASSERT(std::abs(counts[static_cast<size_t>(fold)] - k_n / 10) <= 6 * sigma);
  }
}

// The command line keeps arbitrary UTF-8 ids exactly (spaces, non-ASCII, 4 KB long).
RC_GTEST_PROP(PartitionProperty, CommandKeepsArbitraryUtf8IdsExactly, ()) {
  auto ids = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::suchThat(arbitrary_pet_id(), [](const std::string& s) {
        return s.find('\t') == std::string::npos && s.back() != '\r' && s.front() != '#';
      })));
  for (const auto& id : ids) {
    RC_ASSERT(is_valid_utf8(id));
  }
  test::TempDir dir;
  std::string text;
  for (const auto& id : ids) {
    text += id + "\n";
  }
  write_file_atomic(dir / "ids.txt", text);
  ProcessSpec spec;
  spec.program = test::bin_dir() / "repro-check";
  spec.args = {"partition", "--quiet", "--ids-file", (dir / "ids.txt").string()};
  spec.env = current_environment();
  spec.stdout_path = dir / "out.tsv";
  ProcessResult r = run_process(spec);
  RC_ASSERT(r.exit_code == 0);
  std::string out = read_file(dir / "out.tsv");
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    lines.push_back(out.substr(pos, eol - pos));
    pos = eol + 1;
  }
  RC_ASSERT(lines.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string expected = ids[i] + "\t" + std::to_string(fold_of(ids[i])) + "\t" +
                           std::string(to_string(split_of(ids[i])));
    RC_ASSERT(lines[i] == expected);
  }
}

// The id is the file name byte for byte: case is kept, so "Bombay_3" and "bombay_3"
// are two pets with two independent folds.
RC_GTEST_PROP(PartitionProperty, IdIsCaseSensitive, ()) {
  auto id = *oxford_pet_id();
  std::string flipped = id;
  flipped[0] = static_cast<char>(std::isupper(static_cast<unsigned char>(id[0]))
                                     ? std::tolower(static_cast<unsigned char>(id[0]))
                                     : std::toupper(static_cast<unsigned char>(id[0])));
  RC_ASSERT(id_from_path("images/" + flipped + ".jpg") == flipped);
  RC_ASSERT(md5_hex(flipped) != md5_hex(id));
}

}  // namespace
}  // namespace repro
