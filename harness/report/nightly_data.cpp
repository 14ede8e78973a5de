// Nights from the history: the window, grouping by environment class, changes between nights.
#include "harness/report/nightly_data.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "harness/report/json_report_reader.hpp"
#include "harness/trace/fingerprint.hpp"
#include "harness/util/error.hpp"
#include "harness/util/json_fields.hpp"
#include "harness/util/utc_time.hpp"
#include "harness/verdict/attribute.hpp"

namespace repro {
namespace {

bool is_divergent(const CellReport& c) {
  return c.verdict == CellVerdict::diverged;
}

std::string word(CellVerdict v) {
  return std::string(to_string(v));
}

std::string golden_word(const std::optional<GoldenStatus>& g) {
  return g ? std::string(to_string(*g)) : "-";
}

const CellReport* find_cell(const RunReport& r, const std::string& id) {
  for (const auto& c : r.cells) {
    if (c.id == id) {
      return &c;
    }
  }
  return nullptr;
}

// Leaves of a JSON object as dotted paths -> text.
void flatten(const nlohmann::json& j, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      flatten(value, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  out[prefix] = j.is_string() ? j.get<std::string>() : j.dump();
}

}  // namespace

std::chrono::seconds parse_duration(std::string_view text, const std::string& source) {
  if (text.size() < 2) {
    throw Error(source, "", "'" + std::string(text) + "' is not a duration like 14d, 36h or 90m");
  }
  char unit = text.back();
  std::string_view digits = text.substr(0, text.size() - 1);
  long long count = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || count > 100000) {
      throw Error(source, "", "'" + std::string(text) + "' is not a duration like 14d, 36h or 90m");
    }
    count = count * 10 + (c - '0');
  }
  long long unit_seconds = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 0;
  if (unit_seconds == 0 || count == 0) {
    throw Error(source, "",
                "'" + std::string(text) + "' is not a positive duration like 14d, 36h or 90m");
  }
  return std::chrono::seconds(count * unit_seconds);
}

