// JSON for divergence summaries and first divergent ops (additive fields of the report).
#include "harness/report/diagnosis_json.hpp"

#include <cmath>

namespace repro {
namespace {

using ordered = nlohmann::ordered_json;

ordered number_or_null(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? ordered(*v) : ordered(nullptr);
}

ordered tensors_json(const std::vector<OpTensor>& tensors) {
  ordered out = ordered::array();
  for (const auto& t : tensors) {
    out.push_back({{"dtype", t.dtype}, {"shape", t.shape}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json divergence_summary_to_json(const std::optional<DivergenceSummary>& s) {
  if (!s) {
    return nullptr;
  }
  ordered j;
  j["step"] = s->step;
  j["starts_in"] = s->starts_in;
  j["start_module"] = s->start_module;
  j["text"] = s->describe();
  ordered kinds = ordered::array();
  for (const auto& k : s->kinds) {
    ordered e;
    e["kind"] = std::string(to_string(k.kind));
    e["total"] = k.total;
    e["differing"] = k.differing;
    e["modules"] = k.modules;
    e["first"] = k.first.empty() ? ordered(nullptr) : ordered(k.first);
    e["max_abs_diff"] = number_or_null(k.max_abs_diff);
    e["max_ulp"] = k.max_ulp ? ordered(*k.max_ulp) : ordered(nullptr);
    kinds.push_back(std::move(e));
  }
  j["kinds"] = std::move(kinds);
  return j;
}

nlohmann::ordered_json op_localization_to_json(const std::optional<OpLocalization>& l) {
  if (!l) {
    return nullptr;
  }
  ordered j;
  j["status"] = l->status;
  j["step"] = l->step;
  j["lane"] = l->lane;
  j["index"] = l->index;
  j["op"] = l->op;
  j["module"] = l->module;
  j["pass"] = l->pass;
  j["inputs"] = tensors_json(l->inputs);
  j["outputs"] = tensors_json(l->outputs);
  j["output"] = l->output;
  j["max_abs_diff"] = number_or_null(l->max_abs_diff);
  j["max_ulp"] = l->max_ulp ? ordered(*l->max_ulp) : ordered(nullptr);
  j["magnitude_note"] = l->magnitude_note;
  j["text"] = l->describe();
  j["seconds"] = l->seconds;
  return j;
}

}  // namespace repro
