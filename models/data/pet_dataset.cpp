// Loading the train and validation splits from a synthetic or Oxford-layout dataset.
#include "models/data/pet_dataset.hpp"

#include <algorithm>

#include "models/data/dataset_listing.hpp"
#include "models/data/oxford_pets.hpp"
#include "models/data/partition.hpp"
#include "models/data/synthetic_pets.hpp"

namespace repro {
namespace {

std::vector<PetSample> by_id(std::vector<PetSample> samples) {
  std::sort(samples.begin(), samples.end(),
            [](const PetSample& a, const PetSample& b) { return a.id < b.id; });
  return samples;
}

PetSplits split_synthetic(const DataConfig& data) {
  const std::vector<std::string> ids = synthetic_pet_ids(data.count, data.seed);
  PetSplits splits;
  for (size_t i = 0; i < ids.size(); ++i) {
    const Split split = split_of(ids[i]);
    if (split != Split::train && split != Split::validation) {
      continue;  // never generated: calibration and test stay untouched
    }
    auto& into = split == Split::train ? splits.train : splits.validation;
    into.push_back(generate_synthetic_pet(ids[i], static_cast<int>(i), data.image_size, data.seed));
  }
  splits.train = by_id(std::move(splits.train));
  splits.validation = by_id(std::move(splits.validation));
  return splits;
}

PetSplits split_oxford(const DataConfig& data, bool listing_order) {
  std::vector<DatasetFile> files =
      listing_order ? list_dataset_in_listing_order(data.path) : list_dataset(data.path);
  if (data.count > 0 && static_cast<size_t>(data.count) < files.size()) {
    std::vector<std::pair<std::string, size_t>> order;
    for (size_t i = 0; i < files.size(); ++i) {
      order.emplace_back(md5_hex(files[i].id), i);
    }
    std::sort(order.begin(), order.end());
    std::vector<DatasetFile> subset;
    for (size_t i = 0; i < static_cast<size_t>(data.count); ++i) {
      subset.push_back(files[order[i].second]);
    }
    files = std::move(subset);
  }
  std::vector<DatasetFile> train;
  std::vector<DatasetFile> validation;
  for (const auto& file : files) {
    const Split split = split_of(file.id);
    if (split == Split::train) {
      train.push_back(file);
    } else if (split == Split::validation) {
      validation.push_back(file);
    }
  }
  auto id_order = [](const DatasetFile& a, const DatasetFile& b) { return a.id < b.id; };
  if (!listing_order) {
    std::sort(train.begin(), train.end(), id_order);
    std::sort(validation.begin(), validation.end(), id_order);
  }
  return {read_oxford_samples(train, data.image_size),
          read_oxford_samples(validation, data.image_size)};
}

}  // namespace

PetSplits load_pet_splits(const DataConfig& data) {
  return data.source == "oxford" ? split_oxford(data, false) : split_synthetic(data);
}

PetSplits load_pet_splits_in_listing_order(const DataConfig& data) {
  return data.source == "oxford" ? split_oxford(data, true) : split_synthetic(data);
}

std::vector<PetSample> synthetic_dataset(const DataConfig& data) {
  return by_id(generate_synthetic_pets(data.count, data.image_size, data.seed));
}

}  // namespace repro
