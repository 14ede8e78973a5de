// Terminal report: aligned table, optional ANSI colour.
#include "harness/report/terminal_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace repro {
namespace {

constexpr const char* k_reset = "\033[0m";
constexpr const char* k_red = "\033[31m";
constexpr const char* k_green = "\033[32m";
constexpr const char* k_yellow = "\033[33m";
constexpr const char* k_dim = "\033[2m";
constexpr const char* k_bold = "\033[1m";

// Display width of UTF-8 text: code points, not bytes (labels may hold "→" or non-ASCII).
size_t display_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

std::string pad(const std::string& text, size_t width) {
  size_t w = display_width(text);
  return text + std::string(width > w ? width - w : 0, ' ');
}

std::string pad_left(const std::string& text, size_t width) {
  size_t w = display_width(text);
  return std::string(width > w ? width - w : 0, ' ') + text;
}

class Painter {
 public:
  explicit Painter(bool enabled) : m_enabled(enabled) {}
  std::string operator()(const std::string& text, const char* colour) const {
    return m_enabled && colour != nullptr ? colour + text + k_reset : text;
  }

 private:
  bool m_enabled;
};

const char* verdict_colour(const CellReport& c) {
  switch (c.verdict) {
    case CellVerdict::identical:
      return k_green;
    case CellVerdict::diverged:
      return c.failures.empty() ? k_yellow : k_red;
    case CellVerdict::skipped:
    case CellVerdict::not_run:
      return k_dim;
    case CellVerdict::crashed:
    case CellVerdict::timeout:
      return k_red;
  }
  return nullptr;
}

const char* golden_colour(const std::optional<GoldenStatus>& g) {
  if (!g) {
    return k_dim;
  }
  switch (*g) {
    case GoldenStatus::match:
      return k_green;
    case GoldenStatus::mismatch:
      return k_red;
    case GoldenStatus::missing:
      return k_dim;
  }
  return nullptr;
}

std::string ms_text(const std::optional<double>& ms) {
  if (!ms) {
    return "-";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *ms);
  return buf;
}

// Worker-provided text (a stderr tail) may hold line breaks and escape sequences:
// on the terminal they become spaces, so every line stays one line.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  return out;
}

// printable(), cut to fit a table row; the JSON report keeps the whole reason.
std::string one_line(const std::string& text) {
  constexpr size_t k_max_bytes = 240;
  std::string out = printable(text);
  if (out.size() > k_max_bytes) {
    size_t cut = k_max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;  // never split a UTF-8 sequence
    }
    out = out.substr(0, cut) + "…";
  }
  return out;
}

std::string last_column(const CellReport& c) {
  if (c.first_divergence) {
    return describe(*c.first_divergence);
  }
  if (c.verdict == CellVerdict::identical) {
    return c.golden == GoldenStatus::mismatch ? describe(*c.golden_divergence) + " (golden)" : "-";
  }
  return one_line(c.reason);
}

std::string verdict_line(const RunReport& report) {
  std::string head = !report.interrupted_by.empty()           ? "INTERRUPTED"
                     : report.exit_code == k_exit_nothing_ran ? "SKIP"
                     : report.pass                            ? "PASS"
                                                              : "FAIL";
  std::string line = head + " (exit " + std::to_string(report.exit_code) + ")";
  if (report.exit_code == k_exit_nothing_ran) {
    return line + ": " + (report.culprit.empty() ? "no cell could run here" : report.culprit);
  }
  if (!report.culprit.empty() && !report.pass) {
    return line + ": " + report.culprit;
  }
  return line;
}

}  // namespace

bool colour_wanted(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(fd) == 1 && (no_colour == nullptr || no_colour[0] == '\0');
}

void write_terminal_report(std::ostream& out, const RunReport& report,
                           const TerminalOptions& options) {
  Painter paint(options.colour);
  out << "repro-check: suite " << report.suite << " (" << report.design << "), environment "
      << report.environment_class << "\n";
  auto baseline = std::find_if(report.cells.begin(), report.cells.end(),
                               [](const CellReport& c) { return c.role == CellRole::baseline; });
  if (baseline != report.cells.end()) {
    out << "baseline: " << baseline->id << "\n";
  }
  if (!options.quiet) {
    std::vector<std::array<std::string, 4>> rows;
    rows.push_back({"CELL", "VERDICT", "GOLDEN", "MS/STEP"});
    for (const auto& c : report.cells) {
      rows.push_back({report.label(c), std::string(to_string(c.verdict)),
                      c.golden ? std::string(to_string(*c.golden)) : "-", ms_text(c.step_time_ms)});
    }
    std::array<size_t, 4> width{};
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        width[i] = std::max(width[i], display_width(row[i]));
      }
    }
    out << "\n  "
        << paint(pad(rows[0][0], width[0]) + "  " + pad(rows[0][1], width[1]) + "  " +
                     pad(rows[0][2], width[2]) + "  " + pad_left(rows[0][3], width[3]) +
                     "  FIRST DIVERGENCE / REASON",
                 k_bold)
        << "\n";
    for (size_t r = 1; r < rows.size(); ++r) {
      const CellReport& c = report.cells[r - 1];
      out << "  " << pad(rows[r][0], width[0]) << "  "
          << paint(pad(rows[r][1], width[1]), verdict_colour(c)) << "  "
          << paint(pad(rows[r][2], width[2]), golden_colour(c.golden)) << "  "
          << pad_left(rows[r][3], width[3]) << "  " << last_column(c) << "\n";
    }
  }
  out << "\n";
  for (const auto& line : report.summary) {
    out << "  " << printable(line) << "\n";
  }
  bool any_failure = false;
  for (const auto& c : report.cells) {
    for (const auto& f : c.failures) {
      if (!any_failure) {
        out << "\n  " << paint("must hold, but does not:", k_red) << "\n";
        any_failure = true;
      }
      out << "    " << report.label(c) << ": " << printable(f) << "\n";
    }
  }
  out << "\n" << paint(printable(verdict_line(report)), report.pass ? k_green : k_red) << "\n";
}

}  // namespace repro
