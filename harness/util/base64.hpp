// Base64 (RFC 4648, with padding) through OpenSSL's EVP block coder.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace repro {

// The base64 text of `bytes` (no line breaks).
std::string base64_encode(std::span<const std::uint8_t> bytes);

// The bytes of base64 `text`; nullopt when it is not canonical padded base64 (wrong length,
// a character outside the alphabet, padding in the middle).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace repro
