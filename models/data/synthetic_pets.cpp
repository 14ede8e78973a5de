// Synthetic pets: integer-only drawing of blobby pets on textured backgrounds.
#include "models/data/synthetic_pets.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdlib>
#include <map>

#include "models/data/pet_breeds.hpp"
#include "models/data/xoshiro256.hpp"

namespace repro {
namespace {

// Geometry is fixed point: 16 units per pixel, pixel (x, y) has its centre at
// (16x + 8, 16y + 8). Directions are 16 half-turn steps with cos/sin scaled by 1024,
// so drawing needs no libm and no floating point at all.
constexpr std::int64_t k_unit = 16;
constexpr std::array<std::array<std::int64_t, 2>, 16> k_directions = {{
    {1024, 0},
    {1004, 200},
    {946, 392},
    {851, 569},
    {724, 724},
    {569, 851},
    {392, 946},
    {200, 1004},
    {0, 1024},
    {-200, 1004},
    {-392, 946},
    {-569, 851},
    {-724, 724},
    {-851, 569},
    {-946, 392},
    {-1004, 200},
}};

struct Rgb {
  int r = 0;
  int g = 0;
  int b = 0;
};

// An ellipse with semi-axes a (along `direction`) and b, in fixed-point units.
struct Ellipse {
  std::int64_t cx = 0;
  std::int64_t cy = 0;
  std::int64_t a = 1;
  std::int64_t b = 1;
  int direction = 0;

  // Coordinate along the major axis (fixed point), for patterns.
  std::int64_t along(std::int64_t x, std::int64_t y) const {
    const auto& d = k_directions[static_cast<size_t>(direction)];
    return ((x - cx) * d[0] + (y - cy) * d[1]) / 1024;
  }
  bool contains(std::int64_t x, std::int64_t y) const {
    const auto& d = k_directions[static_cast<size_t>(direction)];
    const std::int64_t u = ((x - cx) * d[0] + (y - cy) * d[1]) / 1024;
    const std::int64_t v = (-(x - cx) * d[1] + (y - cy) * d[0]) / 1024;
    return u * u * b * b + v * v * a * a <= a * a * b * b;
  }
};

// A value in [lo, hi] inclusive.
std::int64_t between(Xoshiro256& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

std::uint8_t clamp_byte(std::int64_t v) {
  return static_cast<std::uint8_t>(std::clamp<std::int64_t>(v, 0, 255));
}

// The breed's coat colour: fixed per breed, independent of the dataset seed.
Rgb breed_colour(size_t breed_index) {
  std::uint64_t h = derive_seed({0xb5eedULL, breed_index});
  return {static_cast<int>(40 + (h & 0xff) % 190), static_cast<int>(40 + ((h >> 8) & 0xff) % 190),
          static_cast<int>(40 + ((h >> 16) & 0xff) % 190)};
}

// Smooth integer value noise in [0, 64): bilinear blend of hashed lattice values.
int value_noise(std::uint64_t seed, std::int64_t x, std::int64_t y, std::int64_t cell) {
  const std::int64_t gx = x / cell;
  const std::int64_t gy = y / cell;
  const std::int64_t fx = x % cell;
  const std::int64_t fy = y % cell;
  auto lattice = [&](std::int64_t i, std::int64_t j) {
    return static_cast<std::int64_t>(
        derive_seed({seed, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j)}) & 63);
  };
  const std::int64_t top = lattice(gx, gy) * (cell - fx) + lattice(gx + 1, gy) * fx;
  const std::int64_t bottom = lattice(gx, gy + 1) * (cell - fx) + lattice(gx + 1, gy + 1) * fx;
  return static_cast<int>((top * (cell - fy) + bottom * fy) / (cell * cell));
}

struct PetShape {
  Ellipse body;
  Ellipse head;
  std::array<Ellipse, 2> ears;
  bool has_tail = false;
  Ellipse tail;

