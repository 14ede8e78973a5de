// Synthetic pets: a deterministic stand-in for Oxford-IIIT Pet, generated from a seed.
//
// Each image shows one pet-like blob (body, head and ears: overlapping ellipses, coloured
// and patterned by breed) on a textured background; its trimap marks pet (1),
// background (2) and a border ring (3) around the pet's outline, as in the real
// annotations. Generation uses integer arithmetic and Xoshiro256 only (no libm, no
// std:: distributions), so a seed gives the same bytes on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/data/pet_sample.hpp"

namespace repro {

// The ids of a synthetic dataset of `count` pets: "<breed>_<n>", breeds drawn from
// `seed`, n counting from 1 per breed. Unique; in generation order (not sorted).
std::vector<std::string> synthetic_pet_ids(int count, std::uint64_t seed);

// One pet: `id` as produced by synthetic_pet_ids (its breed decides colour and
// pattern), `index` its position there; images are `image_size` square.
// Depends only on (id, index, image_size, seed).
PetSample generate_synthetic_pet(const std::string& id, int index, int image_size,
                                 std::uint64_t seed);

// All `count` pets, in generation order. `image_size` must be >= 8.
std::vector<PetSample> generate_synthetic_pets(int count, int image_size, std::uint64_t seed);

}  // namespace repro
