// UTF-8 validation (RFC 3629).
#include "harness/util/utf8.hpp"

#include <array>
#include <cstdint>

namespace repro {

bool is_valid_utf8(std::string_view s) {
  static constexpr std::array<std::uint32_t, 4> k_min_code_point = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<unsigned char>(s[i]);
    size_t extra;
    std::uint32_t cp;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead >> 5) == 0x6) {
      extra = 1;
      cp = lead & 0x1f;
    } else if ((lead >> 4) == 0xe) {
      extra = 2;
      cp = lead & 0x0f;
    } else if ((lead >> 3) == 0x1e) {
      extra = 3;
      cp = lead & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= extra) {
      return false;
    }
    for (size_t k = 1; k <= extra; ++k) {
      auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont >> 6) != 0x2) {
        return false;
      }
      cp = (cp << 6) | (cont & 0x3f);
    }
    if (cp < k_min_code_point[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace repro
