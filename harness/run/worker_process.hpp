// WorkerProcess: a running worker, started fresh (fork + exec) or forked by a fork server.
#pragma once

#include <memory>
#include <optional>

#include "harness/util/subprocess.hpp"

namespace repro {

class ForkServerPool;

// What the runner needs of a started worker; both kinds end the same way (ProcessResult).
class WorkerProcess {
 public:
  virtual ~WorkerProcess() = default;  // a still-running worker is killed (its group)
  // False when it could not start (poll() then says why at once).
  virtual bool started() const = 0;
  // Non-blocking: the result once the worker has ended or its time limit killed it.
  virtual std::optional<ProcessResult> poll() = 0;
  // Kills the worker's process group; the result says `cancelled`. No-op once ended.
  virtual ProcessResult kill() = 0;
};

// Starts `spec`: through `servers` when it is not null and serves this program and
// environment (harness/run/fork_server.hpp), else as a fresh process (repro::Process). A
// fork server that cannot serve the request falls back to a fresh process: the result is
// the same bits, only slower.
std::unique_ptr<WorkerProcess> start_worker_process(const ProcessSpec& spec,
                                                    ForkServerPool* servers);

// Polls `process` every 10 ms until it ends; kills it and returns nullopt once `cancelled`
// (may be empty) returns true.
std::optional<ProcessResult> wait_worker_process(WorkerProcess& process,
                                                 const std::function<bool()>& cancelled);

}  // namespace repro
