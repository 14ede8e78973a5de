// Remedy: the table from findings to what a user should do next.
#include "harness/verdict/remedy.hpp"

namespace repro {

const std::vector<RemedyEntry>& remedy_table() {
  static const std::vector<RemedyEntry> k_table = {
      {"threads",
       "pin threads (the same thread count everywhere) or train in strict mode (train.mode "
       "strict), where the thread count is invariant"},
      {"interop_threads", "pin interop_threads"},
      {"blas", "pin the BLAS build (one libblas alternative on every machine, in the image)"},
      {"cpu_capability",
       "set ATEN_CPU_CAPABILITY to one value on every machine (e.g. avx2) so libtorch "
       "dispatches to the same kernels"},
      {"device", "compare results only within one device type; bless a golden per device"},
      {"deterministic", "keep torch.use_deterministic_algorithms on (settings.deterministic true)"},
      {"libtorch", "pin the libtorch version, or bless a golden per version"},
      {"worker", "pin the worker build; bless a golden per build"},
      {"fault", "a planted fault: expected in canary suites only"},
      {"repeat",
       "find the unseeded or time-dependent source (random generator, data order, "
       "augmentation, file listing) and seed or sort it; repeat with --repeats to confirm"},
      {"op:aten::bernoulli", "seed the generator used by aten::bernoulli_ (dropout)"},
      {"op:aten::dropout", "seed the generator used by aten::dropout"},
      {"op:aten::randperm", "seed the generator used by aten::randperm (shuffling)"},
      {"op:aten::normal", "seed the generator used by aten::normal_"},
      {"op:aten::uniform", "seed the generator used by aten::uniform_"},
      {"op:aten::rand", "seed the generator used by aten::rand"},
  };
  return k_table;
}

std::string remedy_for_axis(std::string_view axis) {
  for (const auto& entry : remedy_table()) {
    if (entry.cause == axis) {
      return std::string(entry.remedy);
    }
  }
  return "pin " + std::string(axis) + " to one value, or bless a golden per value";
}

std::string remedy_for_repeat(std::string_view op) {
  if (!op.empty()) {
    for (const auto& entry : remedy_table()) {
      std::string_view cause = entry.cause;
      if (cause.starts_with("op:") && op.starts_with(cause.substr(3))) {
        return std::string(entry.remedy);
      }
    }
  }
  return remedy_for_axis("repeat");
}

}  // namespace repro
