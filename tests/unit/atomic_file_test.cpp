// Atomic writes: the old or the whole new file, never a torn one; errors name the file.
#include "harness/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

TEST(AtomicFile, WritesAndReplacesWholeFile) {
  test::TempDir dir;
  write_file_atomic(dir / "sub" / "f.json", "first");
  EXPECT_EQ(read_file(dir / "sub" / "f.json"), "first");
  write_file_atomic(dir / "sub" / "f.json", "second, longer");
  EXPECT_EQ(read_file(dir / "sub" / "f.json"), "second, longer");
  // No temporary files left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "sub")) {
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, ReadOfMissingFileNamesIt) {
  test::TempDir dir;
  try {
    read_file(dir / "missing.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.file().find("missing.json"), std::string::npos);
  }
}

TEST(AtomicFile, AppendOnlyFileIsInvisibleUntilCommitted) {
  test::TempDir dir;
  AppendOnlyFile f(dir / "t.jsonl");
  f.append("a\n");
  f.append("b\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "t.jsonl"));
  EXPECT_EQ(read_file(f.partial_path()), "a\nb\n");
  f.commit();
  EXPECT_EQ(read_file(dir / "t.jsonl"), "a\nb\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "t.jsonl.partial"));
}

}  // namespace
}  // namespace repro
