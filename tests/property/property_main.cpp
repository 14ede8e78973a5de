// Property-test main: a fixed, printed RapidCheck seed unless a fresh one is asked for.
//
//   ctest -L property                              fixed seed (CI): failures replay exactly
//   REPRO_PROPERTY_SEED=fresh ctest -L property    a new random seed, printed (nightly)
//   REPRO_PROPERTY_SEED=123 ctest -L property      replay seed 123
//   RC_PARAMS="reproduce=..."                      RapidCheck's own replay string, as printed
//                                                  with a shrunk counterexample on failure
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

namespace {

constexpr std::uint64_t k_ci_seed = 20261125;

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (std::getenv("RC_PARAMS") == nullptr) {
    const char* requested = std::getenv("REPRO_PROPERTY_SEED");
    std::uint64_t seed = k_ci_seed;
    if (requested != nullptr && std::string(requested) == "fresh") {
      seed = std::random_device{}();
    } else if (requested != nullptr && *requested != '\0') {
      seed = std::stoull(requested);
    }
    std::string params = "seed=" + std::to_string(seed);
    ::setenv("RC_PARAMS", params.c_str(), 1);
    std::cout << "RapidCheck seed " << seed << " (replay: REPRO_PROPERTY_SEED=" << seed
              << " ctest -L property)\n";
  }
  return RUN_ALL_TESTS();
}