std::optional<std::chrono::system_clock::time_point> parse_utc_iso8601(std::string_view text) {
  if (!is_utc_iso8601(text)) {
    return std::nullopt;
  }
  std::tm tm{};
  auto num = [&](size_t pos, size_t len) { return std::stoi(std::string(text.substr(pos, len))); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

NightlyHistory collect_nights(const std::vector<HistoryRow>& rows, const std::string& suite,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds window) {
  NightlyHistory h;
  h.suite = suite;
  h.now = utc_iso8601(now);
  h.since = utc_iso8601(now - window);
  std::vector<Night> nights;
  for (const auto& row : rows) {
    if (row.suite != suite) {
      continue;
    }
    auto when = parse_utc_iso8601(row.time);
    if (!when || *when > now || *when <= now - window) {
      continue;
    }
    try {
      RunReport report = run_report_from_json(parse_json(row.report_json, "history row"),
                                              "history row " + std::to_string(row.id));
      nights.push_back({row.time, std::move(report)});
    } catch (const Error& e) {
      h.unreadable.push_back(row.time + ": " + e.what());
    }
  }
  // ISO-8601 in one form sorts as text; the history id breaks ties (rows are newest first).
  std::stable_sort(nights.begin(), nights.end(),
                   [](const Night& a, const Night& b) { return a.time > b.time; });
  for (auto& night : nights) {
    auto group = std::find_if(h.groups.begin(), h.groups.end(), [&](const NightGroup& g) {
      return g.environment_class == night.report.environment_class;
    });
    if (group == h.groups.end()) {
      h.groups.push_back({night.report.environment_class, {}});
      group = h.groups.end() - 1;
    }
    group->nights.push_back(std::move(night));
  }
  for (auto& group : h.groups) {
    std::reverse(group.nights.begin(), group.nights.end());  // oldest first
  }
  return h;
}

std::string responsible_setting(const RunReport& report, const CellReport& cell) {
  if (cell.role == CellRole::baseline) {
    return "-";
  }
  if (cell.role == CellRole::repeat) {
    return "none (identical settings: the repeat)";
  }
  for (const auto& a : report.attribution) {
    if (a.cell_id == cell.id) {
      return a.axis + " " + a.from + "→" + a.to;
    }
  }
  const CellReport* baseline = nullptr;
  for (const auto& c : report.cells) {
    if (c.role == CellRole::baseline) {
      baseline = &c;
    }
  }
  if (baseline == nullptr) {
    return cell.id;
  }
  std::string out;
  for (const auto& axis : changed_axes(baseline->settings, cell.settings)) {
    auto from = baseline->settings.find(axis);
    auto to = cell.settings.find(axis);
    out += (out.empty() ? "" : " + ") + axis + " " +
           (from == baseline->settings.end() ? "" : from->second) + "→" +
           (to == cell.settings.end() ? "" : to->second);
  }
  return out.empty() ? cell.id : out;
}

std::vector<NightChange> changes_between(const RunReport& previous, const RunReport& latest) {
  std::vector<NightChange> fresh, fixed, verdicts, golden, cells, environment;
  for (const auto& c : latest.cells) {
    const CellReport* before = find_cell(previous, c.id);
    std::string setting = responsible_setting(latest, c);
    if (before == nullptr) {
      NightChange change{"new cell", c.id, setting, "verdict " + word(c.verdict)};
      if (is_divergent(c)) {
        change.kind = "new divergence";
        change.detail = "new cell, diverged " + describe(*c.first_divergence);
        fresh.push_back(change);
      } else {
        cells.push_back(change);
      }
      continue;
    }
    if (is_divergent(c) && !is_divergent(*before)) {
      fresh.push_back(
          {"new divergence", c.id, setting,
           "was " + word(before->verdict) + ", now diverges " + describe(*c.first_divergence)});
    } else if (!is_divergent(c) && is_divergent(*before) && c.verdict == CellVerdict::identical) {
      fixed.push_back({"fixed", c.id, responsible_setting(previous, *before),
                       "diverged " + describe(*before->first_divergence) +
                           ", now bit-identical to the baseline"});
    } else if (c.verdict != before->verdict) {
      verdicts.push_back({"verdict", c.id, setting,
                          word(before->verdict) + " → " + word(c.verdict) +
                              (c.reason.empty() ? "" : " (" + c.reason + ")")});
    } else if (is_divergent(c) && !c.first_divergence->same_place(*before->first_divergence)) {
      fresh.push_back({"new divergence", c.id, setting,
                       "still diverges, but now " + describe(*c.first_divergence) + " (was " +
                           describe(*before->first_divergence) + ")"});
    }
    if (golden_word(c.golden) != golden_word(before->golden)) {
      golden.push_back({"golden", c.id, setting,
                        golden_word(before->golden) + " → " + golden_word(c.golden) +
                            (c.golden_divergence ? " " + describe(*c.golden_divergence) : "")});
    }
  }
  for (const auto& c : previous.cells) {
    if (find_cell(latest, c.id) == nullptr) {
      cells.push_back(
          {"removed cell", c.id, responsible_setting(previous, c), "not in tonight's matrix"});
    }
  }
  if (previous.golden_path != latest.golden_path || previous.golden_found != latest.golden_found) {
    golden.push_back({"golden", "", "golden file",
                      (previous.golden_found ? previous.golden_path : "none") + " → " +
                          (latest.golden_found ? latest.golden_path : "none")});
  }
  std::map<std::string, std::string> before_fp;
  std::map<std::string, std::string> after_fp;
  flatten(to_json(previous.fingerprint), "", before_fp);
  flatten(to_json(latest.fingerprint), "", after_fp);
  for (const auto& [field, value] : after_fp) {
    auto it = before_fp.find(field);
    std::string old = it == before_fp.end() ? "(absent)" : it->second;
    if (old != value) {
      environment.push_back({"environment", "", field, old + " → " + value});
    }
  }
  for (const auto& [field, value] : before_fp) {
    if (after_fp.find(field) == after_fp.end()) {
      environment.push_back({"environment", "", field, value + " → (absent)"});
    }
  }
  std::vector<NightChange> out;
  for (auto* list : {&fresh, &fixed, &verdicts, &golden, &cells, &environment}) {
    out.insert(out.end(), list->begin(), list->end());
  }
  return out;
}

}  // namespace repro
