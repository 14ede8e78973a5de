// Text from outside (a worker's stderr, a path) made safe for a terminal or a report line.
#pragma once

#include <string>
#include <string_view>

namespace repro {

// `text` with every control character (bytes 0x00-0x1f and 0x7f: ESC of an ANSI escape
// sequence, newline, carriage return, tab) replaced by its visible escape "\x1b", and
// every byte of invalid UTF-8 by "\xNN", so it cannot move the cursor, recolour the
// terminal, start a new Markdown line or break a JSON report.
std::string printable(std::string_view text);

// True when `text` holds a control character (see printable()).
bool has_control_character(std::string_view text);

}  // namespace repro
