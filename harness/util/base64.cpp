// Base64 with OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock, with the padding they ignore.
#include "harness/util/base64.hpp"

#include <openssl/evp.h>

#include <climits>

namespace repro {

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) {
    return "";
  }
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > INT_MAX / 2) {
    return std::nullopt;
  }
  if (text.empty()) {
    return std::vector<std::uint8_t>{};
  }
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size()) {
      ++padding;
    } else if (!alphabet || padding > 0) {
      return std::nullopt;
    }
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  const int written =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (written < 0 || static_cast<size_t>(written) < padding) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(written) - padding);  // EVP_DecodeBlock keeps padding zeros
  return out;
}

}  // namespace repro
