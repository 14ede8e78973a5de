// merge_shard_reports: cells from their owning shard, then the one conclusion code path.
#include "harness/report/shard_merge.hpp"

#include <map>
#include <set>

#include "harness/util/error.hpp"
#include "harness/verdict/check.hpp"
#include "harness/verdict/golden_gate.hpp"
#include "harness/verdict/interruption.hpp"

namespace repro {
namespace {

const PlanIdentity& require_plan(const ShardReport& shard) {
  if (!shard.report.plan || !shard.report.plan->shard) {
    throw Error(shard.file, "plan.shard",
                "not a shard report: write shard reports with "
                "`repro-check run --shard i/N --json FILE`");
  }
  return *shard.report.plan;
}

void require_same(const ShardReport& first, const ShardReport& other, const std::string& field,
                  const std::string& a, const std::string& b) {
  if (a != b) {
    throw Error(other.file, field,
                "'" + b + "' differs from '" + a + "' in " + first.file +
                    ": these shards are not of one plan; merge refuses to mix them");
  }
}

// What only the shards' runs knew, read back from their findings, each once (every shard
// ran the baseline): library-version lines, non-finite findings, input errors, and the
// signal that interrupted a shard (with the shard's exit code, 128 + signal).
struct ShardFacts {
  std::string interrupted_by;
  int interrupted_exit_code = 0;
};

ShardFacts carry_shard_facts(const std::vector<const ShardReport*>& shards,
                             ConcludeInput& conclude) {
  ShardFacts facts;
  std::set<std::string> seen;
  for (const ShardReport* shard : shards) {
    for (const auto& f : shard->report.findings) {
      if (!seen.insert(f.code + "\n" + f.message).second) {
        continue;
      }
      if (f.code == "library_versions") {
        conclude.library_lines.push_back({"", f.message, ""});  // already says its op
      } else if (f.code == "non_finite") {
        conclude.non_finite.push_back(f);
      } else if (f.code == "input_error") {
        conclude.input_errors.insert(conclude.input_errors.begin(), f.message);
      } else if (f.code == "interrupted" && facts.interrupted_by.empty()) {
        const std::string head = "interrupted by ";
        const size_t colon = f.message.find(':');
        facts.interrupted_by = f.message.rfind(head, 0) == 0 && colon != std::string::npos
                                   ? f.message.substr(head.size(), colon - head.size())
                                   : "signal";
        facts.interrupted_exit_code = shard->report.exit_code > 128 ? shard->report.exit_code : 130;
      }
    }
  }
  return facts;
}

}  // namespace

RunReport merge_shard_reports(const std::vector<ShardReport>& shards) {
  if (shards.empty()) {
    throw Error("merge", "", "no shard reports given");
  }
  const ShardReport& first = shards.front();
  const PlanIdentity& plan = require_plan(first);
  int count = plan.shard->count;
  std::vector<const ShardReport*> by_index(static_cast<size_t>(count), nullptr);
  for (const auto& shard : shards) {
    const PlanIdentity& p = require_plan(shard);
    require_same(first, shard, "plan.hash", plan.hash, p.hash);
    require_same(first, shard, "plan.shard.count", std::to_string(count),
                 std::to_string(p.shard->count));
    require_same(first, shard, "suite", first.report.suite, shard.report.suite);
    require_same(first, shard, "design", first.report.design, shard.report.design);
    require_same(first, shard, "environment_class", first.report.environment_class,
                 shard.report.environment_class);
    const ShardReport*& slot = by_index[static_cast<size_t>(p.shard->index)];
    if (slot != nullptr) {
      throw Error(shard.file, "plan.shard.index",
                  "shard " + std::to_string(p.shard->index) + " is also " + slot->file);
    }
    slot = &shard;
  }
  std::string missing;
  for (int i = 0; i < count; ++i) {
    if (by_index[static_cast<size_t>(i)] == nullptr) {
      missing += (missing.empty() ? "" : ", ") + std::to_string(i);
    }
  }
  if (!missing.empty()) {
    throw Error(first.file, "plan.shard",
                "shard(s) " + missing + " of " + std::to_string(count) +
                    " missing: merging part of a plan would report cells as never run");
  }

  const RunReport& shard0 = by_index[0]->report;
  RunReport r;
  r.suite = shard0.suite;
  r.design = shard0.design;
  r.fingerprint = shard0.fingerprint;
  r.environment_class = shard0.environment_class;
  for (size_t position = 0; position < plan.cells.size(); ++position) {
    const ShardReport& owner = *by_index[position % static_cast<size_t>(count)];
    const std::string& id = plan.cells[position];
    const CellReport* found = nullptr;
    for (const auto& c : owner.report.cells) {
      if (c.id == id) {
        found = &c;
        break;
      }
    }
    if (found == nullptr) {
      throw Error(owner.file, "cells", "has no cell '" + id + "', which its plan assigns to it");
    }
    CellReport cell = *found;
    cell.failures.clear();  // concluded again below, against the whole plan
    r.cells.push_back(std::move(cell));
  }

  ConcludeInput conclude;
  conclude.invariant_axes = plan.invariant_axes;
  conclude.bless_arguments = plan.bless_arguments;
  GoldenGateOptions gate;
  gate.require = golden_requirement_from_string(plan.require_golden, "plan.require_golden");
  gate.skip_without_golden = plan.skip_without_golden;
  conclude.require_golden = gate.require == GoldenRequirement::all;
  conclude.baseline_ran = !r.cells.empty() && r.cells.front().role == CellRole::baseline &&
                          r.cells.front().verdict == CellVerdict::identical;
  const ShardFacts facts = carry_shard_facts(by_index, conclude);
  r = conclude_report(std::move(r), conclude);
  apply_golden_gate(r, gate);  // the gate the shards ran under, as `repro-check run` applies it
  if (!facts.interrupted_by.empty()) {
    // A shard was interrupted: its finished cells are merged, the others stay `not run`,
    // and the merged report says so with the shard's exit code, as `run` does.
    mark_interrupted(r, facts.interrupted_by, facts.interrupted_exit_code);
  }
  PlanIdentity whole = plan;
  whole.shard.reset();
  r.plan = std::move(whole);
  return r;
}

}  // namespace repro
