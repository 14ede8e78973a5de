// Golden file writer: the canonical text of a GoldenFile (format in golden_file.hpp).
#pragma once

#include <string>
#include <vector>

#include "harness/trace/digest.hpp"
#include "harness/verdict/golden_file.hpp"

namespace repro {

// The file text, exactly as described above. Throws repro::Error (field "reason",
// ...) when a string is not valid UTF-8.
std::string serialize_golden(const GoldenFile& golden);

// The building blocks the reader uses to check a file's bytes: every top-level member
// but the checksum (each indented, no separators), the document those members make,
// the checksum of such a document, and the indentation of a top-level member.
std::vector<std::string> golden_members(const GoldenFile& golden);
std::string golden_join_members(const std::vector<std::string>& members);
Digest golden_checksum(const std::string& body_without_checksum);
std::string golden_member_indent();

}  // namespace repro
