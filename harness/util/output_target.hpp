// Output files named on the command line (--json, --junit, ...): checked before any work,
// written atomically when they are regular files and directly when they are not.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace repro {

// How an output path will be written.
enum class OutputKind {
  atomic_file,   // absent or a regular file: temporary file + rename (write_file_atomic)
  through_link,  // a symbolic link to a regular file: opened through the link and truncated
  stream,        // a character device, a FIFO or a /dev/ or /proc/ alias of one (/dev/stdout):
                 // opened and written in place, never replaced
};

// Classifies `path` and checks that it can be written, without writing anything: its
// nearest existing ancestor must be a writable directory; an existing target must not be
// a directory, a block device or a socket; a FIFO must have a reader. Throws
// repro::Error(flag, "", "<path>: <what is wrong>") (exit 2), so a run fails before its
// first cell rather than after its last.
OutputKind check_output_target(const std::filesystem::path& path, const std::string& flag);

// Checks that files can be created in `dir`: it is a writable directory, or its nearest
// existing ancestor is. Throws repro::Error(flag, "", ...).
void check_output_directory(const std::filesystem::path& dir, const std::string& flag);

// Writes `content` to `path` as check_output_target() classifies it: never replaces a
// device node or a FIFO with a regular file. Throws repro::Error naming the path.
void write_output_file(const std::filesystem::path& path, std::string_view content);

}  // namespace repro
