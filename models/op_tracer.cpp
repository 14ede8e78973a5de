// OpTracer: RecordFunction callbacks that digest op inputs/outputs and plant op-ulp faults.
#include "models/op_tracer.hpp"

#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <limits>

#include "harness/util/error.hpp"
#include "models/op_pass.hpp"
#include "models/step_recorder.hpp"

namespace repro {

struct OpTracer::Context : at::ObserverContext {
  OpRecord record;
  bool backward_function = false;
  std::vector<at::Tensor> inputs;  // kept to recognise outputs that are views of them
  bool out_variant = false;        // an "out" overload: writes into an argument
};

struct OpTracer::LaneState {
  std::vector<OpRecord> ops;
  int depth = 0;
  std::string last_module;
  std::map<std::int64_t, std::string> seq_modules;  // forward sequence number -> module
  std::vector<std::string> backward_stack;          // modules of the open backward functions
};

namespace {

std::atomic<OpTracer*> g_tracer{nullptr};
thread_local bool t_inside = false;  // our own digest ops must not be traced

class InsideGuard {
 public:
  InsideGuard() { t_inside = true; }
  ~InsideGuard() { t_inside = false; }
  InsideGuard(const InsideGuard&) = delete;
  InsideGuard& operator=(const InsideGuard&) = delete;
};

std::unique_ptr<at::ObserverContext> start_callback(const at::RecordFunction& fn) {
  OpTracer* tracer = g_tracer.load();
  return tracer == nullptr ? nullptr : tracer->on_start(fn);
}

void end_callback(const at::RecordFunction& fn, at::ObserverContext* context) {
  OpTracer* tracer = g_tracer.load();
  if (tracer != nullptr && context != nullptr) {
    tracer->on_end(fn, context);
  }
}

void collect_tensors(const c10::IValue& value, std::vector<at::Tensor>& out) {
  if (value.isTensor()) {
    out.push_back(value.toTensor());
  } else if (value.isTensorList()) {
    for (const at::Tensor& t : value.toTensorVector()) {
      out.push_back(t);
    }
  } else if (value.isList()) {
    for (const c10::IValue& item : value.toListRef()) {
      collect_tensors(item, out);
    }
  } else if (value.isTuple()) {
    for (const c10::IValue& item : value.toTupleRef().elements()) {
      collect_tensors(item, out);
    }
  }
}

template <typename Values>
std::vector<at::Tensor> tensors_of(const Values& values) {
  std::vector<at::Tensor> out;
  for (const c10::IValue& v : values) {
    collect_tensors(v, out);
  }
  return out;
}

OpTensor describe_tensor(const at::Tensor& t) {
  OpTensor out;
  if (!t.defined()) {
    out.dtype = "undefined";
    return out;
  }
  try {
    out.dtype = trace_dtype(t);
  } catch (const Error&) {
    out.dtype = c10::toString(t.scalar_type());
  }
  try {
    out.shape.assign(t.sizes().begin(), t.sizes().end());
    if (t.layout() == at::kStrided) {
      out.digest = digest_of(t);
      out.has_digest = true;
    }
  } catch (const std::exception&) {
    out.has_digest = false;  // opaque or unnamed: shape and dtype only
  }
  return out;
}

std::vector<OpTensor> describe_all(const std::vector<at::Tensor>& tensors, bool digest = true) {
  std::vector<OpTensor> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) {
    out.push_back(describe_tensor(t));
    if (!digest) {
      out.back().has_digest = false;
      out.back().digest = Digest{};
    }
  }
  return out;
}

// Ops whose outputs are uninitialised memory (allocation, resizing, restriding): their
// bytes are whatever the allocator returned, so they are described but not digested.
bool uninitialised_output(std::string_view op) {
  static constexpr std::string_view k_ops[] = {
      "aten::empty",      "aten::empty_like",        "aten::empty_strided",
      "aten::new_empty",  "aten::new_empty_strided", "aten::resize_",
      "aten::resize_as_", "aten::as_strided_",       "aten::set_"};
  for (std::string_view name : k_ops) {
    if (op == name) {
      return true;
    }
  }
  return false;
}

std::string module_of_name(std::string name) {
  for (std::string_view suffix : {".grad", ".exp_avg_sq", ".exp_avg"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// One ULP up on every element of every floating, strided CPU output (contiguous; else the
// first element): a change of exactly 1 ULP that a later reduction cannot absorb the way
// it can absorb a single element's.
bool plant_ulp(const std::vector<at::Tensor>& outputs) {
  bool planted = false;
  for (const auto& t : outputs) {
    if (!t.defined() || t.layout() != at::kStrided || !t.device().is_cpu() || t.numel() == 0) {
      continue;
    }
    // Through the raw memory, so autograd's version counters do not change (a tensor
    // saved for backward stays usable). A non-contiguous output gets its first element.
    const int64_t n = t.is_contiguous() ? t.numel() : 1;
    if (t.scalar_type() == at::kFloat) {
      float* p = static_cast<float*>(t.data_ptr());
      for (int64_t i = 0; i < n; ++i) {
        p[i] = std::nextafter(p[i], std::numeric_limits<float>::infinity());
      }
      planted = true;
    } else if (t.scalar_type() == at::kDouble) {
      double* p = static_cast<double*>(t.data_ptr());
      for (int64_t i = 0; i < n; ++i) {
        p[i] = std::nextafter(p[i], std::numeric_limits<double>::infinity());
      }
      planted = true;
    }
  }
  return planted;
}

// In-place ops that overwrite their first argument without reading it: its bytes before
// the op (often a freshly allocated buffer) are not an input.
bool overwrites_self(std::string_view op) {
  static constexpr std::string_view k_ops[] = {
      "aten::copy_",      "aten::zero_",    "aten::fill_",       "aten::bernoulli_",
      "aten::normal_",    "aten::uniform_", "aten::random_",     "aten::exponential_",
      "aten::geometric_", "aten::cauchy_",  "aten::log_normal_", "aten::index_put_"};
  for (std::string_view name : k_ops) {
    if (op == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

OpDumpRequest parse_op_dump_request(const std::string& text, const std::string& source,
                                    const std::string& field) {
  OpDumpRequest request;
  auto colon = text.find(':');
  auto parse = [&](std::string_view digits, int& out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
  };
  if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), request.lane) ||
      !parse(std::string_view(text).substr(colon + 1), request.index) || request.lane < -1 ||
      request.index < 0) {
    throw Error(source, field, "'" + text + "': expected LANE:INDEX, e.g. -1:345");
  }
  return request;
}

OpTracer::OpTracer(std::optional<int> trace_step, const PlantedFault& fault,
                   std::optional<OpDumpRequest> dump, std::string producer)
    : m_trace_step(trace_step), m_dump_request(dump), m_producer(std::move(producer)) {
  if (fault.kind == "op-ulp") {
    auto colon = fault.argument.find(':');
    if (colon == std::string::npos) {
      throw Error("", "settings.fault", "op-ulp needs PASS:OP, e.g. op-ulp:forward:aten::add");
    }
    m_fault = OpUlpFault{fault.argument.substr(0, colon), fault.argument.substr(colon + 1)};
    const std::string& pass = m_fault->pass;
    if (pass != "forward" && pass != "backward" && pass != "optimizer" && pass != "combine") {
      throw Error("", "settings.fault",
                  "op-ulp pass '" + pass + "' (known: forward, backward, combine, optimizer)");
    }
    m_fault_step = fault.step;
  }
}

OpTracer::~OpTracer() {
  if (m_handle) {
    at::removeCallback(*m_handle);
    g_tracer.store(nullptr);
  }
}

bool OpTracer::active_at(int step) const {
  return m_trace_step == step || (m_fault && (!m_fault_step || *m_fault_step == step));
}

void OpTracer::name_tensor(const at::Tensor& tensor, const std::string& name) {
  if (tensor.defined()) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_modules[tensor.unsafeGetTensorImpl()] = module_of_name(name);
  }
}

void OpTracer::begin_step(int step) {
  if (!active_at(step)) {
    return;
  }
  m_step = step;
  m_tracing = m_trace_step == step;
  m_planting = m_fault && (!m_fault_step || *m_fault_step == step);
  m_fault_done.store(false);
  m_lanes.clear();
  g_tracer.store(this);
  m_handle = at::addGlobalCallback(
      at::RecordFunctionCallback(start_callback, end_callback)
          .needsInputs(true)
          .needsOutputs(true)
          .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
}

std::optional<OpTrace> OpTracer::end_step() {
  if (!m_handle) {
    return std::nullopt;
  }
  at::removeCallback(*m_handle);
  m_handle.reset();
  g_tracer.store(nullptr);
  const bool traced = m_tracing;
  m_tracing = false;
  m_planting = false;
  if (!traced) {
    return std::nullopt;
  }
  OpTrace trace;
  trace.producer = m_producer;
  trace.step = m_step;
  for (auto& [lane, state] : m_lanes) {
    for (auto& op : state->ops) {
      trace.ops.push_back(std::move(op));
    }
  }
  m_lanes.clear();
  return trace;
}

OpTracer::LaneState& OpTracer::lane_state(int lane) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto& slot = m_lanes[lane];
  if (!slot) {
    slot = std::make_unique<LaneState>();
  }
  return *slot;  // used by that lane's thread only
}

std::string OpTracer::module_of(const std::vector<const at::TensorImpl*>& impls) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const auto* impl : impls) {
    auto it = m_modules.find(impl);
    if (it != m_modules.end()) {
      return it->second;
    }
  }
  return "";
}

std::unique_ptr<at::ObserverContext> OpTracer::on_start(const at::RecordFunction& fn) {
  const OpPass pass = current_op_pass();
  if (t_inside || pass == OpPass::none || (!m_tracing && !m_planting)) {
    return nullptr;
  }
  InsideGuard inside;
  at::RecordFunctionGuard no_recording(false);
  torch::NoGradGuard no_grad;
  auto context = std::make_unique<Context>();
  OpRecord& record = context->record;
  record.lane = current_op_lane();
  record.name = fn.name();
  record.pass = std::string(to_string(pass));
  LaneState& lane = lane_state(record.lane);
  record.depth = lane.depth++;
  const std::vector<at::Tensor> inputs = tensors_of(fn.inputs());
  std::vector<const at::TensorImpl*> impls;
  for (const auto& t : inputs) {
    if (t.defined()) {
      impls.push_back(t.unsafeGetTensorImpl());
    }
  }
  std::string module = module_of(impls);
  context->backward_function = fn.scope() == at::RecordScope::BACKWARD_FUNCTION;
  if (module.empty() && context->backward_function) {
    auto it = lane.seq_modules.find(fn.seqNr());
    if (it != lane.seq_modules.end()) {
      module = it->second;
    }
  }
  if (module.empty()) {
    module = lane.backward_stack.empty() ? lane.last_module : lane.backward_stack.back();
  }
  if (context->backward_function) {
    lane.backward_stack.push_back(module);
  } else if (pass == OpPass::forward && fn.seqNr() >= 0) {
    lane.seq_modules.emplace(fn.seqNr(), module);
  }
  if (!module.empty()) {
    lane.last_module = module;
  }
  record.module = module;
  if (m_tracing) {
    record.inputs = describe_all(inputs);
    if (overwrites_self(record.name) && !record.inputs.empty()) {
      record.inputs.front().has_digest = false;
    }
    context->inputs = inputs;
    if (auto name = fn.operator_name()) {
      context->out_variant = name->overload_name.rfind("out", 0) == 0;
    }
  }
  return context;
}

void OpTracer::on_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  auto* ctx = static_cast<Context*>(context);
  InsideGuard inside;
  at::RecordFunctionGuard no_recording(false);
  torch::NoGradGuard no_grad;
  OpRecord& record = ctx->record;
  LaneState& lane = lane_state(record.lane);
  --lane.depth;
  if (ctx->backward_function && !lane.backward_stack.empty()) {
    lane.backward_stack.pop_back();
  }
  const std::vector<at::Tensor> outputs = tensors_of(fn.outputs());
  if (m_planting && !m_fault_done.load() && record.lane <= 0 && record.pass == m_fault->pass &&
      record.name == m_fault->op) {
    m_fault_done.store(plant_ulp(outputs));
  }
  if (!m_tracing) {
    return;
  }
  record.outputs = describe_all(outputs, !uninitialised_output(record.name));
  // A view (an output sharing an input's memory, from an op that is not in-place) holds
  // the input's bytes, which are digested where an op reads or writes them; a view of a
  // fresh buffer would only digest uninitialised memory.
  // An "out" overload writes into an argument: that argument's old bytes are no input.
  for (size_t i = 0; i < outputs.size(); ++i) {
    for (size_t j = 0; j < ctx->inputs.size() && j < record.inputs.size(); ++j) {
      const at::Tensor& input = ctx->inputs[j];
      if (!outputs[i].defined() || !input.defined() || !outputs[i].is_alias_of(input)) {
        continue;
      }
      if (ctx->out_variant) {
        record.inputs[j].has_digest = false;
      } else if (!record.name.ends_with("_")) {
        record.outputs[i].has_digest = false;
        record.inputs[j].has_digest = false;
      }
    }
  }
  record.index = static_cast<int>(lane.ops.size());
  if (m_dump_request && m_dump_request->lane == record.lane &&
      m_dump_request->index == record.index) {
    std::vector<NamedTensor> named;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i].defined() && outputs[i].layout() == at::kStrided) {
        named.push_back({"output." + std::to_string(i), TensorKind::param, outputs[i]});
      }
    }
    try {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_dump = make_tensor_dump(m_step, named);
    } catch (const Error&) {
      // a dtype the dump cannot hold: no magnitude, the trace is still complete
    }
  }
  lane.ops.push_back(std::move(record));
}

}  // namespace repro