  bool contains(std::int64_t x, std::int64_t y) const {
    return body.contains(x, y) || head.contains(x, y) || ears[0].contains(x, y) ||
           ears[1].contains(x, y) || (has_tail && tail.contains(x, y));
  }
  bool in_head(std::int64_t x, std::int64_t y) const {
    return head.contains(x, y) || ears[0].contains(x, y) || ears[1].contains(x, y);
  }
};

PetShape random_shape(Xoshiro256& rng, std::int64_t size, Species species) {
  const std::int64_t s = size * k_unit;
  PetShape shape;
  // Pets fill much of the frame, as in the real photos.
  shape.body.cx = s * between(rng, 42, 58) / 100;
  shape.body.cy = s * between(rng, 50, 62) / 100;
  shape.body.a = s * between(rng, 22, 32) / 100;
  shape.body.b = s * between(rng, 14, 20) / 100;
  // Mostly horizontal bodies, as pets are photographed: directions 14, 15, 0, 1, 2.
  shape.body.direction = static_cast<int>((14 + rng.below(5)) % 16);
  const auto& d = k_directions[static_cast<size_t>(shape.body.direction)];
  const std::int64_t side = rng.below(2) == 0 ? 1 : -1;  // head on the left or the right
  const std::int64_t reach = shape.body.a * 85 / 100;
  const std::int64_t h = s * between(rng, 12, 16) / 100;
  shape.head = {shape.body.cx + side * reach * d[0] / 1024,
                shape.body.cy + side * reach * d[1] / 1024 - h / 3, h, h, 0};
  for (int e = 0; e < 2; ++e) {
    const std::int64_t out = e == 0 ? -1 : 1;
    if (species == Species::cat) {
      // Upright ears on top of the head.
      shape.ears[static_cast<size_t>(e)] = {shape.head.cx + out * h * 55 / 100,
                                            shape.head.cy - h * 80 / 100, h * 45 / 100,
                                            h * 22 / 100, 8};
    } else {
      // Floppy ears hanging at the sides.
      shape.ears[static_cast<size_t>(e)] = {shape.head.cx + out * h * 90 / 100,
                                            shape.head.cy + h * 10 / 100, h * 50 / 100,
                                            h * 25 / 100, 8};
    }
  }
  shape.has_tail = species == Species::dog;
  shape.tail = {shape.body.cx - side * shape.body.a * d[0] / 1024,
                shape.body.cy - side * shape.body.a * d[1] / 1024 - shape.body.b / 2,
                shape.body.a * 40 / 100, std::max<std::int64_t>(s * 3 / 100, k_unit),
                (shape.body.direction + 13) % 16};
  return shape;
}

}  // namespace

std::vector<std::string> synthetic_pet_ids(int count, std::uint64_t seed) {
  Xoshiro256 rng(derive_seed({seed, 0x1d5ULL}));
  const auto breeds = pet_breeds();
  std::map<size_t, int> numbers;
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const size_t breed = static_cast<size_t>(rng.below(breeds.size()));
    ids.push_back(std::string(breeds[breed].name) + "_" + std::to_string(++numbers[breed]));
  }
  return ids;
}

