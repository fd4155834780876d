#include "bench/step_profile.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <utility>

#include "ATen/core/dispatch/Dispatcher.h"
#include "torch/cuda.h"
#include "torch/torch.h"

namespace sparsity {

namespace {

using Clock = std::chrono::steady_clock;

enum Category { kAttention, kMlp, kNorms, kOptimizer, kOther };

bool IsGemm(const char* name) {
  for (const char* gemm :
       {"aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm"}) {
    if (std::strcmp(name, gemm) == 0) return true;
  }
  return false;
}

// The category a user scope opens, or -1 for scopes that are not ours.
int ScopeCategory(const char* name) {
  for (int c : {kAttention, kMlp, kOptimizer}) {
    if (std::strcmp(name, kStepCategories[c]) == 0) return c;
  }
  return -1;
}

// One profiler's running totals. Ops are timed one step at a time, so one
// instance serves the thread that runs the step and autograd's threads.
struct ProfileState {
  int depth = 0;  // nesting of the ops being timed
  int top_category = kOther;
  std::vector<int> scopes;  // categories of the open user scopes
  std::unordered_map<int64_t, int> node_category;  // autograd seq nr
  StepBreakdown totals;
};

ProfileState* g_state = nullptr;

struct OpContext : at::ObserverContext {
  Clock::time_point start;
  bool user_scope = false, top = false, gemm = false;
};

int Classify(const ProfileState& s, const at::RecordFunction& fn) {
  int scoped = -1;
  for (auto it = s.scopes.rbegin(); it != s.scopes.rend() && scoped < 0; ++it) {
    scoped = *it;
  }
  if (scoped == kOptimizer) return kOptimizer;
  const std::string name = fn.name();
  if (name.find("layer_norm") != std::string::npos ||
      name.find("LayerNorm") != std::string::npos) {
    return kNorms;
  }
  if (fn.scope() == at::RecordScope::BACKWARD_FUNCTION && fn.seqNr() >= 0) {
    const auto it = s.node_category.find(fn.seqNr());
    if (it != s.node_category.end()) return it->second;
  }
  return scoped >= 0 ? scoped : kOther;
}

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction& fn) {
  ProfileState& s = *g_state;
  auto ctx = std::make_unique<OpContext>();
  if (fn.scope() == at::RecordScope::USER_SCOPE) {
    s.scopes.push_back(ScopeCategory(fn.name()));
    ctx->user_scope = true;
    return ctx;
  }
  const int category = Classify(s, fn);
  const bool backward = fn.scope() == at::RecordScope::BACKWARD_FUNCTION;
  // A forward op that records an autograd node: its backward's category.
  if (!backward && fn.seqNr() >= 0) s.node_category[fn.seqNr()] = category;
  // Autograd's top-level "evaluate_function: X" learns its category from
  // the node X it runs.
  if (s.depth == 0 || (s.depth == 1 && backward)) s.top_category = category;
  ctx->top = s.depth++ == 0;
  ctx->gemm = IsGemm(fn.name());
  ctx->start = Clock::now();
  return ctx;
}

void OnEnd(const at::RecordFunction&, at::ObserverContext* base) {
  ProfileState& s = *g_state;
  const auto* ctx = static_cast<const OpContext*>(base);
  if (ctx->user_scope) {
    if (!s.scopes.empty()) s.scopes.pop_back();
    return;
  }
  const double seconds =
      std::chrono::duration<double>(Clock::now() - ctx->start).count();
  --s.depth;
  if (ctx->gemm) {
    s.totals.gemm_seconds[s.top_category] += seconds;
    ++s.totals.gemms[s.top_category];
  }
  if (ctx->top) {
    s.totals.seconds[s.top_category] += seconds;
    ++s.totals.ops;
  }
}

// Multiply-adds x 2 of a captured product: the two matrix operands are the
// first two tensors of mm/bmm, the second and third of addmm/baddbmm.
double Flops(const GemmCall& g) {
  const size_t first = g.name == "aten::mm" || g.name == "aten::bmm" ? 0 : 1;
  if (g.args.size() < first + 2) return 0;
  const std::vector<int64_t>& a = g.args[first].sizes;
  const std::vector<int64_t>& b = g.args[first + 1].sizes;
  if (a.size() < 2 || b.empty()) return 0;
  double batch = 1;
  for (size_t i = 0; i + 2 < a.size(); ++i) batch *= a[i];
  return 2.0 * batch * a[a.size() - 2] * a.back() * b.back();
}

std::vector<GemmCall>* g_capture = nullptr;

std::unique_ptr<at::ObserverContext> OnCaptureStart(
    const at::RecordFunction& fn) {
  if (!IsGemm(fn.name())) return nullptr;
  GemmCall call;
  call.name = fn.name();
  call.overload = fn.overload_name();
  for (const c10::IValue& v : fn.inputs()) {
    GemmCall::Arg arg;
    if (v.isTensor()) {
      const at::Tensor& t = v.toTensor();
      arg.is_tensor = true;
      arg.sizes = t.sizes().vec();
      arg.strides = t.strides().vec();
      arg.dtype = t.scalar_type();
      arg.device = t.device();
    } else {
      arg.value = v;
    }
    call.args.push_back(std::move(arg));
  }
  call.flops = Flops(call);
  g_capture->push_back(std::move(call));
  return nullptr;
}

// A random tensor with these sizes and strides (stride 0, a broadcast bias,
// included): a view of a buffer just large enough.
at::Tensor RandomStrided(const GemmCall::Arg& arg) {
  int64_t extent = 1;
  for (size_t i = 0; i < arg.sizes.size(); ++i) {
    if (arg.sizes[i] == 0) return at::empty(arg.sizes, arg.dtype);
    extent += (arg.sizes[i] - 1) * arg.strides[i];
  }
  return torch::randn({extent}, torch::dtype(arg.dtype).device(arg.device))
      .as_strided(arg.sizes, arg.strides);
}

}  // namespace

