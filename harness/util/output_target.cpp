// Output targets: checks before a run, atomic or in-place writes after it.
#include "harness/util/output_target.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/write_all.hpp"

namespace repro {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// True for paths like /dev/stdout or /proc/self/fd/1: aliases of an open descriptor,
// whose target must be appended to, never truncated or replaced.
bool is_descriptor_alias(const std::filesystem::path& path) {
  std::string text = std::filesystem::absolute(path).lexically_normal().string();
  return text.rfind("/dev/", 0) == 0 || text.rfind("/proc/", 0) == 0;
}

// The nearest ancestor of `path` that exists must be a writable directory.
void check_parent(const std::filesystem::path& path, const std::string& flag) {
  std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  while (true) {
    struct stat st {};
    if (::stat(parent.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        throw Error(flag, "",
                    path.string() + ": " + parent.string() + " is not a directory (it is " +
                        file_type_name(st.st_mode) + ")");
      }
      if (::access(parent.c_str(), W_OK | X_OK) != 0) {
        throw Error(
            flag, "",
            path.string() + ": cannot write in " + parent.string() + ": " + errno_text(errno));
      }
      return;
    }
    if (errno != ENOENT || parent == parent.root_path() || !parent.has_parent_path()) {
      throw Error(flag, "", path.string() + ": " + parent.string() + ": " + errno_text(errno));
    }
    parent = parent.parent_path();
  }
}

// Opens a FIFO for writing without blocking; ENXIO means nobody reads it.
int open_stream(const std::filesystem::path& path, bool append) {
  int flags = O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (append ? O_APPEND : 0);
  int fd = ::open(path.c_str(), flags);
  if (fd >= 0) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  }
  return fd;
}

}  // namespace

OutputKind check_output_target(const std::filesystem::path& path, const std::string& flag) {
  if (path.empty()) {
    throw Error(flag, "", "empty file name");
  }
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      throw Error(flag, "", path.string() + ": " + errno_text(errno));
    }
    check_parent(path, flag);
    return OutputKind::atomic_file;
  }
  if (S_ISREG(link.st_mode)) {
    if (::access(path.c_str(), W_OK) != 0) {
      throw Error(flag, "", path.string() + ": not writable: " + errno_text(errno));
    }
    check_parent(path, flag);
    return OutputKind::atomic_file;
  }
  struct stat target {};
  if (::stat(path.c_str(), &target) != 0) {
    throw Error(flag, "", path.string() + ": " + errno_text(errno) + " (a dangling link?)");
  }
  if (S_ISDIR(target.st_mode) || S_ISBLK(target.st_mode) || S_ISSOCK(target.st_mode)) {
    throw Error(flag, "",
                path.string() + ": is " + file_type_name(target.st_mode) +
                    ", not a file to write a report to");
  }
  if (S_ISFIFO(target.st_mode)) {
    int fd = open_stream(path, false);
    if (fd < 0) {
      throw Error(
          flag, "",
          path.string() + ": cannot open the FIFO for writing: " +
              (errno == ENXIO ? std::string("no process is reading it") : errno_text(errno)));
    }
    ::close(fd);
    return OutputKind::stream;
  }
  if (::access(path.c_str(), W_OK) != 0) {
    throw Error(flag, "", path.string() + ": not writable: " + errno_text(errno));
  }
  if (S_ISREG(target.st_mode) && !is_descriptor_alias(path)) {
    return OutputKind::through_link;
  }
  return OutputKind::stream;
}

void check_output_directory(const std::filesystem::path& dir, const std::string& flag) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      throw Error(flag, "",
                  dir.string() + ": is " + file_type_name(st.st_mode) + ", not a directory");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      throw Error(flag, "", dir.string() + ": cannot write in it: " + errno_text(errno));
    }
    return;
  }
  check_parent(dir, flag);
}

void write_output_file(const std::filesystem::path& path, std::string_view content) {
  OutputKind kind = check_output_target(path, path.string());
  if (kind == OutputKind::atomic_file) {
    write_file_atomic(path, content);
    return;
  }
  int fd = kind == OutputKind::stream
               ? open_stream(path, /*append=*/true)
               : ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY | O_TRUNC);
  if (fd < 0) {
    throw Error(path.string(), "", "cannot open for writing: " + errno_text(errno));
  }
  if (!write_all(fd, content)) {
    const int err = errno;
    ::close(fd);
    throw Error(path.string(), "", "cannot write: " + errno_text(err));
  }
  if (::close(fd) != 0 && errno != EINTR) {
    throw Error(path.string(), "", "cannot write: " + errno_text(errno));
  }
}

}  // namespace repro
