// Image limits (see image_limits.hpp).
#include "models/data/image_limits.hpp"

namespace repro {

std::string image_size_problem(std::uint64_t width, std::uint64_t height) {
  std::string size = std::to_string(width) + " x " + std::to_string(height) + " pixels";
  if (width == 0 || height == 0) {
    return size + " is empty";
  }
  if (width > k_max_image_side || height > k_max_image_side) {
    return size + ": a side is longer than the limit of " + std::to_string(k_max_image_side);
  }
  if (width * height > k_max_image_pixels) {
    return size + " is more than the limit of " + std::to_string(k_max_image_pixels) + " pixels";
  }
  return "";
}

}  // namespace repro
