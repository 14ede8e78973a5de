// TempDir: a fresh directory removed when the test ends.
#pragma once

#include <filesystem>

namespace repro::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::filesystem::path& rel) const { return m_path / rel; }

 private:
  std::filesystem::path m_path;
};

}  // namespace repro::test
