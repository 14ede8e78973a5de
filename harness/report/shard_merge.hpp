// Merging shard reports (`repro-check run --shard i/N --json`) into the report of the whole plan.
#pragma once

#include <string>
#include <vector>

#include "harness/verdict/run_report.hpp"

namespace repro {

// One shard report and the file it came from (named in errors).
struct ShardReport {
  std::string file;
  RunReport report;
};

// The report an unsharded run of the same plan gives: each cell is taken from the shard that
// owns it (matrix position p belongs to shard p % N, so the baseline comes from shard 0 only,
// never from the shards that borrowed it to compare with), in matrix order; then the
// attribution, failures, findings, summary, culprit and exit code are concluded by the same
// code check_runs uses (conclude_report), which also derives the golden notes from the
// merged cells, and the golden gate the shards ran under (plan.require_golden,
// plan.skip_without_golden) is applied as `repro-check run` applies it. Timings are the
// shards' own.
//
// Throws repro::Error naming a file and field when a report carries no plan (not written by
// `run --shard`), when plans differ (hash, shard count, suite, design, environment class:
// merging them would compare apples with pears), when a shard is given twice or missing, or
// when a shard lacks a cell its plan says it ran.
RunReport merge_shard_reports(const std::vector<ShardReport>& shards);

}  // namespace repro
