// Golden file reader: strict validation of a golden file's text (format in golden_file.hpp).
#pragma once

#include <string>
#include <string_view>

#include "harness/verdict/golden_file.hpp"

namespace repro {

// Parses and validates a golden file's text; `file` names it in errors. Throws
// repro::Error(file, field, message) for: invalid JSON (truncation), duplicate keys,
// format_version too old or too new (named separately), a missing, unknown or
// ill-typed field, malformed hex, a non-UTC timestamp, an unknown digest algorithm,
// steps out of order, a cell whose step count differs from the others, a root that
// does not match its tensors, a checksum mismatch, or bytes that differ from what
// serialize_golden() would write.
GoldenFile parse_golden(std::string_view text, const std::string& file);

}  // namespace repro
