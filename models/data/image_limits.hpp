// Limits on images read from a dataset, checked from the header before any pixel is decoded.
#pragma once

#include <cstdint>
#include <string>

namespace repro {

// Widest or tallest image accepted (pixels); Oxford-IIIT Pet photos are at most ~3000.
inline constexpr std::uint32_t k_max_image_side = 16384;
// Most pixels accepted in one image (a 6000 x 6000 photo is 36 million).
inline constexpr std::uint64_t k_max_image_pixels = 40'000'000;
// Largest image file read (bytes).
inline constexpr std::uint64_t k_max_image_file_bytes = std::uint64_t{256} << 20;
// Most memory libjpeg may allocate for one decode (progressive JPEGs buffer coefficients).
inline constexpr long k_max_jpeg_decoder_bytes = 512L << 20;

// "" when a width x height image is within the limits, else why not ("65500 x 65500
// pixels is larger than the limit of ...").
std::string image_size_problem(std::uint64_t width, std::uint64_t height);

}  // namespace repro