PetSample generate_synthetic_pet(const std::string& id, int index, int image_size,
                                 std::uint64_t seed) {
  assert(image_size >= 8);
  const PetBreed* breed = breed_of_id(id);
  assert(breed != nullptr);
  const size_t breed_index = static_cast<size_t>(breed - pet_breeds().data());
  Xoshiro256 rng(derive_seed({seed, 0x9e7ULL, static_cast<std::uint64_t>(index)}));
  const std::int64_t size = image_size;

  const PetShape shape = random_shape(rng, size, breed->species);
  Rgb coat = breed_colour(breed_index);
  coat = {coat.r + static_cast<int>(between(rng, -16, 16)),
          coat.g + static_cast<int>(between(rng, -16, 16)),
          coat.b + static_cast<int>(between(rng, -16, 16))};
  const Rgb ground{static_cast<int>(between(rng, 30, 220)), static_cast<int>(between(rng, 30, 220)),
                   static_cast<int>(between(rng, 30, 220))};
  const int pattern = static_cast<int>(breed_index % 4);  // plain, stripes, spots, dark points
  const std::int64_t stripe_period = std::max<std::int64_t>(size * k_unit / 6, 2 * k_unit);
  const std::int64_t texture_cell = std::max<std::int64_t>(size / 6, 2);
  const int texture_direction = static_cast<int>(rng.below(16));
  const std::int64_t texture_period = std::max<std::int64_t>(size * k_unit / 3, 4 * k_unit);
  const std::uint64_t noise_seed = rng.next();

  PetSample sample;
  sample.id = id;
  sample.image = Image::blank(image_size, image_size, 3);
  sample.trimap = Image::blank(image_size, image_size, 1);
  std::vector<std::uint8_t> mask(static_cast<size_t>(size * size));
  for (std::int64_t y = 0; y < size; ++y) {
    for (std::int64_t x = 0; x < size; ++x) {
      mask[static_cast<size_t>(y * size + x)] =
          shape.contains(x * k_unit + k_unit / 2, y * k_unit + k_unit / 2) ? 1 : 0;
    }
  }
  // Border: pixels whose neighbourhood holds both pet and background (Oxford's ring).
  const std::int64_t ring = std::max<std::int64_t>(1, size / 48);
  for (std::int64_t y = 0; y < size; ++y) {
    for (std::int64_t x = 0; x < size; ++x) {
      bool any_pet = false;
      bool any_background = false;
      for (std::int64_t ny = std::max<std::int64_t>(0, y - ring);
           ny <= std::min(size - 1, y + ring); ++ny) {
        for (std::int64_t nx = std::max<std::int64_t>(0, x - ring);
             nx <= std::min(size - 1, x + ring); ++nx) {
          (mask[static_cast<size_t>(ny * size + nx)] != 0 ? any_pet : any_background) = true;
        }
      }
      const bool pet = mask[static_cast<size_t>(y * size + x)] != 0;
      std::uint8_t label = pet ? k_trimap_pet : k_trimap_background;
      if (any_pet && any_background) {
        label = k_trimap_border;
      }
      sample.trimap.at(static_cast<int>(x), static_cast<int>(y), 0) = label;

      const std::int64_t fx = x * k_unit + k_unit / 2;
      const std::int64_t fy = y * k_unit + k_unit / 2;
      // Background: value-noise blotches plus soft stripes (a carpet, a sofa, grass).
      const auto& td = k_directions[static_cast<size_t>(texture_direction)];
      const std::int64_t t =
          (((fx * td[0] + fy * td[1]) / 1024) % texture_period + texture_period) % texture_period;
      const std::int64_t wave = std::abs(2 * t - texture_period) * 24 / texture_period - 12;
      const int blotch = value_noise(noise_seed, x, y, texture_cell) - 32;
      Rgb bg{ground.r + blotch + static_cast<int>(wave), ground.g + blotch,
             ground.b + blotch - static_cast<int>(wave)};
      // Pet: coat colour with a breed pattern.
      Rgb fur = coat;
      if (pattern == 1 && (std::abs(shape.body.along(fx, fy)) / stripe_period) % 2 == 1) {
        fur = {fur.r * 3 / 5, fur.g * 3 / 5, fur.b * 3 / 5};
      } else if (pattern == 2 && value_noise(noise_seed ^ 0x5907ULL, x, y, 3) > 40) {
        fur = {fur.r / 3, fur.g / 3, fur.b / 3};
      } else if (pattern == 3 && shape.in_head(fx, fy)) {
        fur = {fur.r / 2, fur.g / 2, fur.b / 2};
      }
      Rgb colour = pet ? fur : bg;
      if (label == k_trimap_border) {
        colour = {(fur.r + bg.r) / 2, (fur.g + bg.g) / 2, (fur.b + bg.b) / 2};
      }
      const int grain = static_cast<int>(rng.below(21)) - 10;
      sample.image.at(static_cast<int>(x), static_cast<int>(y), 0) = clamp_byte(colour.r + grain);
      sample.image.at(static_cast<int>(x), static_cast<int>(y), 1) = clamp_byte(colour.g + grain);
      sample.image.at(static_cast<int>(x), static_cast<int>(y), 2) = clamp_byte(colour.b + grain);
    }
  }
  return sample;
}

std::vector<PetSample> generate_synthetic_pets(int count, int image_size, std::uint64_t seed) {
  const std::vector<std::string> ids = synthetic_pet_ids(count, seed);
  std::vector<PetSample> samples;
  samples.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    samples.push_back(generate_synthetic_pet(ids[i], static_cast<int>(i), image_size, seed));
  }
  return samples;
}

}  // namespace repro
