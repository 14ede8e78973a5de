// Dataset listing: the pet ids of an Oxford-IIIT-Pet-layout folder, without decoding images.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace repro {

// The image files of DIR/images (*.jpg, *.jpeg, *.png; other files are ignored),
// sorted by id. Throws repro::Error naming DIR when it has no images/ folder or no
// images, and naming the file when two files map to the same id.
struct DatasetFile {
  std::string id;                // file name without directory and extension
  std::filesystem::path image;   // DIR/images/<id>.jpg
  std::filesystem::path trimap;  // DIR/annotations/trimaps/<id>.png (may not exist)
};
std::vector<DatasetFile> list_dataset(const std::filesystem::path& dir);

// Test-only (the planted fault "listing-order", docs/canaries.md): the same files in the
// order the directory listing returns them, as a careless loader would use them.
std::vector<DatasetFile> list_dataset_in_listing_order(const std::filesystem::path& dir);

}  // namespace repro
