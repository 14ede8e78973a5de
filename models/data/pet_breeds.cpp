// The Oxford-IIIT Pet breed list.
#include "models/data/pet_breeds.hpp"

#include <array>
#include <cctype>

namespace repro {
namespace {

constexpr std::array<PetBreed, 37> k_breeds = {{
    {"Abyssinian", Species::cat},
    {"Bengal", Species::cat},
    {"Birman", Species::cat},
    {"Bombay", Species::cat},
    {"British_Shorthair", Species::cat},
    {"Egyptian_Mau", Species::cat},
    {"Maine_Coon", Species::cat},
    {"Persian", Species::cat},
    {"Ragdoll", Species::cat},
    {"Russian_Blue", Species::cat},
    {"Siamese", Species::cat},
    {"Sphynx", Species::cat},
    {"american_bulldog", Species::dog},
    {"american_pit_bull_terrier", Species::dog},
    {"basset_hound", Species::dog},
    {"beagle", Species::dog},
    {"boxer", Species::dog},
    {"chihuahua", Species::dog},
    {"english_cocker_spaniel", Species::dog},
    {"english_setter", Species::dog},
    {"german_shorthaired", Species::dog},
    {"great_pyrenees", Species::dog},
    {"havanese", Species::dog},
    {"japanese_chin", Species::dog},
    {"keeshond", Species::dog},
    {"leonberger", Species::dog},
    {"miniature_pinscher", Species::dog},
    {"newfoundland", Species::dog},
    {"pomeranian", Species::dog},
    {"pug", Species::dog},
    {"saint_bernard", Species::dog},
    {"samoyed", Species::dog},
    {"scottish_terrier", Species::dog},
    {"shiba_inu", Species::dog},
    {"staffordshire_bull_terrier", Species::dog},
    {"wheaten_terrier", Species::dog},
    {"yorkshire_terrier", Species::dog},
}};

}  // namespace

std::span<const PetBreed> pet_breeds() {
  return k_breeds;
}

const PetBreed* breed_of_id(std::string_view id) {
  const size_t underscore = id.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == id.size()) {
    return nullptr;
  }
  for (size_t i = underscore + 1; i < id.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) {
      return nullptr;
    }
  }
  const std::string_view name = id.substr(0, underscore);
  for (const auto& breed : k_breeds) {
    if (breed.name == name) {
      return &breed;
    }
  }
  return nullptr;
}

}  // namespace repro
