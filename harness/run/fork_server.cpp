// ForkServerPool: servers over two FIFOs each; a served worker is polled through its server.
#include "harness/run/fork_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>

#include "harness/util/run_guard.hpp"
#include "harness/util/write_all.hpp"

namespace repro {

constexpr int k_fork_protocol_version = 1;

namespace {

// A forked worker that execs keeps the run token (the server's own environment has it).
std::map<std::string, std::string> with_run_token(std::map<std::string, std::string> env) {
  if (!run_token().empty()) {
    env[k_run_token_variable] = run_token();
  }
  return env;
}

}  // namespace

struct ForkServerPool::Server {
  std::unique_ptr<Process> process;
  int requests = -1;  // O_RDWR: opening never blocks, and the server sees EOF when we close
  int replies = -1;   // O_RDWR | O_NONBLOCK
  std::string buffer;
  std::map<long, nlohmann::json> answers;  // by request id
  std::map<int, int> ended;                // wait status by child pid
  long next_id = 0;
  int running = 0;
  long last_use = 0;
  bool dead = false;

  ~Server() {
    if (requests >= 0) {
      ::close(requests);  // EOF: the server exits; its children die with it (parent-death signal)
    }
    if (replies >= 0) {
      ::close(replies);
    }
    if (process) {
      process->kill();
    }
  }

  bool alive() {
    if (!dead && (!process || process->poll())) {
      dead = true;
    }
    return !dead;
  }

  // Reads what the server said, waiting up to `wait_ms` for something to arrive.
  void pump(int wait_ms) {
    pollfd fd = {replies, POLLIN, 0};
    if (::poll(&fd, 1, wait_ms) <= 0) {
      return;
    }
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(replies, chunk, sizeof chunk)) > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
    }
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      auto message =
          nlohmann::json::parse(buffer.substr(0, newline), nullptr, /*allow_exceptions=*/false);
      buffer.erase(0, newline + 1);
      if (!message.is_object() || (!message.contains("pid") && !message.contains("error"))) {
        continue;
      }
      if (message.contains("status") && message["pid"].is_number_integer() &&
          message["status"].is_number_integer()) {
        ended[message["pid"].get<int>()] = message["status"].get<int>();
      } else if (message.contains("id") && message["id"].is_number_integer()) {
        answers[message["id"].get<long>()] = message;
      }
    }
  }

  bool send(const nlohmann::json& request) { return write_all(requests, request.dump() + "\n"); }
};

namespace {

class ServedWorkerProcess : public WorkerProcess {
 public:
  ServedWorkerProcess(std::shared_ptr<ForkServerPool::Server> server, int pid,
                      std::chrono::milliseconds timeout,
                      std::chrono::steady_clock::time_point start)
      : m_server(std::move(server)), m_pid(pid), m_timeout(timeout), m_start(start) {
    ++m_server->running;
  }
  ~ServedWorkerProcess() override {
    if (!m_result) {
      kill();
    }
  }

  bool started() const override { return true; }

  std::optional<ProcessResult> poll() override {
    if (m_result) {
      return m_result;
    }
    m_server->pump(0);
    if (auto it = m_server->ended.find(m_pid); it != m_server->ended.end()) {
      return finish(it->second, false, false);
    }
    if (!m_server->alive()) {
      // The server is gone, so its child got its parent-death signal.
      return finish(SIGKILL, false, false);
    }
    if (m_timeout.count() > 0 && std::chrono::steady_clock::now() - m_start > m_timeout) {
      return finish(kill_and_wait(), true, false);
    }
    return std::nullopt;
  }

  ProcessResult kill() override {
    if (m_result) {
      return *m_result;
    }
    return finish(kill_and_wait(), false, true);
  }

 private:
  int kill_and_wait() {
    ::kill(-m_pid, SIGKILL);
    while (m_server->alive()) {
      m_server->pump(20);
      if (auto it = m_server->ended.find(m_pid); it != m_server->ended.end()) {
        return it->second;
      }
    }
    return SIGKILL;
  }

  ProcessResult finish(int status, bool timed_out, bool cancelled) {
    m_server->ended.erase(m_pid);
    --m_server->running;
    ::kill(-m_pid, SIGKILL);  // anything the worker left behind in its group
    ProcessResult r = ended_process_result(status, timed_out, cancelled, m_start);
    m_result = r;
    return r;
  }

  std::shared_ptr<ForkServerPool::Server> m_server;
  int m_pid;
  std::chrono::milliseconds m_timeout;
  std::chrono::steady_clock::time_point m_start;
  std::optional<ProcessResult> m_result;
};

}  // namespace

ForkServerPool::ForkServerPool(ForkServerOptions options) : m_options(std::move(options)) {}

