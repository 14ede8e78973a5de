// ForkServerPool: one `repro-worker --serve` process per worker environment, forking cells.
//
// A fresh worker spends most of a small cell loading libtorch (0.4-1 s here). A fork server
// loads it once and forks a child per run: the cell, its dump re-runs and its op-trace
// re-runs. A server is keyed by the program and the run's COMPLETE environment except TMPDIR
// (the child gets its own): whatever a library latches at load time (OMP_NUM_THREADS,
// OPENBLAS_NUM_THREADS and OpenBLAS's pool, the BLAS build from LD_LIBRARY_PATH) is what a
// fresh process of that run would latch, and everything latched at first use (ATen's CPU
// capability dispatch, at::set_num_threads, OpenMP and oneTBB pools) is first used in the
// child. models/fork_server.hpp describes the server side and the protocol;
// tests/integration/fork_server_test.cpp proves that forked and fresh runs give the same bits.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "harness/run/worker_process.hpp"
#include "harness/util/subprocess.hpp"

namespace repro {

struct ForkServerOptions {
  std::filesystem::path dir;                 // FIFOs and server logs (created if missing)
  std::set<std::filesystem::path> programs;  // workers that speak --serve (ours, not outside ones)
  size_t max_idle_servers = 4;  // more idle servers than this: the least recently used ends
  std::chrono::milliseconds start_timeout{std::chrono::seconds(120)};  // load and answer
  bool remove_dir = false;  // remove `dir` when the pool ends
  // Polled while waiting for a server to answer; once true, start() gives up (the caller's
  // fresh process then sees the interrupt too). May be empty.
  std::function<bool()> cancelled;
};

class ForkServerPool {
 public:
  explicit ForkServerPool(ForkServerOptions options);
  ~ForkServerPool();  // ends every server (their children first)
  ForkServerPool(const ForkServerPool&) = delete;
  ForkServerPool& operator=(const ForkServerPool&) = delete;

  // Starts the server of spec's program and environment now (when it is served and there is
  // none yet), so that it loads while other work runs; never waits.
  void prestart(const ProcessSpec& spec);

  // A worker forked by the server of spec's program and environment (started on first use),
  // or nullptr when spec's program is not in `programs`, or its server cannot be started or
  // refuses (the caller then starts a fresh process; an environment refused once is not
  // tried again).
  std::unique_ptr<WorkerProcess> start(const ProcessSpec& spec);

  struct Stats {
    int servers_started = 0;
    int served = 0;   // runs forked by a server
    int refused = 0;  // runs a server could not fork (started fresh instead)
  };
  const Stats& stats() const { return m_stats; }

  struct Server;  // one `--serve` process (fork_server.cpp)

 private:
  using Key = std::pair<std::string, std::map<std::string, std::string>>;
  std::shared_ptr<Server> server_for(const Key& key, const ProcessSpec& spec);
  void end_idle_servers();

  ForkServerOptions m_options;
  std::map<Key, std::shared_ptr<Server>> m_servers;
  std::set<Key> m_refused;
  Stats m_stats;
  long m_uses = 0;
};

}  // namespace repro
