// write_all: writes every byte to a file descriptor, through short writes and EINTR.
#include "harness/util/write_all.hpp"

#include <unistd.h>

#include <cerrno>

namespace repro {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      if (n == 0) {
        errno = EIO;
      }
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace repro
