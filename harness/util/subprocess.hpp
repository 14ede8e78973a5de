// Subprocess: start a program with an explicit argv and environment (never a shell),
// capture its output to files, wait with a time limit.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace repro {

struct ProcessSpec {
  std::filesystem::path program;            // absolute or relative path; PATH is not searched
  std::vector<std::string> args;            // argv[1..]
  std::map<std::string, std::string> env;   // the COMPLETE environment of the child
  std::filesystem::path stdout_path;        // "" = /dev/null
  std::filesystem::path stderr_path;        // "" = /dev/null
  std::filesystem::path working_directory;  // "" = inherit
  std::chrono::milliseconds timeout{0};     // 0 = no limit
};

struct ProcessResult {
  bool started = false;    // false: could not start (see `error`)
  bool timed_out = false;  // killed (SIGKILL to its process group) after the limit
  int exit_code = -1;      // valid when exited normally
  int signal = 0;          // non-zero when killed by a signal
  double wall_seconds = 0;
  std::string error;  // why it could not start
  // "exit 3", "signal 11 (Segmentation fault)", "timed out after 30 s", "could not start: ..."
  std::string describe() const;
};

// A started child process.
class Process {
 public:
  // Starts the child in its own process group. On failure `started()` is false.
  explicit Process(const ProcessSpec& spec);
  ~Process();  // kills and reaps a still-running child
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return m_pid > 0; }
  // Non-blocking: the result once the child has ended (or been killed for its time
  // limit), nullopt while it still runs.
  std::optional<ProcessResult> poll();
  // Blocks until the child ends or its time limit kills it.
  ProcessResult wait();

 private:
  ProcessSpec m_spec;
  int m_pid = -1;
  std::chrono::steady_clock::time_point m_start;
  std::optional<ProcessResult> m_result;
  std::string m_error;
};

// Runs to completion (convenience for short commands like `worker --fingerprint`).
ProcessResult run_process(const ProcessSpec& spec);

// The variables of this process's environment, as a map.
std::map<std::string, std::string> current_environment();

// The last `max_bytes` of a file (for crash reasons), "" when unreadable.
std::string file_tail(const std::filesystem::path& path, size_t max_bytes = 2000);

}  // namespace repro