StepProfiler::StepProfiler() {
  TORCH_CHECK(g_state == nullptr, "one StepProfiler at a time");
  g_state = new ProfileState;
  handle_ =
      at::addThreadLocalCallback(at::RecordFunctionCallback(OnStart, OnEnd));
}

StepProfiler::~StepProfiler() {
  at::removeCallback(handle_);
  delete g_state;
  g_state = nullptr;
}

StepBreakdown StepProfiler::Breakdown() const { return g_state->totals; }

std::vector<GemmCall> CaptureGemms(const std::function<void()>& step) {
  std::vector<GemmCall> gemms;
  g_capture = &gemms;
  const at::CallbackHandle handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(OnCaptureStart).needsInputs(true));
  step();
  at::removeCallback(handle);
  g_capture = nullptr;
  return gemms;
}

double TimeGemms(const std::vector<GemmCall>& gemms, int repeats) {
  TORCH_CHECK(repeats > 0, "TimeGemms needs at least one repeat");
  torch::NoGradGuard no_grad;  // the products alone, no autograd records
  std::vector<std::pair<c10::OperatorHandle, std::vector<c10::IValue>>> calls;
  bool cuda = false;
  for (const GemmCall& g : gemms) {
    std::vector<c10::IValue> args;
    for (const GemmCall::Arg& arg : g.args) {
      args.push_back(arg.is_tensor ? c10::IValue(RandomStrided(arg))
                                   : arg.value);
      cuda = cuda || (arg.is_tensor && arg.device.is_cuda());
    }
    calls.emplace_back(c10::Dispatcher::singleton().findSchemaOrThrow(
                           g.name.c_str(), g.overload.c_str()),
                       std::move(args));
  }
  const auto pass = [&] {
    for (const auto& [op, args] : calls) {
      torch::jit::Stack stack(args.begin(), args.end());
      op.callBoxed(&stack);
    }
    if (cuda) torch::cuda::synchronize();
  };
  pass();  // untimed: first-call costs
  const auto start = Clock::now();
  for (int r = 0; r < repeats; ++r) pass();
  return std::chrono::duration<double>(Clock::now() - start).count() / repeats;
}

}  // namespace sparsity
