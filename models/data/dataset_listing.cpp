// Lists an Oxford-IIIT-Pet-layout folder in id order (never directory order).
#include "models/data/dataset_listing.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "harness/util/error.hpp"
#include "harness/util/utf8.hpp"
#include "models/data/partition.hpp"

namespace repro {

namespace {

// The dataset's files in listing order, with every check of list_dataset.
std::vector<DatasetFile> listed_files(const std::filesystem::path& dir) {
  auto images = dir / "images";
  if (!std::filesystem::is_directory(images)) {
    throw Error(dir.string(), "", "not a dataset folder: no images/ directory inside");
  }
  std::map<std::string, DatasetFile> by_id;
  std::vector<DatasetFile> listed;
  for (const auto& entry : std::filesystem::directory_iterator(images)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".jpg" && ext != ".jpeg" && ext != ".png") {
      continue;  // the real dataset ships a few .mat files among the images
    }
    if (!is_valid_utf8(entry.path().filename().string())) {
      // Ids go into traces (JSON, UTF-8 only) and into the md5 partition by their bytes.
      throw Error(entry.path().string(), "", "file name is not valid UTF-8");
    }
    DatasetFile f;
    f.id = id_from_path(entry.path().filename().string());
    f.image = entry.path();
    f.trimap = dir / "annotations" / "trimaps" / (f.id + ".png");
    auto [it, inserted] = by_id.emplace(f.id, f);
    if (!inserted) {
      throw Error(entry.path().string(), "",
                  "same id '" + f.id + "' as " + it->second.image.filename().string());
    }
    listed.push_back(std::move(f));
  }
  if (listed.empty()) {
    throw Error(images.string(), "", "no images (*.jpg, *.jpeg, *.png)");
  }
  return listed;
}

}  // namespace

std::vector<DatasetFile> list_dataset(const std::filesystem::path& dir) {
  std::vector<DatasetFile> out = listed_files(dir);
  std::sort(out.begin(), out.end(),
            [](const DatasetFile& a, const DatasetFile& b) { return a.id < b.id; });
  return out;
}

std::vector<DatasetFile> list_dataset_in_listing_order(const std::filesystem::path& dir) {
  return listed_files(dir);
}

}  // namespace repro
