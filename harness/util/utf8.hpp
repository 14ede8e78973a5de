// UTF-8 validation.
#pragma once

#include <string_view>

namespace repro {

// True when `s` is well-formed UTF-8: no stray continuation bytes, no truncated
// sequences, no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view s);

}  // namespace repro
