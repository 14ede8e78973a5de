// Image allocation and integer resampling.
#include "models/data/image.hpp"

#include <algorithm>
#include <cassert>

namespace repro {

Image Image::blank(int width, int height, int channels) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.assign(static_cast<size_t>(width) * height * channels, 0);
  return image;
}

Image resize_area(const Image& image, int width, int height) {
  assert(image.width > 0 && image.height > 0 && width > 0 && height > 0);
  if (image.width == width && image.height == height) {
    return image;
  }
  Image out = Image::blank(width, height, image.channels);
  for (int oy = 0; oy < height; ++oy) {
    // Source rows [y0, y1): the output row's footprint, widened to one row when upscaling.
    int y0 = static_cast<int>(static_cast<std::int64_t>(oy) * image.height / height);
    int y1 = static_cast<int>(static_cast<std::int64_t>(oy + 1) * image.height / height);
    y1 = std::max(y1, y0 + 1);
    for (int ox = 0; ox < width; ++ox) {
      int x0 = static_cast<int>(static_cast<std::int64_t>(ox) * image.width / width);
      int x1 = static_cast<int>(static_cast<std::int64_t>(ox + 1) * image.width / width);
      x1 = std::max(x1, x0 + 1);
      const std::uint64_t count = static_cast<std::uint64_t>(y1 - y0) * (x1 - x0);
      for (int c = 0; c < image.channels; ++c) {
        std::uint64_t sum = 0;
        for (int y = y0; y < y1; ++y) {
          for (int x = x0; x < x1; ++x) {
            sum += image.at(x, y, c);
          }
        }
        out.at(ox, oy, c) = static_cast<std::uint8_t>((sum + count / 2) / count);
      }
    }
  }
  return out;
}

Image resize_nearest(const Image& image, int width, int height) {
  assert(image.width > 0 && image.height > 0 && width > 0 && height > 0);
  if (image.width == width && image.height == height) {
    return image;
  }
  Image out = Image::blank(width, height, image.channels);
  for (int oy = 0; oy < height; ++oy) {
    int sy =
        static_cast<int>((2 * static_cast<std::int64_t>(oy) + 1) * image.height / (2 * height));
    for (int ox = 0; ox < width; ++ox) {
      int sx =
          static_cast<int>((2 * static_cast<std::int64_t>(ox) + 1) * image.width / (2 * width));
      for (int c = 0; c < image.channels; ++c) {
        out.at(ox, oy, c) = image.at(sx, sy, c);
      }
    }
  }
  return out;
}

}  // namespace repro
