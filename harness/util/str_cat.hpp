// str_cat: joins pieces of text into one string with a single allocation.
#pragma once

#include <string>
#include <string_view>

namespace repro {

// The concatenation of `parts` (anything convertible to std::string_view). Used instead
// of chains of `"text" + std::string(...)`, which copy at every step and trip GCC 12's
// -Wrestrict false positive at -O3 (GCC bug 105329).
template <typename... Parts>
std::string str_cat(const Parts&... parts) {
  const std::string_view views[] = {std::string_view(parts)...};
  size_t size = 0;
  for (auto v : views) {
    size += v.size();
  }
  std::string out;
  out.reserve(size);
  for (auto v : views) {
    out.append(v);
  }
  return out;
}

}  // namespace repro
