// GoldenJson: a cell's golden candidate in the JSON report, and back (bless --from-report).
//
// cells[].golden_cell in the JSON report:
//   {"key": settings key, "environment_class": name, "class_fields": {field: value},
//    "fingerprint": {...}, "config": {path: value}, "config_hash": "<32 hex>",
//    "steps": [{"step": 0, "root": "<32 hex>", "loss_bits": "3f8ccccd",
//               "tensors": [["batch.images", "<32 hex>"], ...]}]}     (trace order)
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "harness/util/json_fields.hpp"
#include "harness/verdict/golden_file.hpp"

namespace repro {

// The candidate as JSON (the fingerprint is the cell's own).
nlohmann::ordered_json golden_candidate_to_json(const GoldenCandidate& candidate);

// Parses and validates one candidate: every field present and typed, digests 32 lowercase
// hex, each root recomputed from its tensors, the class recomputed from the fingerprint,
// the config hash recomputed. Throws repro::Error naming `at.file` and the field.
GoldenCandidate golden_candidate_from_json(const nlohmann::ordered_json& j, const JsonPath& at);

}  // namespace repro
