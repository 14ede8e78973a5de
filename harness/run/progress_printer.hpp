// ProgressPrinter: the "[3/7 done, 2 running, 2 left] threads=2 ..." line while cells run.
#pragma once

#include <ostream>
#include <string>

#include "harness/run/runner.hpp"

namespace repro {

class ProgressPrinter {
 public:
  // `interactive`: `out` is a terminal, so one line is rewritten in place (\r, erase to end
  // of line) on every start and finish; otherwise one line is written per finished cell.
  ProgressPrinter(std::ostream& out, bool interactive);

  // Shows `progress` (a ProgressCallback).
  void update(const RunProgress& progress);

  // Ends the in-place line (interactive) so later output starts on a fresh line.
  void finish();

 private:
  std::ostream& m_out;
  bool m_interactive;
  bool m_line_open = false;
};

// "[3/7 done, 2 running, 2 left] blas=atlas,threads=1: ran in 4.2 s" (finished) or
// "[2/7 done, 3 running, 2 left] starting blas=atlas,threads=1" (started).
std::string progress_line(const RunProgress& progress);

}  // namespace repro
