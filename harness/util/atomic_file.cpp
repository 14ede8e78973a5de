// Atomic whole-file writes and crash-safe append-only files.
#include "harness/util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "harness/util/error.hpp"

namespace repro {
namespace {

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw Error(path.string(), "", std::string("cannot write: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void make_parent(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw Error(path.parent_path().string(), "", "cannot create directory: " + ec.message());
    }
  }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  make_parent(path);
  std::random_device rd;
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(tmp.string(), "", std::string("cannot create: ") + std::strerror(errno));
  }
  try {
    write_all(fd, content, tmp);
    if (::fsync(fd) != 0) {
      throw Error(tmp.string(), "", std::string("cannot fsync: ") + std::strerror(errno));
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
    throw Error(path.string(), "", std::string("cannot rename into place: ") + std::strerror(err));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(path.string(), "", std::string("cannot open: ") + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    throw Error(path.string(), "", "read error");
  }
  return ss.str();
}

AppendOnlyFile::AppendOnlyFile(std::filesystem::path path) : m_path(std::move(path)) {
  make_parent(m_path);
  m_partial = m_path;
  m_partial += ".partial";
  m_fd = ::open(m_partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    throw Error(m_partial.string(), "", std::string("cannot create: ") + std::strerror(errno));
  }
}

AppendOnlyFile::~AppendOnlyFile() {
  if (m_fd >= 0) {
    ::close(m_fd);  // Not committed: the .partial file stays for post-mortem reading.
  }
}

void AppendOnlyFile::append(std::string_view data) {
  assert(m_fd >= 0 && "append after commit");
  write_all(m_fd, data, m_partial);
}

void AppendOnlyFile::commit() {
  assert(m_fd >= 0 && "commit twice");
  if (::fsync(m_fd) != 0) {
    throw Error(m_partial.string(), "", std::string("cannot fsync: ") + std::strerror(errno));
  }
  ::close(m_fd);
  m_fd = -1;
  if (::rename(m_partial.c_str(), m_path.c_str()) != 0) {
    throw Error(m_path.string(), "",
                std::string("cannot rename into place: ") + std::strerror(errno));
  }
}

}  // namespace repro
