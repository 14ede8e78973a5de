// PetSample: one image of the segmentation dataset with its trimap.
#pragma once

#include <cstdint>
#include <string>

#include "models/data/image.hpp"

namespace repro {

// Trimap values, as in the Oxford-IIIT Pet annotations.
inline constexpr std::uint8_t k_trimap_pet = 1;
inline constexpr std::uint8_t k_trimap_background = 2;
inline constexpr std::uint8_t k_trimap_border = 3;

struct PetSample {
  std::string id;  // "Abyssinian_12": the file name without directory and extension
  Image image;     // RGB, 3 channels
  Image trimap;    // 1 channel, same size, values k_trimap_pet..k_trimap_border
  friend bool operator==(const PetSample&, const PetSample&) = default;
};

}  // namespace repro
