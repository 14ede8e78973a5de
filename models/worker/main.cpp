// repro-worker entry point: everything lives in repro::run_worker.
#include "models/worker_app.hpp"

int main(int argc, char** argv) {
  return repro::run_worker(argc, argv);
}
