// JPEG decoding and encoding with libjpeg(-turbo); corrupt input is an error, never exit().
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "models/data/image.hpp"

namespace repro {

// Decodes JPEG bytes to 3-channel RGB (grayscale and CMYK/YCCK files are converted).
// Throws repro::Error(source, "", why) on corrupt or truncated data: libjpeg's
// warnings (e.g. "Premature end of JPEG file") count as errors, so a damaged file is
// never silently padded with gray.
Image decode_jpeg(std::span<const std::uint8_t> data, const std::string& source);

// Reads and decodes a JPEG file; a missing file is a repro::Error naming it.
Image read_jpeg(const std::filesystem::path& path);

// Encodes a 3-channel RGB (or 1-channel gray) image as baseline JPEG at `quality` (1-100).
std::string encode_jpeg(const Image& image, int quality);

// Encodes and writes atomically. Throws repro::Error naming `path`.
void write_jpeg(const std::filesystem::path& path, const Image& image, int quality = 95);

}  // namespace repro
