// `repro-check partition`: md5 folds and splits of pet ids.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace repro {

struct PartitionOptions {
  std::string ids_file;  // one id per line, UTF-8, kept exactly as written
  std::string data_dir;  // an Oxford-IIIT Pet (or exported synthetic) folder
  bool quiet = false;
};

void add_partition_command(CLI::App& app, PartitionOptions& options);
int run_partition(const PartitionOptions& options);

}  // namespace repro
