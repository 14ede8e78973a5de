// The real worker's input errors end the run with exit 2 naming the file, not exit 3.
#include <gtest/gtest.h>

#include "harness/util/atomic_file.hpp"
#include "tests/integration/cli_process.hpp"

namespace repro::test {
namespace {

TEST(InputErrors, UnknownPlantedFaultIsAConfigErrorNotACrash) {
  ScratchProject project;
  project.write_suite("fault", {{{"name", "threads"}, {"values", {1}}}});
  nlohmann::json report;
  CliResult r = project.run("fault", {"--axis", "fault=bogus"}, &report);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(report.dump().find("unknown planted fault 'bogus'"), std::string::npos)
      << report.dump(2);
}

TEST(InputErrors, CorruptDatasetImageIsAnInputErrorNamingTheFile) {
  ScratchProject project;
  auto data = project.root() / "pets";
  write_file_atomic(data / "images" / "Abyssinian_2.jpg", "\xff\xd8\xff\xe0 not really a JPEG");
  write_file_atomic(data / "annotations" / "trimaps" / "Abyssinian_2.png", "not a PNG");
  project.write_suite("corrupt", {{{"name", "threads"}, {"values", {1}}}},
                      {{"workload", {{"data", {{"source", "oxford"}, {"path", data.string()}}}}}});
  nlohmann::json report;
  CliResult r = project.run("corrupt", {}, &report);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(report.dump().find("Abyssinian_2"), std::string::npos) << report.dump(2);
  EXPECT_NE(report.dump().find("input_error"), std::string::npos) << report.dump(2);
}

}  // namespace
}  // namespace repro::test
