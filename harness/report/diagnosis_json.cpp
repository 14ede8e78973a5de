// JSON for divergence summaries and first divergent ops (additive fields of the report).
#include "harness/report/diagnosis_json.hpp"

#include <cmath>

#include "harness/util/error.hpp"

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

using nlohmann::json;

std::optional<double> number_from(const json& obj, std::string_view key, const JsonPath& at) {
  const json& v = require_field(obj, key, at);
  return v.is_null() ? std::nullopt : std::optional<double>(get_number(obj, key, at));
}

std::optional<std::uint64_t> ulp_from(const json& obj, std::string_view key, const JsonPath& at) {
  const json& v = require_field(obj, key, at);
  if (v.is_null()) {
    return std::nullopt;
  }
  if (!v.is_number_unsigned()) {
    throw Error(at.file, at.child(key).field, "expected a non-negative integer or null");
  }
  return v.get<std::uint64_t>();
}

std::vector<OpTensor> tensors_from(const json& obj, std::string_view key, const JsonPath& at) {
  JsonPath here = at.child(key);
  const json& list = require_array(require_field(obj, key, at), here);
  std::vector<OpTensor> out;
  for (size_t i = 0; i < list.size(); ++i) {
    JsonPath t_at = here.index(i);
    const json& t = require_object(list[i], t_at);
    OpTensor tensor;
    tensor.dtype = get_string(t, "dtype", t_at);
    JsonPath shape_at = t_at.child("shape");
    const json& shape = require_array(require_field(t, "shape", t_at), shape_at);
    for (size_t d = 0; d < shape.size(); ++d) {
      if (!shape[d].is_number_integer()) {
        throw Error(shape_at.file, shape_at.index(d).field, "expected an integer");
      }
      tensor.shape.push_back(shape[d].get<std::int64_t>());
    }
    out.push_back(std::move(tensor));
  }
  return out;
}

}  // namespace

std::optional<DivergenceSummary> divergence_summary_from_json(const json& j, const JsonPath& at) {
  if (j.is_null()) {
    return std::nullopt;
  }
  require_object(j, at);
  DivergenceSummary s;
  s.step = static_cast<int>(get_int(j, "step", at));
  s.starts_in = get_string(j, "starts_in", at);
  s.start_module = get_string(j, "start_module", at);
  s.loss_differs = get_bool_or(j, "loss_differs", at, false);
  s.batch_ids_differ = get_bool_or(j, "batch_ids_differ", at, false);
  s.measured = get_bool_or(j, "measured", at, false);
  JsonPath kinds_at = at.child("kinds");
  const json& kinds = require_array(require_field(j, "kinds", at), kinds_at);
  for (size_t i = 0; i < kinds.size(); ++i) {
    JsonPath k_at = kinds_at.index(i);
    const json& e = require_object(kinds[i], k_at);
    KindSummary k;
    std::optional<TensorKind> kind = tensor_kind_from_string(get_string(e, "kind", k_at));
    if (!kind) {
      throw Error(k_at.file, k_at.child("kind").field, "unknown tensor kind");
    }
    k.kind = *kind;
    k.total = static_cast<int>(get_int(e, "total", k_at));
    k.differing = static_cast<int>(get_int(e, "differing", k_at));
    k.modules = get_string_list(e, "modules", k_at);
    if (e.contains("identical")) {
      k.identical_names = get_string_list(e, "identical", k_at);
    }
    if (!require_field(e, "first", k_at).is_null()) {
      k.first = get_string(e, "first", k_at);
    }
    k.max_abs_diff = number_from(e, "max_abs_diff", k_at);
    k.max_ulp = ulp_from(e, "max_ulp", k_at);
    s.kinds.push_back(std::move(k));
  }
  return s;
}

std::optional<OpLocalization> op_localization_from_json(const json& j, const JsonPath& at) {
  if (j.is_null()) {
    return std::nullopt;
  }
  require_object(j, at);
  OpLocalization l;
  l.status = get_string(j, "status", at);
  l.step = static_cast<int>(get_int(j, "step", at));
  l.lane = static_cast<int>(get_int(j, "lane", at));
  l.index = static_cast<int>(get_int(j, "index", at));
  l.candidate_index = static_cast<int>(get_int(j, "candidate_index", at));
  l.op = get_string(j, "op", at);
  l.module = get_string(j, "module", at);
  l.pass = get_string(j, "pass", at);
  l.inputs = tensors_from(j, "inputs", at);
  l.outputs = tensors_from(j, "outputs", at);
  l.output = static_cast<int>(get_int(j, "output", at));
  l.other_op = get_string_or(j, "other_op", at, "");
  l.max_abs_diff = number_from(j, "max_abs_diff", at);
  l.max_ulp = ulp_from(j, "max_ulp", at);
  l.magnitude_note = get_string(j, "magnitude_note", at);
  l.note = get_string_or(j, "note", at, "");
  l.seconds = get_number(j, "seconds", at);
  l.ops_compared = static_cast<int>(get_int_or(j, "ops_compared", at, 0));
  return l;
}

nlohmann::ordered_json divergence_summary_to_json(const std::optional<DivergenceSummary>& s) {
  if (!s) {
    return nullptr;
  }
  ordered j;
  j["step"] = s->step;
  j["starts_in"] = s->starts_in;
  j["start_module"] = s->start_module;
  j["text"] = s->describe();
  j["loss_differs"] = s->loss_differs;
  j["batch_ids_differ"] = s->batch_ids_differ;
  j["measured"] = s->measured;
  ordered kinds = ordered::array();
  for (const auto& k : s->kinds) {
    ordered e;
    e["kind"] = std::string(to_string(k.kind));
    e["total"] = k.total;
    e["differing"] = k.differing;
    e["modules"] = k.modules;
    e["identical"] = k.identical_names;
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
  j["candidate_index"] = l->candidate_index;
  j["op"] = l->op;
  j["module"] = l->module;
  j["pass"] = l->pass;
  j["inputs"] = tensors_json(l->inputs);
  j["outputs"] = tensors_json(l->outputs);
  j["output"] = l->output;
  j["other_op"] = l->other_op;
  j["max_abs_diff"] = number_or_null(l->max_abs_diff);
  j["max_ulp"] = l->max_ulp ? ordered(*l->max_ulp) : ordered(nullptr);
  j["magnitude_note"] = l->magnitude_note;
  j["text"] = l->describe();
  j["note"] = l->note;
  j["seconds"] = l->seconds;
  j["ops_compared"] = l->ops_compared;
  return j;
}

}  // namespace repro
