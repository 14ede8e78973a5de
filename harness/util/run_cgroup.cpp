// Run cgroup: find this process's cgroup2 folder, create a child group, kill and remove it.
#include "harness/util/run_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace repro {
namespace {

// Writes `text` to the cgroup file `path`; true when the kernel took it.
bool write_control(const std::filesystem::path& path, const char* text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const size_t size = std::char_traits<char>::length(text);
  bool ok = ::write(fd, text, size) == static_cast<ssize_t>(size);
  ::close(fd);
  return ok;
}

// True while cgroup.events of `group` says "populated 1".
bool populated(const std::filesystem::path& group) {
  std::ifstream in(group / "cgroup.events");
  std::string key;
  int value = 0;
  while (in >> key >> value) {
    if (key == "populated") {
      return value != 0;
    }
  }
  return false;
}

}  // namespace

std::filesystem::path own_cgroup2_directory() {
  // "0::/PATH" in /proc/self/cgroup names the group in the cgroup2 hierarchy.
  std::ifstream groups("/proc/self/cgroup");
  std::string line;
  std::string path;
  while (std::getline(groups, line)) {
    if (line.rfind("0::", 0) == 0) {
      path = line.substr(3);
    }
  }
  if (path.empty() || path[0] != '/') {
    return {};
  }
  // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS... - FSTYPE SOURCE SUPER_OPTIONS".
  std::ifstream mounts("/proc/self/mountinfo");
  while (std::getline(mounts, line)) {
    auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) {
      continue;
    }
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, device, root, mount_point;
    if (!(fields >> id >> parent >> device >> root >> mount_point) ||
        mount_point.find('\\') != std::string::npos || root.find('\\') != std::string::npos) {
      continue;  // octal escapes (spaces in paths): not worth the risk
    }
    // The mount shows the hierarchy from ROOT down: PATH must lie below it.
    if (root == "/") {
      return std::filesystem::path(mount_point) / path.substr(1);
    }
    if (path == root) {
      return mount_point;
    }
    if (path.rfind(root + "/", 0) == 0) {
      return std::filesystem::path(mount_point) / path.substr(root.size() + 1);
    }
  }
  return {};
}

std::filesystem::path create_run_cgroup(const std::string& name) {
  const std::filesystem::path own = own_cgroup2_directory();
  if (own.empty()) {
    return {};
  }
  const std::filesystem::path group = own / name;
  if (::mkdir(group.c_str(), 0755) != 0) {
    return {};
  }
  // cgroup.kill (Linux 5.14) and a writable cgroup.procs in the parent's subtree, or nothing.
  if (::access((group / "cgroup.kill").c_str(), W_OK) != 0 ||
      ::access((group / "cgroup.procs").c_str(), W_OK) != 0) {
    ::rmdir(group.c_str());
    return {};
  }
  return group;
}

bool kill_and_remove_cgroup(const std::filesystem::path& group) {
  if (group.empty()) {
    return true;
  }
  if (::rmdir(group.c_str()) == 0) {
    return true;  // the common case: already empty
  }
  write_control(group / "cgroup.kill", "1");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (populated(group) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return ::rmdir(group.c_str()) == 0 || errno == ENOENT;
}

}  // namespace repro
