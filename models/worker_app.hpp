// repro-worker's command line (a contract with the checker, see docs/trace-format.md):
//
//   repro-worker --config FILE --trace FILE [--dump-step K --dump-dir DIR [--stop-after-dump]]
//   repro-worker --fingerprint [--device cpu|gpu]     fingerprint JSON on stdout
//   repro-worker --export-data DIR --config FILE      the synthetic dataset, Oxford layout
//   repro-worker --serve REQUESTS REPLIES             fork server (models/fork_server.hpp)
//
// Exit codes: 0 done; 2 bad command line, config or input file ("repro-worker: error:
// <file>: <field>: <what>" on stderr); 3 runtime failure; 77 cannot run here, with the
// first stderr line "skip: <reason>" (e.g. "skip: gpu: libtorch built without CUDA").
#pragma once

namespace repro {

// Exit code of a worker that cannot run its configuration on this machine.
inline constexpr int k_worker_exit_skip = 77;

// Parses argv, runs the requested mode and returns the exit code; never throws.
int run_worker(int argc, char** argv);

}  // namespace repro
