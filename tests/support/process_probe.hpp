// Process helpers for tests that start, signal and outlive processes: is a pid still running,
// the pid a fake worker wrote to a file, polling waits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>

namespace repro::test {

// Waits up to `limit` for `done`, polling every 20 ms; true when it became true.
bool wait_for(const std::function<bool()>& done,
              std::chrono::milliseconds limit = std::chrono::seconds(60));

// The pid written to FILE, 0 while there is none.
pid_t pid_in(const std::filesystem::path& file);

// The pid in FILE once the file holds one (waits up to 10 s), else 0.
pid_t wait_for_pid(const std::filesystem::path& file);

// True when process PID no longer runs (gone, or a zombie nobody reaped yet).
bool is_dead(pid_t pid);

// Waits up to 10 s for PID to end; true when it did.
bool ends(pid_t pid);

// Kills PID if it still runs (cleanup after a failed expectation).
void kill_if_alive(pid_t pid);

}  // namespace repro::test
