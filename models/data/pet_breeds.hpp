// The 37 breeds of the Oxford-IIIT Pet dataset, spelled as its file names spell them.
#pragma once

#include <span>
#include <string_view>

namespace repro {

enum class Species { cat, dog };

struct PetBreed {
  std::string_view name;  // "Abyssinian", "yorkshire_terrier": cats capitalized, dogs lower-case
  Species species = Species::cat;
};

// All 37 breeds in the dataset's order (alphabetical within cats, then dogs).
std::span<const PetBreed> pet_breeds();

// The breed of an id such as "british_shorthair_12" -> nullptr unless its text before
// the last '_' is one of the 37 names (case-sensitive) and a number follows.
const PetBreed* breed_of_id(std::string_view id);

}  // namespace repro
