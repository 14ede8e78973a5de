// The JSON Schemas of every file format (docs/schemas/), embedded in the binary at build time.
//
// Each reader validates its document against its schema before its own bounded parsing,
// so every violation of a document surfaces at once with the field and the rule; the
// readers then check what a schema cannot say (roots, checksums, cross-field rules).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/util/json_schema.hpp"

namespace repro {

// File names of the embedded schemas ("fingerprint.schema.json", ...), sorted.
std::vector<std::string> contract_schema_names();

// The schema named `file_name` (one of contract_schema_names()), compiled once.
// std::logic_error for an unknown name (a bug: the names are ours).
const JsonSchema& contract_schema(std::string_view file_name);

// The schema's text exactly as in docs/schemas/ (for `repro-check trace validate`'s help
// and tests).
std::string_view contract_schema_text(std::string_view file_name);

// contract_schema(file_name).validate(document, file, field_prefix).
void validate_against(std::string_view file_name, const nlohmann::json& document,
                      const std::string& file, const std::string& field_prefix = "");

}  // namespace repro
