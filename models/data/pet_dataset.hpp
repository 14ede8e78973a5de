// The samples one training run uses: the train and validation splits of its data source.
#pragma once

#include <string>
#include <vector>

#include "harness/trace/worker_config.hpp"
#include "models/data/pet_sample.hpp"

namespace repro {

struct PetSplits {
  std::vector<PetSample> train;       // folds 0-6, sorted by id
  std::vector<PetSample> validation;  // fold 7, sorted by id
};

// Loads the splits for `data`: a synthetic dataset generated from data.seed, or an
// Oxford-IIIT Pet folder at data.path (data.count > 0 keeps the first `count` ids in
// md5 order: a deterministic subset that mixes breeds). Calibration and test samples
// are never decoded. Each split is ordered by id, never by generation or listing order.
// Throws repro::Error naming the folder or file at fault.
PetSplits load_pet_splits(const DataConfig& data);

// Test-only (planted fault "listing-order"): an Oxford folder's splits in the order its
// directory listing returns the files, not by id (synthetic data: as load_pet_splits).
PetSplits load_pet_splits_in_listing_order(const DataConfig& data);

// Every sample of a synthetic dataset (all splits), in id order; for exporting it.
std::vector<PetSample> synthetic_dataset(const DataConfig& data);

}  // namespace repro
