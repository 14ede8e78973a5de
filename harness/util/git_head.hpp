// git_head: the commit a checkout is at, read from .git without running git.
#pragma once

#include <filesystem>
#include <string>

namespace repro {

// The 40-hex commit HEAD of the git checkout at `root` points to (a worktree's .git file
// and packed refs are followed); "" when `root` is not a checkout or HEAD cannot be read.
// Never throws.
std::string git_head_commit(const std::filesystem::path& root);

}  // namespace repro
