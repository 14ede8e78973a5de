// `repro-check axes`: every axis, the values this machine can run, and why the others cannot.
#pragma once

#include <ostream>

#include "harness/cli/common_options.hpp"
#include "harness/plan/axis_availability.hpp"

namespace CLI {
class App;
}

namespace repro {

struct AxesOptions {
  bool json = false;
};

// Adds the `axes` subcommand.
void add_axes_command(CLI::App& app, AxesOptions& options);

// Prints the table (or JSON) for the default worker on this machine. Returns 0; a worker
// that cannot be asked is reported (gpu then shows why), not an error.
int run_axes(const CommonOptions& common, const AxesOptions& options);

// The table people read: per axis its summary, available values and missing values with
// reasons (open-ended axes: what a value may be).
void write_axes_text(std::ostream& out, const AxisAvailability& availability);

// {"format_version": 1, "worker": {"path", "libtorch_version" | "error"}, "axes": [{"name",
// "target" ("config"|"environment"|"executable"), "summary", "values", "available",
// "missing": [{"value", "reason"}], "open_values"}]}
nlohmann::ordered_json axes_to_json(const AxisAvailability& availability,
                                    const std::filesystem::path& worker);

}  // namespace repro
