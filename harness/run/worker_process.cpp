// Fresh worker processes (repro::Process) behind the WorkerProcess interface.
#include "harness/run/worker_process.hpp"

#include <chrono>
#include <thread>

#include "harness/run/fork_server.hpp"

namespace repro {
namespace {

class FreshWorkerProcess : public WorkerProcess {
 public:
  explicit FreshWorkerProcess(const ProcessSpec& spec) : m_process(spec) {}
  bool started() const override { return m_process.started(); }
  std::optional<ProcessResult> poll() override { return m_process.poll(); }
  ProcessResult kill() override { return m_process.kill(); }

 private:
  Process m_process;
};

}  // namespace

std::unique_ptr<WorkerProcess> start_worker_process(const ProcessSpec& spec,
                                                    ForkServerPool* servers) {
  if (servers != nullptr) {
    if (auto served = servers->start(spec)) {
      return served;
    }
  }
  return std::make_unique<FreshWorkerProcess>(spec);
}

std::optional<ProcessResult> wait_worker_process(WorkerProcess& process,
                                                 const std::function<bool()>& cancelled) {
  for (;;) {
    if (auto ended = process.poll()) {
      return ended;
    }
    if (cancelled && cancelled()) {
      process.kill();
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace repro
