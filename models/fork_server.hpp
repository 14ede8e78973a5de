// Fork server (worker side): load libtorch once, then fork one fresh worker run per request.
//
//   repro-worker --serve REQUESTS REPLIES
//
// REQUESTS and REPLIES are FIFOs (or any files) the checker created (harness/run/fork_server.hpp).
// The server is started with a cell's complete environment (minus TMPDIR), so everything a
// library reads at load time (OMP_NUM_THREADS in libgomp, OPENBLAS_NUM_THREADS and its thread
// pool, LD_LIBRARY_PATH's BLAS choice) is what a fresh worker of that cell would see. It never
// calls libtorch itself: ATen's CPU capability dispatch, at::set_num_threads and every thread
// pool are fixed by the forked child on first use, as in a fresh process. The server forks only
// while it has exactly one thread (else it answers with an error and the checker starts a fresh
// process instead).
//
// Protocol (one JSON object per line, format_version 1):
//   request  {"format_version":1,"id":N,"args":[...],"env":{...},"stdout":P,"stderr":P}
//   reply    {"id":N,"pid":PID}  or  {"id":N,"error":"why"}     once per request
//   reply    {"pid":PID,"status":S}                             when that child ended
//            (S: the raw wait status)
// The child runs in its own process group, with SIGKILL as its parent-death signal, stdin
// /dev/null, stdout and stderr truncated to the given files, and exactly the given
// environment; it runs `run(argc, argv)` with argv = [argv0, args...] and exits with its result.
// The server ends (exit 0) at end of REQUESTS or on a {"quit":true} request.
#pragma once

#include <string>

namespace repro {

// What a forked child runs: the worker's own entry point (run_worker).
using WorkerEntry = int (*)(int argc, char** argv);

// Serves requests until end of input; returns the server's exit code (0, or 3 when the
// FIFOs cannot be opened). In a forked child it never returns: the child exits with
// entry's result.
int run_fork_server(const std::string& requests_path, const std::string& replies_path,
                    const std::string& argv0, WorkerEntry entry);

// The number of threads of this process (entries of /proc/self/task), 0 when unknown.
int process_thread_count();

}  // namespace repro
