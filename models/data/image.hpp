// Image: an 8-bit raster (gray or RGB, row-major, channels interleaved) and its
// deterministic integer resampling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace repro {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;                  // 1 (gray / label values) or 3 (RGB)
  std::vector<std::uint8_t> pixels;  // height * width * channels bytes, row-major, HWC

  // A zero-filled image of the given size.
  static Image blank(int width, int height, int channels);
  std::uint8_t& at(int x, int y, int c) {
    return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
  std::uint8_t at(int x, int y, int c) const {
    return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
  friend bool operator==(const Image&, const Image&) = default;
};

// Area-average resize to `width` x `height` (aspect ratio is not kept): each output
// pixel is the rounded integer mean of its source box (at least one pixel), so the
// result is exact, platform-independent and equals the input when sizes match.
Image resize_area(const Image& image, int width, int height);

// Nearest-neighbour resize sampling the source pixel under each output pixel's
// centre: never invents values, so it is the one to use for label maps (trimaps).
Image resize_nearest(const Image& image, int width, int height);

}  // namespace repro
