// Atomic whole-file writes and crash-safe append-only files.
#include "harness/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "harness/util/error.hpp"
#include "harness/util/write_all.hpp"

namespace repro {
namespace {

void write_or_throw(int fd, std::string_view data, const std::filesystem::path& path) {
  if (!write_all(fd, data)) {
    throw WriteError(path.string(), "", std::string("cannot write: ") + std::strerror(errno));
  }
}

void make_parent(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw WriteError(path.parent_path().string(), "", "cannot create directory: " + ec.message());
    }
  }
}

}  // namespace

const char* file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "not a regular file";
  }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       Durability durability) {
  make_parent(path);
  std::random_device rd;
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw WriteError(tmp.string(), "", std::string("cannot create: ") + std::strerror(errno));
  }
  try {
    write_or_throw(fd, content, tmp);
    if (durability == Durability::durable && ::fsync(fd) != 0) {
      throw WriteError(tmp.string(), "", std::string("cannot fsync: ") + std::strerror(errno));
    }
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw WriteError(path.string(), "",
                     std::string("cannot rename into place: ") + std::strerror(err));
  }
}

std::string read_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    throw Error(path.string(), "", std::string("cannot open: ") + std::strerror(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw Error(path.string(), "", std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(path.string(), "",
                std::string("not a regular file (") + file_type_name(st.st_mode) + ")");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    throw Error(path.string(), "",
                "too large: " + std::to_string(st.st_size) + " bytes (limit " +
                    std::to_string(max_bytes) + ")");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  for (;;) {
    if (have == out.size()) {
      if (out.size() >= max_bytes) {
        char probe = 0;
        ssize_t n = ::read(fd, &probe, 1);
        if (n > 0) {
          throw Error(path.string(), "",
                      "too large: grew past the limit of " + std::to_string(max_bytes) +
                          " bytes while being read");
        }
        break;
      }
      out.resize(std::min<std::uint64_t>(max_bytes, out.size() + 65536));
    }
    ssize_t n = ::read(fd, out.data() + have, out.size() - have);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw Error(path.string(), "", std::string("read error: ") + std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    have += static_cast<size_t>(n);
  }
  out.resize(have);
  return out;
}

AppendOnlyFile::AppendOnlyFile(std::filesystem::path path, Durability durability)
    : m_path(std::move(path)), m_durability(durability) {
  make_parent(m_path);
  m_partial = m_path;
  m_partial += ".partial";
  m_fd = ::open(m_partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    throw WriteError(m_partial.string(), "", std::string("cannot create: ") + std::strerror(errno));
  }
}

AppendOnlyFile::~AppendOnlyFile() {
  if (m_fd >= 0) {
    ::close(m_fd);  // Not committed: the .partial file stays for post-mortem reading.
  }
}

void AppendOnlyFile::append(std::string_view data) {
  assert(m_fd >= 0 && "append after commit");
  write_or_throw(m_fd, data, m_partial);
}

void AppendOnlyFile::commit() {
  assert(m_fd >= 0 && "commit twice");
  if (m_durability == Durability::durable && ::fsync(m_fd) != 0) {
    throw WriteError(m_partial.string(), "", std::string("cannot fsync: ") + std::strerror(errno));
  }
  ::close(m_fd);
  m_fd = -1;
  if (::rename(m_partial.c_str(), m_path.c_str()) != 0) {
    throw WriteError(m_path.string(), "",
                     std::string("cannot rename into place: ") + std::strerror(errno));
  }
}

}  // namespace repro
