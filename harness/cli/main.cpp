// repro-check entry point: everything lives in repro::run_main.
#include "harness/cli/run_main.hpp"

int main(int argc, char** argv) {
  return repro::run_main(argc, argv);
}
