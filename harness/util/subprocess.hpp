// Subprocess: start a program with an explicit argv and environment (never a shell),
// capture its output to files, wait with a time limit; nothing it starts outlives us.
//
// Lifetime guarantees (Linux): each child runs in its own process group and carries a
// parent-death signal (PR_SET_PDEATHSIG = SIGKILL, set between fork and exec), so it dies
// with the thread that started it, even when this process is killed with SIGKILL. Ending a
// child (exit, time-out, destruction) kills its whole process group. With
// enable_orphan_reaping() this process is also a child subreaper: descendants that left
// the group (setsid daemons) are reparented here when their parent ends, and
// reap_orphans() kills them. While a run guard runs (run_guard.hpp) every child also
// carries the run token in its environment, by which the guard finds and kills what is left
// when this process is SIGKILLed (a worker's daemon, reparented to init).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace repro {

struct ProcessSpec {
  std::filesystem::path program;            // absolute or relative path; PATH is not searched
  std::vector<std::string> args;            // argv[1..]
  std::map<std::string, std::string> env;   // the COMPLETE environment of the child (plus
                                            // REPRO_RUN_TOKEN while a run guard runs)
  std::filesystem::path stdout_path;        // "" = /dev/null
  std::filesystem::path stderr_path;        // "" = /dev/null
  std::filesystem::path working_directory;  // "" = inherit
  std::chrono::milliseconds timeout{0};     // 0 = no limit
};

struct ProcessResult {
  bool started = false;    // false: could not start (see `error`)
  bool timed_out = false;  // killed (SIGKILL to its process group) after the limit
  bool cancelled = false;  // killed because the caller cancelled the wait (interrupt)
  int exit_code = -1;      // valid when exited normally
  int signal = 0;          // non-zero when killed by a signal
  double wall_seconds = 0;
  std::string error;  // why it could not start
  // "exit 3", "signal 11 (Segmentation fault)", "timed out after 30 s", "could not start: ...",
  // "interrupted"
  std::string describe() const;
};

// A started child process.
// The result of a child that ended with wait status `status`, started at `start` (exit
// code or signal, wall time, how it was stopped). Used by every way we run a child.
ProcessResult ended_process_result(int status, bool timed_out, bool cancelled,
                                   std::chrono::steady_clock::time_point start);

class Process {
 public:
  // Starts the child (fork + exec) in its own process group, with SIGKILL as its
  // parent-death signal. On failure `started()` is false and wait() says why: no such
  // file, not a regular file, not executable, or the exec's own error.
  explicit Process(const ProcessSpec& spec);
  ~Process();  // kills (its process group) and reaps a still-running child
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return m_pid > 0; }
  // Non-blocking: the result once the child has ended (or been killed for its time
  // limit), nullopt while it still runs.
  std::optional<ProcessResult> poll();
  // Blocks until the child ends or its time limit kills it.
  ProcessResult wait();
  // Kills the child's process group and reaps it; the result says `cancelled`. No-op once
  // it has ended.
  ProcessResult kill();
  // The child's pid, -1 when it did not start.
  int pid() const { return m_pid; }

 private:
  ProcessSpec m_spec;
  int m_pid = -1;
  std::chrono::steady_clock::time_point m_start;
  std::optional<ProcessResult> m_result;
  std::string m_error;

  ProcessResult ended(int status, bool timed_out, bool cancelled);
};

// Runs to completion (convenience for short commands like `worker --fingerprint`). When
// `cancelled` returns true (polled every few milliseconds) the child is killed and the
// result says `cancelled`.
ProcessResult run_process(const ProcessSpec& spec, const std::function<bool()>& cancelled = {});

// Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER): orphaned descendants of
// its children are reparented to it rather than to init, so reap_orphans() can end them.
// Call once, early, in a program that starts children only through Process. Idempotent.
void enable_orphan_reaping();

// When orphan reaping is enabled: kills (SIGKILL) and reaps every child of this process
// that no live Process owns (the run guard excepted), repeatedly until none is left (a
// killed orphan's own children are reparented here in turn). Returns how many were killed; 0 when
// reaping is disabled. Process calls it whenever its last live child ends.
int reap_orphans();

// The variables of this process's environment, as a map.
std::map<std::string, std::string> current_environment();

// The last `max_bytes` of a file (for crash reasons), "" when unreadable.
std::string file_tail(const std::filesystem::path& path, size_t max_bytes = 2000);

}  // namespace repro
