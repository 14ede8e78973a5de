// Oxford-IIIT Pet layout: reading fixtures the test writes, bad files, split order.
#include "models/data/oxford_pets.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "models/data/dataset_listing.hpp"
#include "models/data/jpeg_codec.hpp"
#include "models/data/partition.hpp"
#include "models/data/pet_dataset.hpp"
#include "models/data/png_codec.hpp"
#include "models/data/synthetic_pets.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

std::vector<PetSample> pets(int count, int size) {
  return generate_synthetic_pets(count, size, /*seed=*/21);
}

// Expects `call` to throw repro::Error whose file is `file`.
template <typename Call>
void expect_error_naming(Call call, const std::filesystem::path& file) {
  try {
    call();
    FAIL() << "no error for " << file;
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), file.string()) << e.what();
  }
}

TEST(OxfordPets, ReadsWhatWasWrittenAndResizes) {
  test::TempDir dir;
  const auto samples = pets(/*count=*/3, /*size=*/40);
  write_oxford_layout(dir.path(), samples);
  const auto files = list_dataset(dir.path());
  ASSERT_EQ(files.size(), 3u);
  const PetSample read = read_oxford_sample(files[0], /*image_size=*/20);
  EXPECT_EQ(read.image.width, 20);
  EXPECT_EQ(read.image.height, 20);
  const PetSample* original = nullptr;
  for (const auto& s : samples) {
    if (s.id == files[0].id) {
      original = &s;
    }
  }
  ASSERT_NE(original, nullptr);
  // Trimaps are lossless: nearest resize of the original equals what was read.
  EXPECT_EQ(read.trimap, resize_nearest(original->trimap, 20, 20));
  // Same size: the photo comes back within JPEG error.
  const PetSample full = read_oxford_sample(files[0], /*image_size=*/40);
  double error = 0;
  for (size_t i = 0; i < full.image.pixels.size(); ++i) {
    error += std::abs(int{full.image.pixels[i]} - int{original->image.pixels[i]});
  }
  EXPECT_LT(error / static_cast<double>(full.image.pixels.size()), 12.0);
}

TEST(OxfordPets, AcceptsPngContentInsideJpgName) {
  test::TempDir dir;
  const auto sample = pets(/*count=*/1, /*size=*/16)[0];
  write_png(dir / "images" / (sample.id + ".jpg"), sample.image);
  write_png(dir / "annotations" / "trimaps" / (sample.id + ".png"), sample.trimap);
  const auto read = read_oxford_sample(list_dataset(dir.path())[0], /*image_size=*/16);
  EXPECT_EQ(read.image, sample.image);
}

TEST(OxfordPets, CorruptJpegIsAnErrorNamingIt) {
  test::TempDir dir;
  const auto samples = pets(/*count=*/2, /*size=*/32);
  write_oxford_layout(dir.path(), samples);
  const auto bad = dir / "images" / (samples[1].id + ".jpg");
  std::string bytes = read_file(bad);
  for (size_t i = bytes.size() / 3; i < bytes.size() - 2; ++i) {
    bytes[i] = static_cast<char>(0xff ^ static_cast<unsigned char>(bytes[i]));
  }
  write_file_atomic(bad, bytes);
  expect_error_naming([&] { read_oxford_samples(list_dataset(dir.path()), 16); }, bad);
}

TEST(OxfordPets, TruncatedTrimapIsAnErrorNamingIt) {
  test::TempDir dir;
  const auto samples = pets(/*count=*/1, /*size=*/32);
  write_oxford_layout(dir.path(), samples);
  const auto bad = dir / "annotations" / "trimaps" / (samples[0].id + ".png");
  const std::string bytes = read_file(bad);
  write_file_atomic(bad, bytes.substr(0, bytes.size() - 20));
  expect_error_naming([&] { read_oxford_sample(list_dataset(dir.path())[0], 16); }, bad);
}

TEST(OxfordPets, MissingTrimapIsAnErrorNamingIt) {
  test::TempDir dir;
  const auto samples = pets(/*count=*/1, /*size=*/16);
  write_oxford_layout(dir.path(), samples);
  const auto missing = dir / "annotations" / "trimaps" / (samples[0].id + ".png");
  std::filesystem::remove(missing);
  expect_error_naming([&] { read_oxford_sample(list_dataset(dir.path())[0], 16); }, missing);
}

TEST(OxfordPets, TrimapValueOutsideOneToThreeIsAnError) {
  test::TempDir dir;
  auto sample = pets(/*count=*/1, /*size=*/16)[0];
  sample.trimap.at(3, 4, 0) = 255;
  write_oxford_layout(dir.path(), {sample});
  const auto trimap = dir / "annotations" / "trimaps" / (sample.id + ".png");
  expect_error_naming([&] { read_oxford_sample(list_dataset(dir.path())[0], 16); }, trimap);
}

TEST(OxfordPets, SplitsAreOrderedByIdWhateverTheCreationOrder) {
  test::TempDir forward;
  test::TempDir backward;
  auto samples = pets(/*count=*/24, /*size=*/16);
  write_oxford_layout(forward.path(), samples);
  std::reverse(samples.begin(), samples.end());
  write_oxford_layout(backward.path(), samples);
  DataConfig a;
  a.source = "oxford";
  a.path = forward.path().string();
  a.count = 0;
  a.image_size = 16;
  DataConfig b = a;
  b.path = backward.path().string();
  const PetSplits first = load_pet_splits(a);
  const PetSplits second = load_pet_splits(b);
  ASSERT_FALSE(first.train.empty());
  std::vector<std::string> ids;
  for (const auto& s : first.train) {
    ids.push_back(s.id);
    EXPECT_EQ(split_of(s.id), Split::train);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(first.train, second.train);
  EXPECT_EQ(first.validation, second.validation);
  for (const auto& s : first.validation) {
    EXPECT_EQ(split_of(s.id), Split::validation);
  }
}

TEST(OxfordPets, CountKeepsADeterministicSubset) {
  test::TempDir dir;
  write_oxford_layout(dir.path(), pets(/*count=*/30, /*size=*/16));
  DataConfig config;
  config.source = "oxford";
  config.path = dir.path().string();
  config.count = 12;
  config.image_size = 16;
  const PetSplits a = load_pet_splits(config);
  const PetSplits b = load_pet_splits(config);
  EXPECT_LE(a.train.size() + a.validation.size(), 12u);
  EXPECT_EQ(a.train, b.train);
}

TEST(PetDataset, SyntheticSplitsMatchThePartition) {
  DataConfig config;
  config.count = 60;
  config.image_size = 16;
  const PetSplits splits = load_pet_splits(config);
  const auto all = synthetic_dataset(config);
  size_t train = 0;
  size_t validation = 0;
  for (const auto& s : all) {
    train += split_of(s.id) == Split::train ? 1 : 0;
    validation += split_of(s.id) == Split::validation ? 1 : 0;
  }
  EXPECT_EQ(splits.train.size(), train);
  EXPECT_EQ(splits.validation.size(), validation);
  for (size_t i = 1; i < splits.train.size(); ++i) {
    EXPECT_LT(splits.train[i - 1].id, splits.train[i].id);
  }
}

}  // namespace
}  // namespace repro
