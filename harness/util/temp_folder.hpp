// TempFolder: a temporary folder removed on every way out of its scope.
#pragma once

#include <filesystem>
#include <system_error>
#include <utility>

namespace repro {

// Owns `path` (already created by the caller, e.g. with mkdtemp) and removes it, with
// everything in it, when destroyed: after an error or an interrupt as after success.
class TempFolder {
 public:
  explicit TempFolder(std::filesystem::path path) : m_path(std::move(path)) {}
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

}  // namespace repro
