// PNG decoding and encoding with libpng; corrupt or truncated input is an error, never exit().
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "models/data/image.hpp"

namespace repro {

// What a decoded PNG is for.
enum class PngContent {
  labels,  // a label map (trimap): 8-bit-or-less gray or palette; raw values, 1 channel
  rgb,     // a picture: anything libpng reads, converted to 8-bit RGB
};

// Decodes PNG bytes. Throws repro::Error(source, "", why) on a bad signature, a
// truncated stream, a CRC or zlib error, or (labels) a colour type other than gray or
// palette or a bit depth above 8. Label values are returned unscaled: a 2-bit gray
// pixel of 3 stays 3, a palette pixel is its palette index.
Image decode_png(std::span<const std::uint8_t> data, const std::string& source, PngContent content);

// Reads and decodes a PNG file; a missing file is a repro::Error naming it.
Image read_png(const std::filesystem::path& path, PngContent content);

// True when `data` starts with the PNG signature.
bool has_png_signature(std::span<const std::uint8_t> data);

// Encodes an 8-bit gray (1 channel) or RGB (3 channels) image losslessly.
std::string encode_png(const Image& image);

// Encodes and writes atomically. Throws repro::Error naming `path`.
void write_png(const std::filesystem::path& path, const Image& image);

}  // namespace repro
