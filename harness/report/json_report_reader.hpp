// Reads a JSON report (harness/report/json_report.hpp) back into a RunReport: for merge and
// the nightly report.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/verdict/run_report.hpp"

namespace repro {

// Largest JSON report read (a nightly report of a few hundred cells is well under 1 MiB).
inline constexpr std::uintmax_t k_max_json_report_bytes = 64u << 20;

// Parses a JSON report document. Throws repro::Error(file, field, ...) for a missing,
// too old or too new format_version, a missing field or one of the wrong type, and an
// unknown verdict, role, golden status, severity or tensor kind. Fields this build does not
// know are ignored (reports are read by older tools too).
RunReport run_report_from_json(const nlohmann::json& j, const std::string& file);

// Reads and parses the report at `path`; a missing file, one larger than
// k_max_json_report_bytes, or invalid JSON is a repro::Error naming the file.
RunReport load_json_report(const std::filesystem::path& path);

}  // namespace repro
