// RunReport helpers: verdict names and counts.
#include "harness/verdict/run_report.hpp"

#include <algorithm>

namespace repro {

std::string_view to_string(CellVerdict verdict) {
  switch (verdict) {
    case CellVerdict::identical:
      return "identical";
    case CellVerdict::diverged:
      return "diverged";
    case CellVerdict::skipped:
      return "skipped";
    case CellVerdict::crashed:
      return "crashed";
    case CellVerdict::timeout:
      return "timeout";
    case CellVerdict::not_run:
      return "not run";
  }
  return "crashed";
}

std::string_view verdict_word(const RunReport& report) {
  if (!report.interrupted_by.empty()) {
    return "interrupted";
  }
  return report.pass ? "pass" : "fail";
}

void PrintTo(CellVerdict verdict, std::ostream* os) {
  *os << to_string(verdict);
}

std::string RunReport::label(const CellReport& cell) const {
  if (cell.role == CellRole::baseline) {
    return "baseline";
  }
  if (cell.role == CellRole::repeat) {
    return "repeat";
  }
  auto baseline = std::find_if(cells.begin(), cells.end(),
                               [](const CellReport& c) { return c.role == CellRole::baseline; });
  if (baseline == cells.end()) {
    return cell.id;
  }
  std::string out;
  for (const auto& axis : changed_axes(baseline->settings, cell.settings)) {
    auto it = cell.settings.find(axis);
    out += (out.empty() ? "" : " ") + axis + "=" + (it == cell.settings.end() ? "" : it->second);
  }
  return out.empty() ? cell.id : out;
}

const CellReport* RunReport::find(std::string_view id) const {
  auto it =
      std::find_if(cells.begin(), cells.end(), [&](const CellReport& c) { return c.id == id; });
  return it == cells.end() ? nullptr : &*it;
}

int RunReport::count(CellVerdict verdict) const {
  return static_cast<int>(std::count_if(cells.begin(), cells.end(),
                                        [&](const CellReport& c) { return c.verdict == verdict; }));
}

int RunReport::count(GoldenStatus status) const {
  return static_cast<int>(std::count_if(cells.begin(), cells.end(),
                                        [&](const CellReport& c) { return c.golden == status; }));
}

int RunReport::golden_compared() const {
  return count(GoldenStatus::match) + count(GoldenStatus::mismatch);
}

}  // namespace repro
