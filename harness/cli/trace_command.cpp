// `repro-check trace validate`: the trace contract applied to a file, every deviation listed.
#include "harness/cli/trace_command.hpp"

#include <CLI/CLI.hpp>

#include "harness/util/exit_codes.hpp"
#include "harness/verdict/trace_validation.hpp"

namespace repro {
namespace {

constexpr const char* k_trace_examples = R"TEXT(
Examples:
  repro-check trace validate .repro/runs/RUN/00-device=cpu/trace.jsonl
  repro-check trace validate my-trace.jsonl --json

Checks every line against docs/schemas/trace-record.schema.json and the header's
fingerprint against fingerprint.schema.json, then the reader's rules (step roots,
consecutive steps, the end record), the order of the tensors in each step and the loss
tensor against loss.bits (docs/trace-format.md). Every deviation is printed with its rule
and field. Exit 0 when the trace conforms, 2 when it does not.)TEXT";

}  // namespace

void add_trace_command(CLI::App& app, TraceOptions& options) {
  auto* cmd = app.add_subcommand("trace", "Check trace files against the trace format");
  cmd->require_subcommand(1);
  auto* validate = cmd->add_subcommand(
      "validate", "Check a trace file against docs/trace-format.md and its JSON Schemas");
  validate->add_option("FILE", options.file, "The trace (JSON Lines)")->required();
  validate->add_flag("--json", options.json, "Print the deviations as JSON");
  validate->footer(k_trace_examples);
}

bool trace_command_given(const CLI::App& app) {
  return app.got_subcommand("trace");
}

int run_trace(const TraceOptions& options, std::ostream& out) {
  auto deviations = validate_trace_file(options.file);
  if (options.json) {
    nlohmann::json j;
    j["file"] = options.file;
    j["conforms"] = deviations.empty();
    j["deviations"] = nlohmann::json::array();
    for (const auto& d : deviations) {
      j["deviations"].push_back({{"rule", d.rule}, {"field", d.where}, {"what", d.what}});
    }
    out << j.dump(2) << "\n";
  } else if (deviations.empty()) {
    out << options.file << ": conforms to the trace format\n";
  } else {
    for (const auto& d : deviations) {
      out << options.file << ": " << (d.where.empty() ? "" : d.where + ": ") << d.what << " ["
          << d.rule << "]\n";
    }
    out << deviations.size() << " deviation" << (deviations.size() == 1 ? "" : "s")
        << " from the trace format\n";
  }
  return deviations.empty() ? k_exit_ok : k_exit_usage;
}

}  // namespace repro
