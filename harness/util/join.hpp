// join: items with a separator between them ("a, b, c").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace repro {

// The items in order with `separator` between each two of them; "" for none.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace repro
