// RapidCheck generators for the domain: pet ids (Oxford-like and arbitrary UTF-8).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string>

namespace repro::test {

// Encodes one Unicode scalar value as UTF-8.
std::string encode_utf8(std::uint32_t code_point);

// An id as a dataset file name could carry it: arbitrary UTF-8 (ASCII, Latin,
// CJK, emoji, spaces), never '/', NUL, CR or LF; 1 to 300 bytes and sometimes long.
rc::Gen<std::string> arbitrary_pet_id();

// An Oxford-IIIT-Pet-like id: a breed name (cats capitalized, dogs lower case) + "_N".
rc::Gen<std::string> oxford_pet_id();

}  // namespace repro::test