ForkServerPool::~ForkServerPool() {
  m_servers.clear();
  if (m_options.remove_dir) {
    std::error_code ec;
    std::filesystem::remove_all(m_options.dir, ec);
  }
}

void ForkServerPool::prestart(const ProcessSpec& spec) {
  if (m_options.programs.count(spec.program) == 0) {
    return;
  }
  Key key{spec.program.string(), spec.env};
  key.second.erase("TMPDIR");
  if (m_refused.count(key) == 0 && m_servers.count(key) == 0 &&
      m_servers.size() < m_options.max_idle_servers) {
    if (auto server = server_for(key, spec)) {
      server->last_use = ++m_uses;
    }
  }
}

void ForkServerPool::end_idle_servers() {
  size_t idle = 0;
  for (const auto& [key, server] : m_servers) {
    idle += server->running == 0 ? 1 : 0;
  }
  while (idle > m_options.max_idle_servers) {
    auto oldest = m_servers.end();
    for (auto it = m_servers.begin(); it != m_servers.end(); ++it) {
      if (it->second->running == 0 &&
          (oldest == m_servers.end() || it->second->last_use < oldest->second->last_use)) {
        oldest = it;
      }
    }
    m_servers.erase(oldest);
    --idle;
  }
}

std::shared_ptr<ForkServerPool::Server> ForkServerPool::server_for(const Key& key,
                                                                   const ProcessSpec& spec) {
  if (auto it = m_servers.find(key); it != m_servers.end()) {
    if (it->second->alive()) {
      return it->second;
    }
    m_servers.erase(it);
  }
  std::error_code ec;
  std::filesystem::create_directories(m_options.dir, ec);
  const std::string base =
      (m_options.dir / ("server-" + std::to_string(m_stats.servers_started))).string();
  const std::string requests_path = base + ".requests";
  const std::string replies_path = base + ".replies";
  ::unlink(requests_path.c_str());
  ::unlink(replies_path.c_str());
  if (ec || ::mkfifo(requests_path.c_str(), 0600) != 0 ||
      ::mkfifo(replies_path.c_str(), 0600) != 0) {
    return nullptr;
  }
  auto server = std::make_shared<Server>();
  server->requests = ::open(requests_path.c_str(), O_RDWR | O_CLOEXEC);
  server->replies = ::open(replies_path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (server->requests < 0 || server->replies < 0) {
    return nullptr;
  }
  ProcessSpec serve;
  serve.program = spec.program;
  serve.args = {"--serve", requests_path, replies_path};
  serve.env = key.second;
  serve.env["TMPDIR"] = m_options.dir.string();
  serve.stdout_path = base + ".stdout";
  serve.stderr_path = base + ".stderr";
  serve.working_directory = spec.working_directory;
  server->process = std::make_unique<Process>(serve);
  ++m_stats.servers_started;
  if (!server->process->started()) {
    return nullptr;
  }
  end_idle_servers();
  m_servers[key] = server;
  return server;
}

std::unique_ptr<WorkerProcess> ForkServerPool::start(const ProcessSpec& spec) {
  if (m_options.programs.count(spec.program) == 0) {
    return nullptr;
  }
  Key key{spec.program.string(), spec.env};
  key.second.erase("TMPDIR");
  if (m_refused.count(key) != 0) {
    ++m_stats.refused;
    return nullptr;
  }
  auto refuse = [&]() -> std::unique_ptr<WorkerProcess> {
    m_refused.insert(key);
    m_servers.erase(key);
    ++m_stats.refused;
    return nullptr;
  };
  auto server = server_for(key, spec);
  if (!server) {
    return refuse();
  }
  server->last_use = ++m_uses;
  const long id = ++server->next_id;
  const auto start = std::chrono::steady_clock::now();
  nlohmann::json request = {{"format_version", k_fork_protocol_version},
                            {"id", id},
                            {"args", spec.args},
                            {"env", with_run_token(spec.env)},
                            {"stdout", spec.stdout_path.string()},
                            {"stderr", spec.stderr_path.string()}};
  if (!server->send(request)) {
    return refuse();
  }
  while (server->answers.count(id) == 0) {
    if (m_options.cancelled && m_options.cancelled()) {
      m_servers.erase(key);  // its answer would pair with no request
      return nullptr;
    }
    if (!server->alive() || std::chrono::steady_clock::now() - start > m_options.start_timeout) {
      return refuse();
    }
    server->pump(20);
  }
  const nlohmann::json answer = server->answers[id];
  server->answers.erase(id);
  if (!answer.contains("pid") || !answer["pid"].is_number_integer()) {
    return refuse();  // e.g. "the server has 3 threads; forking needs 1"
  }
  ++m_stats.served;
  return std::make_unique<ServedWorkerProcess>(server, answer["pid"].get<int>(), spec.timeout,
                                               start);
}

}  // namespace repro
