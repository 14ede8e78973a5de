// The Oxford-IIIT Pet folder layout: reading samples from it and writing samples into it.
//
//   DIR/images/<id>.jpg              RGB photo (a few real files are PNG inside)
//   DIR/annotations/trimaps/<id>.png 8-bit gray or palette, 1 pet, 2 background, 3 border
#pragma once

#include <filesystem>
#include <vector>

#include "models/data/dataset_listing.hpp"
#include "models/data/pet_sample.hpp"

namespace repro {

// Decodes one sample and resizes it to `image_size` square (area average for the
// photo, nearest neighbour for the trimap). Throws repro::Error naming the file at
// fault when the image or trimap is missing, truncated or corrupt, when their sizes
// differ, or when the trimap holds a value other than 1, 2 or 3.
PetSample read_oxford_sample(const DatasetFile& file, int image_size);

// read_oxford_sample for each file, decoded in parallel; the result keeps the order of
// `files`. When several files are bad, the error names the first of them in that order.
std::vector<PetSample> read_oxford_samples(const std::vector<DatasetFile>& files, int image_size);

// Writes samples in the layout above (JPEG quality 95, lossless trimaps), creating the
// folders. Throws repro::Error naming the file that cannot be written.
void write_oxford_layout(const std::filesystem::path& dir, const std::vector<PetSample>& samples);

}  // namespace repro
