// The batches a training run sees depend only on the seed and the fold contents: not on
// directory-listing or file-creation order, not on the thread count, not on pets of
// other folds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <numeric>

#include "models/data/oxford_pets.hpp"
#include "models/data/partition.hpp"
#include "models/data/pet_dataset.hpp"
#include "models/data/synthetic_pets.hpp"
#include "models/pet_batches.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

struct BatchStream {
  std::vector<std::vector<std::string>> ids;
  std::vector<at::Tensor> images;
  std::vector<at::Tensor> labels;
};

BatchStream stream_of(const std::filesystem::path& dir, std::uint64_t seed, int threads) {
  at::set_num_threads(threads);
  DataConfig data;
  data.source = "oxford";
  data.path = dir.string();
  data.count = 0;
  data.image_size = 16;
  PetSplits splits = load_pet_splits(data);
  TrainBatches batches(splits.train, /*batch_size=*/3, seed, /*augment_flip=*/true);
  BatchStream out;
  for (int i = 0; i < 6; ++i) {  // more than one epoch for small train splits
    Batch b = batches.next();
    out.ids.push_back(b.ids);
    out.images.push_back(b.images);
    out.labels.push_back(b.labels);
  }
  at::set_num_threads(1);
  return out;
}

bool same_stream(const BatchStream& a, const BatchStream& b) {
  if (a.ids != b.ids) {
    return false;
  }
  for (size_t i = 0; i < a.images.size(); ++i) {
    if (!torch::equal(a.images[i], b.images[i]) || !torch::equal(a.labels[i], b.labels[i])) {
      return false;
    }
  }
  return true;
}

// A random permutation of `samples` (RapidCheck draws the sort keys).
std::vector<PetSample> permuted(const std::vector<PetSample>& samples) {
  auto keys = *rc::gen::container<std::vector<int>>(samples.size(), rc::gen::arbitrary<int>());
  std::vector<size_t> order(samples.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return keys[x] < keys[y]; });
  std::vector<PetSample> out;
  for (size_t i : order) {
    out.push_back(samples[i]);
  }
  return out;
}

RC_GTEST_PROP(BatchOrderProperty, DependsOnlyOnSeedAndFoldContents, ()) {
  auto data_seed = *rc::gen::inRange<std::uint64_t>(0, 1000000);
  auto train_seed = *rc::gen::inRange<std::uint64_t>(0, 1000000);
  auto count = *rc::gen::inRange(12, 25);
  std::vector<PetSample> pets = generate_synthetic_pets(count, /*image_size=*/16, data_seed);
  RC_PRE(std::any_of(pets.begin(), pets.end(),
                     [](const PetSample& p) { return split_of(p.id) == Split::train; }));

  test::TempDir dir;
  // The same pets written in two different creation orders, so the directories list
  // them differently; the second also holds an extra pet that is not in the train split.
  write_oxford_layout(dir / "a", pets);
  std::vector<PetSample> shuffled = permuted(pets);
  int n = 90000;
  while (split_of("pug_" + std::to_string(n)) == Split::train) {
    ++n;
  }
  PetSample extra = generate_synthetic_pet("pug_" + std::to_string(n), count, 16, data_seed);
  shuffled.insert(shuffled.begin(), extra);
  write_oxford_layout(dir / "b", shuffled);

  BatchStream reference = stream_of(dir / "a", train_seed, /*threads=*/1);
  RC_ASSERT(same_stream(reference, stream_of(dir / "b", train_seed, /*threads=*/1)));
  RC_ASSERT(same_stream(reference, stream_of(dir / "a", train_seed, /*threads=*/2)));
}

}  // namespace
}  // namespace repro
