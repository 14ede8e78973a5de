// `repro-check env`: the environment fingerprint, as the worker sees it.
#pragma once

#include <string>

#include "harness/cli/common_options.hpp"

namespace CLI {
class App;
}

namespace repro {

struct EnvOptions {
  bool json = false;
  std::string device = "cpu";
};

void add_env_command(CLI::App& app, EnvOptions& options);
int run_env(const CommonOptions& common, const EnvOptions& options);

}  // namespace repro
