// UTC timestamps in ISO-8601 ("2024-05-01T12:00:00Z") for files and history rows.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace repro {

// "YYYY-MM-DDTHH:MM:SSZ" for `when` (seconds precision, UTC).
std::string utc_iso8601(std::chrono::system_clock::time_point when);

// utc_iso8601 of the current time.
std::string utc_now_iso8601();

// True when `text` has exactly the form utc_iso8601 writes, with plausible ranges.
bool is_utc_iso8601(std::string_view text);

}  // namespace repro
