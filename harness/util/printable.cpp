// Printable text (see printable.hpp).
#include "harness/util/printable.hpp"

#include "harness/util/utf8.hpp"

namespace repro {
namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

void append_escape(std::string& out, unsigned char c) {
  constexpr const char* k_hex = "0123456789abcdef";
  out += "\\x";
  out += k_hex[c >> 4];
  out += k_hex[c & 0xf];
}

// Length of the UTF-8 sequence starting with lead byte `c` (1 for ASCII, 0 for invalid).
size_t sequence_length(unsigned char c) {
  if (c < 0x80) {
    return 1;
  }
  if ((c & 0xe0) == 0xc0) {
    return 2;
  }
  if ((c & 0xf0) == 0xe0) {
    return 3;
  }
  if ((c & 0xf8) == 0xf0) {
    return 4;
  }
  return 0;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = sequence_length(c);
    if (n == 1 && !is_control(c)) {
      out += static_cast<char>(c);
      ++i;
    } else if (n > 1 && i + n <= text.size() && is_valid_utf8(text.substr(i, n))) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      append_escape(out, c);
      ++i;
    }
  }
  return out;
}

bool has_control_character(std::string_view text) {
  for (char c : text) {
    if (is_control(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

}  // namespace repro
