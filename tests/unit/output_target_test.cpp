// Output files: checked before a run, never replacing a device node or a FIFO.
#include "harness/util/output_target.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace repro {
namespace {

bool is_char_device(const char* path) {
  struct stat st {};
  return ::lstat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

TEST(OutputTarget, PathUnderARegularFileFailsNamingTheFlag) {
  try {
    check_output_target("/etc/passwd/x.json", "--json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "--json");
    EXPECT_NE(e.message().find("/etc/passwd is not a directory"), std::string::npos) << e.what();
  }
}

TEST(OutputTarget, DirectoryIsNotAnOutputFile) {
  test::TempDir dir;
  EXPECT_THROW(check_output_target(dir.path(), "--json"), Error);
}

TEST(OutputTarget, MissingFoldersAreFineAndRegularFilesAreReplacedAtomically) {
  test::TempDir dir;
  EXPECT_EQ(check_output_target(dir / "a" / "b" / "r.json", "--json"), OutputKind::atomic_file);
  write_output_file(dir / "a" / "b" / "r.json", "one");
  write_output_file(dir / "a" / "b" / "r.json", "two");
  EXPECT_EQ(read_file(dir / "a" / "b" / "r.json"), "two");
}

TEST(OutputTarget, DeviceNodeIsWrittenInPlaceNotReplaced) {
  ASSERT_TRUE(is_char_device("/dev/null"));
  EXPECT_EQ(check_output_target("/dev/null", "--json"), OutputKind::stream);
  write_output_file("/dev/null", "report");
  EXPECT_TRUE(is_char_device("/dev/null"));
}

TEST(OutputTarget, FifoWithoutReaderFailsFastAndWithReaderIsWrittenInPlace) {
  test::TempDir dir;
  auto fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(check_output_target(fifo, "--json"), Error);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  write_output_file(fifo, "hello");
  char buf[16] = {};
  EXPECT_EQ(::read(reader, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf), "hello");
  ::close(reader);
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(OutputTarget, SymlinkToARegularFileIsWrittenThroughTheLink) {
  test::TempDir dir;
  write_output_file(dir / "real.json", "old contents, longer");
  std::filesystem::create_symlink(dir / "real.json", dir / "link.json");
  EXPECT_EQ(check_output_target(dir / "link.json", "--json"), OutputKind::through_link);
  write_output_file(dir / "link.json", "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link.json"));
  EXPECT_EQ(read_file(dir / "real.json"), "new");
}

TEST(OutputTarget, FullDeviceFailsTheWrite) {
  ASSERT_TRUE(is_char_device("/dev/full"));
  EXPECT_THROW(write_output_file("/dev/full", "report"), Error);
}

}  // namespace
}  // namespace repro
