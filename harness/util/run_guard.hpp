// Run guard: a small process that ends everything started for a run, and removes the run's
// temporary folder, when the checker dies without ending the run itself (SIGKILL, OOM killer).
//
// The checker forks the guard (no exec) before any thread or child exists. The guard holds
// the read end of a pipe whose write end only the checker holds: EOF without the byte that
// finish_run_guard() writes means the checker is gone. The guard then finds the run's
// processes by the run token that every child carries in its environment
// (REPRO_RUN_TOKEN, inherited by their descendants, daemons included), stops and kills
// them, scanning /proc until none is left, and removes the run's temporary folder. Where a
// cgroup v2 group can be created (root, a delegated subtree), every child also enters the
// run's group and the guard first kills the whole group (cgroup.kill). Limits: without such a
// group, a descendant that clears or replaces its environment, or a process of another user,
// escapes it; so does everything if the guard itself is SIGKILLed.
#pragma once

#include <filesystem>
#include <string>

namespace repro {

// The environment variable that carries the run token to every process a run starts: one
// token per guarded run, comma-separated when a run was itself started by a guarded run.
inline constexpr const char* k_run_token_variable = "REPRO_RUN_TOKEN";

// Creates the run's temporary folder (TMPDIR/repro-run-XXXXXX), makes a fresh run token and
// forks the guard (its own session, so signals to the checker's process group miss it).
// Call once, before any thread or child process exists. False (the run goes on unguarded,
// in the system's temporary folder) when the folder, the pipe or the fork fails.
bool start_run_guard();

// Ends a run normally: removes the run's temporary folder, tells the guard (which then exits
// without looking for processes) and reaps it. Call after every child has been reaped.
// No-op without a guard.
void finish_run_guard();

// The value every child of a guarded run gets as k_run_token_variable ("" without a guard).
const std::string& run_token();

// The run's cgroup v2 group, "" without a guard or where none can be created (no root, no
// delegated cgroup2 subtree). The guard kills what is in it (cgroup.kill) before the token scan.
std::filesystem::path run_cgroup();

// GROUP/cgroup.procs of run_cgroup(), "" without one: each child of the run writes "0" to it
// between fork and exec, and its descendants stay in the group whatever their environment.
const std::string& run_cgroup_procs();

// The guard's pid, -1 without a guard (it is a child of the checker, but no orphan).
int run_guard_pid();

// Where a run keeps its temporary files: the run's folder while a guard runs, otherwise the
// system's temporary folder (TMPDIR or /tmp).
std::filesystem::path run_temp_directory();

// Kills every other process whose environment's k_run_token_variable lists `token`: each is
// stopped (SIGSTOP) when found and killed (SIGKILL) after the scan, and /proc is scanned
// again until a scan finds none, so a process that forks meanwhile cannot escape. Processes
// whose environment cannot be read (another user's) are not seen. Returns how many were
// killed.
int kill_processes_with_token(const std::string& token);

}  // namespace repro
