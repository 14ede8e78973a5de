// Oxford-IIIT Pet layout: decoding, validating and resizing samples; exporting them.
#include "models/data/oxford_pets.hpp"

#include <tbb/parallel_for.h>

#include <exception>
#include <string>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "models/data/image_limits.hpp"
#include "models/data/jpeg_codec.hpp"
#include "models/data/png_codec.hpp"

namespace repro {
namespace {

// The photo, whatever its content: the real dataset has a few PNGs named *.jpg.
Image read_photo(const std::filesystem::path& path) {
  const std::string bytes = read_file(path, k_max_image_file_bytes);
  const std::span data(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (has_png_signature(data)) {
    return decode_png(data, path.string(), PngContent::rgb);
  }
  return decode_jpeg(data, path.string());
}

void check_trimap_values(const Image& trimap, const std::filesystem::path& path) {
  for (int y = 0; y < trimap.height; ++y) {
    for (int x = 0; x < trimap.width; ++x) {
      const int v = trimap.at(x, y, 0);
      if (v < k_trimap_pet || v > k_trimap_border) {
        throw Error(path.string(), "",
                    "trimap value " + std::to_string(v) + " at (" + std::to_string(x) + ", " +
                        std::to_string(y) + ") is not 1 (pet), 2 (background) or 3 (border)");
      }
    }
  }
}

}  // namespace

PetSample read_oxford_sample(const DatasetFile& file, int image_size) {
  if (!std::filesystem::exists(file.trimap)) {
    throw Error(file.trimap.string(), "", "missing trimap for image " + file.image.string());
  }
  Image photo = read_photo(file.image);
  Image trimap = read_png(file.trimap, PngContent::labels);
  if (photo.width != trimap.width || photo.height != trimap.height) {
    throw Error(file.trimap.string(), "",
                "trimap is " + std::to_string(trimap.width) + "x" + std::to_string(trimap.height) +
                    " but its image is " + std::to_string(photo.width) + "x" +
                    std::to_string(photo.height));
  }
  check_trimap_values(trimap, file.trimap);
  PetSample sample;
  sample.id = file.id;
  sample.image = resize_area(photo, image_size, image_size);
  sample.trimap = resize_nearest(trimap, image_size, image_size);
  return sample;
}

std::vector<PetSample> read_oxford_samples(const std::vector<DatasetFile>& files, int image_size) {
  std::vector<PetSample> samples(files.size());
  std::vector<std::exception_ptr> failures(files.size());
  tbb::parallel_for(size_t{0}, files.size(), [&](size_t i) {
    try {
      samples[i] = read_oxford_sample(files[i], image_size);
    } catch (...) {
      failures[i] = std::current_exception();
    }
  });
  for (const auto& failure : failures) {
    if (failure) {
      std::rethrow_exception(failure);
    }
  }
  return samples;
}

void write_oxford_layout(const std::filesystem::path& dir, const std::vector<PetSample>& samples) {
  const auto images = dir / "images";
  const auto trimaps = dir / "annotations" / "trimaps";
  for (const auto& sample : samples) {
    write_jpeg(images / (sample.id + ".jpg"), sample.image, /*quality=*/95);
    write_png(trimaps / (sample.id + ".png"), sample.trimap);
  }
}

}  // namespace repro
