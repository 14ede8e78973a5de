// Remedy: what to do about a finding, from one table kept here and in docs/diagnosis.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace repro {

struct RemedyEntry {
  std::string_view cause;   // an axis name, "repeat", or "op:<op name prefix>"
  std::string_view remedy;  // what to do, imperative
};

// The whole table (docs/diagnosis.md reproduces it; a unit test keeps them in step).
const std::vector<RemedyEntry>& remedy_table();

// The remedy for a breaking axis ("threads" -> "pin threads or train in strict mode");
// a generic one for an axis the table does not name.
std::string remedy_for_axis(std::string_view axis);

// The remedy for nondeterminism under identical settings (the repeat differs), made
// specific when the first divergent op is known ("aten::bernoulli_" -> "seed the
// generator used by aten::bernoulli_ ..."); `op` may be "".
std::string remedy_for_repeat(std::string_view op);

}  // namespace repro
