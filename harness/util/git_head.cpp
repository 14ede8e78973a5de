// git_head: HEAD -> ref -> commit, through a worktree's gitdir and packed-refs.
#include "harness/util/git_head.hpp"

#include <fstream>

namespace repro {
namespace {

constexpr std::size_t k_max_bytes = 1 << 20;

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.size() > k_max_bytes) {
    return "";
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

bool is_commit(const std::string& text) {
  if (text.size() != 40) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string packed_ref(const std::filesystem::path& common, const std::string& ref) {
  std::ifstream in(common / "packed-refs");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > 41 && line.compare(41, std::string::npos, ref) == 0 &&
        is_commit(line.substr(0, 40))) {
      return line.substr(0, 40);
    }
  }
  return "";
}

}  // namespace

std::string git_head_commit(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::path git = root / ".git";
  std::filesystem::path dir = git;
  if (std::filesystem::is_regular_file(git, ec)) {
    std::string line = first_line(git);  // "gitdir: /path/.git/worktrees/name"
    if (line.rfind("gitdir: ", 0) != 0) {
      return "";
    }
    dir = line.substr(8);
    if (dir.is_relative()) {
      dir = root / dir;
    }
  } else if (!std::filesystem::is_directory(git, ec)) {
    return "";
  }
  std::filesystem::path common = dir;
  std::string common_line = first_line(dir / "commondir");
  if (!common_line.empty()) {
    common = std::filesystem::path(common_line).is_relative() ? dir / common_line
                                                              : std::filesystem::path(common_line);
  }
  std::string head = first_line(dir / "HEAD");
  if (is_commit(head)) {
    return head;
  }
  if (head.rfind("ref: ", 0) != 0) {
    return "";
  }
  std::string ref = head.substr(5);
  for (const auto& base : {dir, common}) {
    std::string commit = first_line(base / ref);
    if (is_commit(commit)) {
      return commit;
    }
  }
  return packed_ref(common, ref);
}

}  // namespace repro
