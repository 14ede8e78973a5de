// write_all: writes every byte to a file descriptor, through short writes and EINTR.
#pragma once

#include <string_view>

namespace repro {

// Writes all of `data` to `fd`, retrying after short writes and interrupted calls.
// Returns false when a write fails, with errno saying why (EIO when it wrote nothing).
bool write_all(int fd, std::string_view data);

}  // namespace repro
