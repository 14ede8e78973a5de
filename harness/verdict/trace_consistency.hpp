// Trace consistency: a step's loss bits must agree with its own loss-tensor digest.
#pragma once

#include <string>

#include "harness/trace/trace.hpp"

namespace repro {

// "" when every step is self-consistent; otherwise why not: "step 3: the loss bits
// 3f8ccccd disagree with the digest of the 'loss' tensor". A step without a 0-dim
// 'loss' tensor record is not checked (the format does not require one).
std::string trace_inconsistency(const Trace& trace);

}  // namespace repro
