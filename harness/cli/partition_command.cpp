// `repro-check partition`: prints id<TAB>fold<TAB>split and the split sizes.
#include "harness/cli/partition_command.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <iostream>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "harness/util/exit_codes.hpp"
#include "harness/util/utf8.hpp"
#include "models/data/dataset_listing.hpp"
#include "models/data/partition.hpp"

namespace repro {
namespace {

std::vector<std::string> read_ids(const std::string& path) {
  std::string text = read_file(path);
  std::vector<std::string> ids;
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();  // a CRLF file: the CR is the line ending, not part of the id
    }
    if (line.empty()) {
      continue;
    }
    if (!is_valid_utf8(line)) {
      throw Error(path, "line " + std::to_string(line_no), "not valid UTF-8");
    }
    ids.push_back(std::move(line));
  }
  return ids;
}

}  // namespace

void add_partition_command(CLI::App& app, PartitionOptions& options) {
  auto* cmd = app.add_subcommand(
      "partition",
      "Print id<TAB>fold<TAB>split for each pet id, with fold = int(md5(id).hexdigest(), "
      "16) % 10 (folds 0-6 train, 7 validation, 8 calibration, 9 test), then the split sizes "
      "on stderr");
  auto* group = cmd->add_option_group("source", "Where the ids come from");
  group
      ->add_option("--ids-file", options.ids_file,
                   "UTF-8 text file, one id per line, kept exactly as written (a trailing CR "
                   "and empty lines are skipped)")
      ->check(CLI::ExistingFile);
  group
      ->add_option("--data", options.data_dir,
                   "Oxford-IIIT Pet folder (images/*.jpg); ids are file names without "
                   "directory and extension, case-sensitive")
      ->check(CLI::ExistingDirectory);
  group->require_option(1);
  cmd->add_flag("-q,--quiet", options.quiet, "Do not print the split sizes");
}

int run_partition(const PartitionOptions& options) {
  std::vector<std::string> ids;
  if (!options.ids_file.empty()) {
    ids = read_ids(options.ids_file);
  } else {
    for (const auto& f : list_dataset(options.data_dir)) {
      ids.push_back(f.id);
    }
  }
  std::array<size_t, 4> sizes{};
  std::string out;
  for (const auto& id : ids) {
    int fold = fold_of(id);
    Split split = split_of_fold(fold);
    ++sizes[static_cast<size_t>(split)];
    out += id + "\t" + std::to_string(fold) + "\t" + std::string(to_string(split)) + "\n";
  }
  std::cout << out << std::flush;
  if (!options.quiet) {
    std::cerr << ids.size() << " ids: train " << sizes[0] << ", validation " << sizes[1]
              << ", calibration " << sizes[2] << ", test " << sizes[3] << "\n";
  }
  return k_exit_ok;
}

}  // namespace repro
