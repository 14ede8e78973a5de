// Partition: every reference vector (Python hashlib) and the id rules.
#include "models/data/partition.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/test_paths.hpp"

namespace repro {
namespace {

struct Vector {
  std::string id;
  std::string md5;
  int fold;
};

std::vector<Vector> load_vectors() {
  auto path = test::vectors_dir() / "partition_md5.tsv";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path << " (set REPRO_VECTORS_DIR)";
  std::vector<Vector> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream fields(line);
    Vector v;
    std::string fold;
    std::getline(fields, v.id, '\t');
    std::getline(fields, v.md5, '\t');
    std::getline(fields, fold, '\t');
    v.fold = std::stoi(fold);
    out.push_back(v);
  }
  return out;
}

TEST(Partition, MatchesEveryReferenceVector) {
  auto vectors = load_vectors();
  ASSERT_GT(vectors.size(), 1000u);
  for (const auto& v : vectors) {
    EXPECT_EQ(md5_hex(v.id), v.md5) << v.id;
    EXPECT_EQ(fold_of(v.id), v.fold) << v.id;
  }
}

TEST(Partition, PinsKnownFolds) {
  EXPECT_EQ(md5_hex("Abyssinian_1"), "4f51e517a08d6f38e96a297acca39c08");
  EXPECT_EQ(fold_of("Abyssinian_1"), 8);
  EXPECT_EQ(fold_of("Abyssinian_2"), 2);
}

TEST(Partition, FoldsMapToSplits) {
  for (int fold = 0; fold <= 6; ++fold) {
    EXPECT_EQ(split_of_fold(fold), Split::train);
  }
  EXPECT_EQ(split_of_fold(7), Split::validation);
  EXPECT_EQ(split_of_fold(8), Split::calibration);
  EXPECT_EQ(split_of_fold(9), Split::test);
}

TEST(Partition, IdIsFileNameWithoutDirectoryAndExtension) {
  EXPECT_EQ(id_from_path("images/Abyssinian_12.jpg"), "Abyssinian_12");
  EXPECT_EQ(id_from_path("/data/pets/annotations/trimaps/yorkshire_terrier_3.png"),
            "yorkshire_terrier_3");
  EXPECT_EQ(id_from_path("Bombay_3"), "Bombay_3");
  EXPECT_EQ(id_from_path("a.b/x.tar.gz"), "x.tar");
  EXPECT_EQ(id_from_path("images/Bombay_3.JPG"), "Bombay_3");
}

TEST(Partition, IdsAreCaseSensitive) {
  EXPECT_NE(md5_hex("abyssinian_1"), md5_hex("Abyssinian_1"));
}

TEST(Partition, GroupsAreSortedByIdAndDeduplicated) {
  std::vector<std::string> ids = {"pug_3", "Bombay_1", "pug_3", "beagle_10", "beagle_2"};
  Partition p = partition_ids(ids);
  size_t total = 0;
  for (const auto& group : p.ids) {
    EXPECT_TRUE(std::is_sorted(group.begin(), group.end()));
    total += group.size();
  }
  EXPECT_EQ(total, 4u);
}

}  // namespace
}  // namespace repro
