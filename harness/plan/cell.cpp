// Cell naming and enum texts.
#include "harness/plan/cell.hpp"

namespace repro {

std::string settings_key(const Settings& settings) {
  std::string key;
  for (const auto& [axis, value] : settings) {
    if (!key.empty()) {
      key += ',';
    }
    key += axis + "=" + value;
  }
  return key;
}

std::string_view to_string(CellRole role) {
  switch (role) {
    case CellRole::baseline:
      return "baseline";
    case CellRole::repeat:
      return "repeat";
    case CellRole::variant:
      return "variant";
  }
  return "variant";
}

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::ran:
      return "ran";
    case RunStatus::skipped:
      return "skipped";
    case RunStatus::crashed:
      return "crashed";
    case RunStatus::timeout:
      return "timeout";
    case RunStatus::not_run:
      return "not run";
  }
  return "crashed";
}

}  // namespace repro
