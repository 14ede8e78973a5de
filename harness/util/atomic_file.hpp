// Whole-file reads and atomic writes (temporary file in the same directory + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace repro {

// "a FIFO", "a character device", ... for a stat st_mode (error messages).
const char* file_type_name(unsigned mode);

// Whether a written file must survive a crash of the machine, not only of the process.
// durable (goldens, reports, history): fsynced before the rename. scratch (a run folder's
// configs, worker traces, tensor dumps and op traces: read back within the run, removed
// after it, made again by re-running): not fsynced. Both are atomic. fsync gives every file
// its disk blocks at once; a run folder of ~750 such files then took 2.5 s to remove on an
// ext4 mounted with `discard` (docs/benchmarks.md), against milliseconds without.
enum class Durability { durable, scratch };

// Writes `content` to `path` atomically: a reader sees the old file or the whole new
// one, never a torn write. Creates parent directories. Throws repro::Error on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       Durability durability = Durability::durable);

// Largest file read_file() accepts unless told otherwise (1 GiB).
inline constexpr std::uint64_t k_max_input_file_bytes = std::uint64_t{1} << 30;

// Reads the whole file. Throws repro::Error naming the file when it cannot be read, when
// it is not a regular file (a FIFO, a device such as /dev/zero, a directory: refused
// without blocking), or when it is larger than `max_bytes`.
std::string read_file(const std::filesystem::path& path,
                      std::uint64_t max_bytes = k_max_input_file_bytes);

// Appends lines to `<path>.partial` and renames it to `path` on commit(), so a
// crash leaves a readable partial file (nothing lost) but never a file that looks
// complete. Each append() is flushed to the OS before it returns.
class AppendOnlyFile {
 public:
  explicit AppendOnlyFile(std::filesystem::path path, Durability durability = Durability::durable);
  ~AppendOnlyFile();
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // Appends `data` (callers include their own newline). Throws repro::Error on I/O failure.
  void append(std::string_view data);
  // fsyncs (when durable) and renames the partial file to its final name; later appends
  // are bugs.
  void commit();
  const std::filesystem::path& partial_path() const { return m_partial; }

 private:
  std::filesystem::path m_path;
  std::filesystem::path m_partial;
  Durability m_durability;
  int m_fd = -1;
};

}  // namespace repro
