// ProgressPrinter: in-place on a terminal, one line per finished cell otherwise (CI logs).
#include "harness/run/progress_printer.hpp"

#include <cstdio>

#include "harness/util/str_cat.hpp"

namespace repro {

std::string progress_line(const RunProgress& p) {
  std::string line =
      str_cat("[", std::to_string(p.done), "/", std::to_string(p.total), " done, ",
              std::to_string(p.running), " running, ", std::to_string(p.left()), " left]");
  if (p.cell == nullptr) {
    return line;
  }
  if (p.finished == nullptr) {
    return str_cat(line, " starting ", p.cell->id);
  }
  line += str_cat(" ", p.cell->id, ": ", to_string(p.finished->status));
  if (p.finished->status == RunStatus::ran) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, " in %.1f s", p.finished->wall_seconds);
    line += seconds;
  } else if (!p.finished->reason.empty()) {
    line += str_cat(" (", p.finished->reason, ")");
  }
  return line;
}

ProgressPrinter::ProgressPrinter(std::ostream& out, bool interactive)
    : m_out(out), m_interactive(interactive) {}

void ProgressPrinter::update(const RunProgress& progress) {
  if (m_interactive) {
    std::string line = progress_line(progress);
    // Keep the in-place line within a typical terminal so \r can rewrite it.
    if (line.size() > 110) {
      line.resize(107);
      line += "...";
    }
    m_out << "\r" << line << "\x1b[K" << std::flush;
    m_line_open = true;
    return;
  }
  if (progress.finished != nullptr) {
    m_out << progress_line(progress) << "\n" << std::flush;
  }
}

void ProgressPrinter::finish() {
  if (m_interactive && m_line_open) {
    m_out << "\n" << std::flush;
    m_line_open = false;
  }
}

}  // namespace repro
