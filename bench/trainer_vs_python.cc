// Speed of the C++ trainer against the PyTorch reference in Python
// (bench/torch_reference.py) on the same model, batch shapes, threads and
// machine, and the cost of probing. Runs alternate, several rounds; medians
// go into a results file that //reports:render turns into performance.md.
//
//   bazel run //bench:trainer_vs_python            # results/performance.pb
//   bazel run //reports:render                     # reports/performance.md
//
// Both sides train on uniformly random tokens with AdamW, warmup + cosine
// schedule and clipping at 1.0; each run does --warmup untimed steps, then
// --steps timed ones. Probing modes (C++, default LM):
//   none        no observer
//   every_step  an observer on every training forward computing the full
//               sparsity statistics of every layer (metrics/sparsity.h)
//   schedule    the experiments' probe: a separate no-grad forward on an
//               8192-token probe batch every --probe_every steps
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/step_profile.h"
#include "common/cli.h"
#include "data/batching.h"
#include "gflags/gflags.h"
#include "kernels/activation_stats.h"
#include "metrics/sparsity.h"
#include "models/attention.h"
#include "models/transformer_lm.h"
#include "proto/results.pb.h"
#include "proto/results_io.h"
#include "torch/csrc/autograd/profiler_legacy.h"
#include "torch/cuda.h"
#include "torch_python.h"  // TORCH_PYTHON, from @libtorch//:python
#include "train/config_validation.h"
#include "train/fused_adamw.h"
#include "train/optimizer.h"
#include "train/run_info.h"
#include "train/sparsity_probe.h"
#include "train/trainer.h"

DEFINE_int32(rounds, 3, "rounds; each runs every configuration once");
DEFINE_int32(steps, 20, "timed training steps per run");
DEFINE_int32(warmup, 3, "untimed steps before each timed run");
DEFINE_int32(probe_every, 50,
             "probe interval of the 'schedule' mode (the default preset's); "
             "its runs last this many steps and probe once");
DEFINE_int32(threads, 0, "cores, 0 = all (same policy for C++ and Python)");
DEFINE_string(device, "cpu",
              "cpu or cuda: where both sides train (cuda: the C++ vs Python "
              "comparison only, no kernel or probing measurements)");
DEFINE_bool(compile, true, "also time the Python model under torch.compile");
DEFINE_string(attention, "auto",
              "attention where no observer asks for the probabilities: auto "
              "(the trainer's default: LibTorch's fused scaled-dot-product "
              "attention on CUDA, the explicit path on the CPU), fused, or "
              "explicit; the Python reference takes the same path");
DEFINE_double(peak_tflops, 0,
              "the device's peak TFLOP/s at float32 (e.g. 67 for an H100 "
              "SXM): the report then states the step's model FLOP "
              "utilisation (0: not stated)");
DEFINE_bool(fused_optimizer, true,
            "C++: AdamW as one fused pass per parameter group "
            "(train/fused_adamw.h); false: torch::optim::AdamW");
DEFINE_string(sizes, "",
              "comma-separated sizes to compare (default: all of small, "
              "default, wide, deep)");
DEFINE_string(python, "",
              "Python interpreter with torch (default: the virtual "
              "environment whose torch this binary was built against, "
              "normally the project's .venv)");
DEFINE_string(out_dir, "",
              "folder for performance.pb (default: results/ with the default "
              "settings, else runs/performance/)");
DEFINE_bool(json, false, "also write performance.json");
DEFINE_bool(skip_python, false, "time only the C++ side (no comparison)");
DEFINE_string(profile_trace, "",
              "with --child: write LibTorch's profiler trace (chrome://tracing "
              "JSON) of the run to this file");
DEFINE_string(
    child, "",
    "internal: SIZE:MODE:STEPS runs one timed C++ run in this process "
    "and prints its seconds (the driver starts every run as a fresh "
    "process, as it does for Python); MODE floor times the step against "
    "its matrix products and profiles it");

namespace sparsity {
namespace {

struct Size {
  const char* name;
  int d_model, n_layers, n_heads, d_ff, seq_len, batch;
};

// The sweep; "default" is the layerwise_sparsity default preset's LM.
const std::vector<Size>& Sizes() {
  static const auto* sizes = new std::vector<Size>{
      {"small", 64, 2, 2, 256, 64, 16},
      {"default", 128, 6, 4, 512, 128, 32},
      {"wide", 256, 6, 4, 1024, 128, 16},
      {"deep", 128, 12, 4, 512, 64, 32},
  };
  return *sizes;
}

using Clock = std::chrono::steady_clock;

// --attention as the model's policy, and whether it takes the fused path on
// --device.
FusedAttention AttentionPolicy() {
  return FLAGS_attention == "fused"      ? FusedAttention::kAlways
         : FLAGS_attention == "explicit" ? FusedAttention::kNever
                                         : FusedAttention::kAuto;
}

bool AttentionFused() {
  return FLAGS_attention == "fused" ||
         (FLAGS_attention == "auto" && FLAGS_device == "cuda");
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

OptimConfig BenchOptim() {
  OptimConfig o;
  o.set_lr(2e-3);
  o.set_min_lr(2e-4);
  o.set_warmup_steps(100);
  o.set_weight_decay(0.1);
  o.set_beta1(0.9);
  o.set_beta2(0.95);
  o.set_eps(1e-8);
  o.set_grad_clip(1.0);
  return o;
}

// Full sparsity statistics of every layer on every training forward.
class EveryStepObserver : public ActivationObserver {
 public:
  bool WantsAttention() const override { return false; }
  void OnMlp(const MlpEvent& e) override {
    SparsityAccumulator acc(e.post.size(-1), e.post.size(1));
    acc.Add(e.post);
    sink_ += acc.Finish().token_density.mean;
  }
  double sink_ = 0;
};

absl::StatusOr<double> TimeCpp(const Size& s, int steps,
                               const std::string& mode) {
  torch::manual_seed(1);
  TransformerLM model(TransformerLMOptions(256, s.d_model, s.n_layers,
                                           s.n_heads, s.d_ff, s.seq_len));
  model->to(torch::Device(FLAGS_device));  // the Trainer follows the model
  RandomTokenSource data(256, s.seq_len, s.batch, 1);
  EveryStepObserver observer;
  ActivationObserver* train_observer =
      mode == "every_step" ? &observer : nullptr;
  SparsityProbe probe(
      RandomTokenSource(256, s.seq_len, 8192 / s.seq_len, 2).Next());
  TrainConfig train;
  train.set_log_every(1 << 30);
  train.set_steps(FLAGS_warmup);
  {
    // Untimed: first-call costs (allocations, thread start-up) of the
    // training step, the observer and the probe, as the experiments pay them
    // before their timed steps (the probe at step 0).
    Trainer warm(model.ptr(), BenchOptim(), train);
    warm.set_quiet(true);
    warm.set_train_observer(train_observer);
    TrainingRecord record;
    if (absl::Status st = warm.Run(data, &record); !st.ok()) return st;
    if (mode == "schedule") {
      model->eval();
      probe.Measure(*model);
      model->train();
    }
  }
  train.set_steps(steps);
  Trainer trainer(model.ptr(), BenchOptim(), train);
  trainer.set_quiet(true);
  trainer.set_train_observer(train_observer);
  if (mode == "schedule") {
    trainer.set_probe_at_start(false);
    trainer.set_probe(
        FLAGS_probe_every,
        [&](int64_t, int64_t) -> absl::StatusOr<ProbeSummary> {
          SparsityMeasurement m = probe.Measure(*model);
          return ProbeSummary{"density", {m.layers[0].token_density.mean}};
        });
  }
  const auto start = Clock::now();
  TrainingRecord record;
  if (absl::Status st = trainer.Run(data, &record); !st.ok()) return st;
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Seconds of `steps` training steps of `model` (a fresh Trainer, as
// TimeCpp's timed run).
absl::StatusOr<double> TrainSeconds(TransformerLM& model, BatchSource& data,
                                    int steps) {
  TrainConfig train;
  train.set_log_every(1 << 30);
  train.set_steps(steps);
  Trainer trainer(model.ptr(), BenchOptim(), train);
  trainer.set_quiet(true);
  const auto start = Clock::now();
  TrainingRecord record;
  if (absl::Status st = trainer.Run(data, &record); !st.ok()) return st;
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --child=SIZE:floor:STEPS: the step timed, profiled (bench/step_profile.h),
// and its matrix products replayed alone; prints one "floor:" line of
// per-step seconds.
absl::Status RunFloorChild(const Size& s, int steps) {
  torch::manual_seed(1);
  TransformerLM model(TransformerLMOptions(256, s.d_model, s.n_layers,
                                           s.n_heads, s.d_ff, s.seq_len));
  model->to(torch::Device(FLAGS_device));
  RandomTokenSource data(256, s.seq_len, s.batch, 1);
  if (absl::StatusOr<double> t = TrainSeconds(model, data, FLAGS_warmup);
      !t.ok()) {
    return t.status();
  }
  absl::StatusOr<double> step = TrainSeconds(model, data, steps);
  if (!step.ok()) return step.status();
  StepBreakdown breakdown;
  double profiled = 0;  // the profiled run's own wall time
  {
    StepProfiler profiler;
    absl::StatusOr<double> t = TrainSeconds(model, data, steps);
    if (!t.ok()) return t.status();
    profiled = *t;
    breakdown = profiler.Breakdown();
  }
  // Explicit attention, so that its products are ops the capture sees.
  SetFusedAttention(FusedAttention::kNever);
  absl::Status captured;
  const std::vector<GemmCall> gemms =
      CaptureGemms([&] { captured = TrainSeconds(model, data, 1).status(); });
  SetFusedAttention(AttentionPolicy());
  if (!captured.ok()) return captured;
  double flops = 0;
  for (const GemmCall& g : gemms) flops += g.flops;
  std::string line = absl::StrFormat(
      "floor: step=%.9g floor=%.9g gemms=%d flops=%.9g profiled=%.9g",
      *step / steps, TimeGemms(gemms, steps), gemms.size(), flops,
      profiled / steps);
  for (size_t c = 0; c < kStepCategories.size(); ++c) {
    absl::StrAppendFormat(&line, " %s=%.9g,%.9g,%.9g", kStepCategories[c],
                          breakdown.seconds[c] / steps,
                          breakdown.gemm_seconds[c] / steps,
                          static_cast<double>(breakdown.gemms[c]) / steps);
  }
  std::printf("%s\n", line.c_str());
  return absl::OkStatus();
}

std::string SelfPath() {
  char exe[PATH_MAX] = {0};
  if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) <= 0) return "";
  return exe;
}

// Output of `cmd` (stdout and stderr), and whether it exited 0.
std::pair<bool, std::string> Capture(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {false, "cannot start " + cmd};
  char buf[4096];
  while (fgets(buf, sizeof(buf), pipe) != nullptr) out += buf;
  const int rc = pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {rc == 0, out};
}

// One timed C++ run in a fresh process (this binary with --child).
// Runs this binary as --child=SIZE:MODE:STEPS with the driver's settings.
std::pair<bool, std::string> RunChildProcess(const Size& s,
                                             const std::string& mode,
                                             int steps) {
  return Capture(absl::StrFormat(
      "%s --child=%s:%s:%d --warmup=%d --threads=%d --probe_every=%d "
      "--device=%s --attention=%s --fused_optimizer=%d",
      SelfPath(), s.name, mode, steps, FLAGS_warmup, FLAGS_threads,
      FLAGS_probe_every, FLAGS_device, FLAGS_attention, FLAGS_fused_optimizer));
}

absl::StatusOr<double> TimeCppProcess(const Size& s, int steps,
                                      const std::string& mode) {
  const auto [ok, out] = RunChildProcess(s, mode, steps);
  double seconds = 0;
  const size_t at = out.rfind("seconds=");
  if (!ok || at == std::string::npos ||
      !absl::SimpleAtod(out.substr(at + 8), &seconds)) {
    return absl::InternalError(absl::StrCat("C++ run failed: ", out));
  }
  return seconds;
}

// One floor round (RunFloorChild's line), per step.
struct FloorRound {
  double step = 0, floor = 0, flops = 0, profiled = 0;
  int gemms = 0;
  std::array<std::array<double, 3>, kStepCategories.size()> categories{};
};

absl::StatusOr<FloorRound> TimeFloorProcess(const Size& s, int steps) {
  const auto [ok, out] = RunChildProcess(s, "floor", steps);
  const size_t at = out.rfind("floor: ");
  if (!ok || at == std::string::npos) {
    return absl::InternalError(absl::StrCat("C++ floor run failed: ", out));
  }
  std::map<std::string, std::string> fields;
  for (absl::string_view kv :
       absl::StrSplit(out.substr(at + 7), ' ', absl::SkipEmpty())) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, '=');
    fields[p.first] = p.second;
  }
  FloorRound r;
  bool parsed = absl::SimpleAtod(fields["step"], &r.step) &&
                absl::SimpleAtod(fields["floor"], &r.floor) &&
                absl::SimpleAtod(fields["flops"], &r.flops) &&
                absl::SimpleAtod(fields["profiled"], &r.profiled) &&
                absl::SimpleAtoi(fields["gemms"], &r.gemms);
  for (size_t c = 0; c < kStepCategories.size(); ++c) {
    std::vector<std::string> v =
        absl::StrSplit(fields[kStepCategories[c]], ',');
    parsed = parsed && v.size() == 3;
    for (size_t i = 0; parsed && i < 3; ++i) {
      parsed = absl::SimpleAtod(v[i], &r.categories[c][i]);
    }
  }
  if (!parsed || r.step <= 0 || r.floor <= 0) {
    return absl::InternalError(
        absl::StrCat("C++ floor run: cannot read ", out.substr(at)));
  }
  return r;
}

// The default LM's step against its matmul floor, one process per round.
absl::StatusOr<StepFloor> MeasureFloor(const Size& s) {
  std::vector<FloorRound> rounds;
  std::vector<double> step, floor, ratio, profiled;
  for (int round = 0; round < FLAGS_rounds; ++round) {
    absl::StatusOr<FloorRound> r = TimeFloorProcess(s, FLAGS_steps);
    if (!r.ok()) return r.status();
    std::printf(
        "round %d  floor    %-8s step %.1f ms, its %d products "
        "%.1f ms: %.2fx\n",
        round, s.name, 1e3 * r->step, r->gemms, 1e3 * r->floor,
        r->step / r->floor);
    std::fflush(stdout);
    rounds.push_back(*r);
    step.push_back(r->step);
    floor.push_back(r->floor);
    ratio.push_back(r->step / r->floor);
    profiled.push_back(r->profiled);
  }
  StepFloor f;
  f.set_size(s.name);
  f.set_gemms(rounds[0].gemms);
  f.set_gemm_flops(rounds[0].flops);
  f.set_step_seconds(Median(step));
  f.set_floor_seconds(Median(floor));
  f.set_ratio(Median(ratio));
  f.set_profiled_step_seconds(Median(profiled));
  for (double x : ratio) f.add_round_ratios(x);
  for (size_t c = 0; c < kStepCategories.size(); ++c) {
    StepCategory* out = f.add_breakdown();
    out->set_category(kStepCategories[c]);
    std::array<std::vector<double>, 3> v;
    for (const FloorRound& r : rounds) {
      for (int i = 0; i < 3; ++i) v[i].push_back(r.categories[c][i]);
    }
    out->set_seconds(Median(v[0]));
    out->set_gemm_seconds(Median(v[1]));
    out->set_gemms(Median(v[2]));
    f.set_profiled_seconds(f.profiled_seconds() + out->seconds());
  }
  return f;
}

// Alternating timings of two callables: the median seconds of each.
std::pair<double, double> TimePair(const std::function<void()>& fused,
                                   const std::function<void()>& reference,
                                   int repeats) {
  fused();  // untimed: first-call costs
  reference();
  std::vector<double> a, b;
  for (int r = 0; r < repeats; ++r) {
    for (int k = 0; k < 2; ++k) {
      const bool first = (k + r) % 2 == 0;
      const auto start = Clock::now();
      (first ? fused : reference)();
      if (FLAGS_device == "cuda") torch::cuda::synchronize();
      (first ? a : b)
          .push_back(
              std::chrono::duration<double>(Clock::now() - start).count());
    }
  }
  return {Median(a), Median(b)};
}

// The attention layer's forward and backward at the size's shapes, fused
// scaled-dot-product attention against the explicit softmax path.
FusionEffect TimeAttentionFusion(const Size& s, int repeats,
                                 const std::string& name) {
  torch::manual_seed(3);
  const torch::Device device(FLAGS_device);
  SelfAttention attn(AttentionOptions(s.d_model, s.n_heads, s.seq_len));
  attn->to(device);
  const torch::Tensor x =
      torch::randn({s.batch, s.seq_len, s.d_model}, device).requires_grad_();
  const auto run = [&](FusedAttention policy) {
    return [&, policy] {
      SetFusedAttention(policy);
      attn->forward(x, 0, nullptr).square().sum().backward();
    };
  };
  const auto [fused, reference] = TimePair(
      run(FusedAttention::kAlways), run(FusedAttention::kNever), repeats);
  SetFusedAttention(AttentionPolicy());
  FusionEffect e;
  e.set_name(name);
  e.set_description(absl::StrFormat(
      "one attention layer, forward and backward, [%d, %d, %d], %d heads, "
      "causal: at::scaled_dot_product_attention against masked scores, "
      "softmax and two batched products",
      s.batch, s.seq_len, s.d_model, s.n_heads));
  e.set_fused_seconds(fused);
  e.set_reference_seconds(reference);
  e.set_op_speedup(reference / fused);
  if (name == "attention") {
    e.set_fused_mode("fused_attention");
    e.set_reference_mode("explicit_attention");
  }
  return e;
}

// One AdamW step over the size's model parameters: FusedAdamW against
// torch::optim::AdamW.
FusionEffect TimeOptimizerFusion(const Size& s, int repeats) {
  torch::manual_seed(4);
  TransformerLM model(TransformerLMOptions(256, s.d_model, s.n_layers,
                                           s.n_heads, s.d_ff, s.seq_len));
  model->to(torch::Device(FLAGS_device));
  for (torch::Tensor& p : model->parameters()) {
    p.mutable_grad() = torch::randn_like(p);
  }
  SetFusedOptimizer(true);
  std::unique_ptr<torch::optim::Optimizer> fused =
      MakeOptimizer(BenchOptim(), model->named_parameters());
  SetFusedOptimizer(false);
  std::unique_ptr<torch::optim::Optimizer> reference =
      MakeOptimizer(BenchOptim(), model->named_parameters());
  SetFusedOptimizer(FLAGS_fused_optimizer);
  const auto [f, r] =
      TimePair([&] { fused->step(); }, [&] { reference->step(); }, repeats);
  FusionEffect e;
  e.set_name("optimizer");
  e.set_description(absl::StrFormat(
      "one AdamW step over the model's %d parameter tensors (%d values): "
      "FusedAdamW (at::_fused_adamw_) against torch::optim::AdamW",
      model->parameters().size(), model->NumParameters()));
  e.set_fused_seconds(f);
  e.set_reference_seconds(r);
  e.set_op_speedup(r / f);
  e.set_fused_mode("none");
  e.set_reference_mode("torch_adamw");
  return e;
}

std::string ScriptPath() {
  char exe[PATH_MAX] = {0};
  if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0) {
    const std::string candidate =
        std::string(exe) + ".runfiles/sparsity/bench/torch_reference.py";
    if (access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return WorkspaceDir() + "/bench/torch_reference.py";
}

std::string PythonPath() {
  return FLAGS_python.empty() ? TORCH_PYTHON : FLAGS_python;
}

struct PythonRun {
  double seconds = 0;  // 0 when compiling failed
  std::string torch_version;
  std::string compile_error;  // why torch.compile failed, else ""
};

// Runs the Python reference (eager, or under torch.compile).
absl::StatusOr<PythonRun> TimePython(const Size& s, int steps, bool compile) {
  const std::string cmd = absl::StrFormat(
      "%s %s --d_model %d --n_layers %d --n_heads %d --d_ff %d --seq_len %d "
      "--batch_size %d --steps %d --warmup %d --threads %d --device %s%s%s%s",
      PythonPath(), ScriptPath(), s.d_model, s.n_layers, s.n_heads, s.d_ff,
      s.seq_len, s.batch, steps, FLAGS_warmup, FLAGS_threads, FLAGS_device,
      compile ? " --compile" : "", AttentionFused() ? " --fused_attention" : "",
      FLAGS_fused_optimizer ? " --fused_optimizer" : "");
  const auto [ok, out] = Capture(cmd);
  const auto field = [&out](const std::string& key) -> std::string {
    const size_t at = out.find("\"" + key + "\": ");
    if (at == std::string::npos) return "";
    const size_t begin = at + key.size() + 4;
    const size_t end = out.find_first_of(",}", begin);
    std::string v = out.substr(begin, end - begin);
    v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
    return v;
  };
  PythonRun run;
  run.torch_version = field("torch_version");
  if (ok && compile && !field("error").empty()) {
    run.compile_error = field("error");
    return run;
  }
  int64_t parameters = 0;
  if (!ok || !absl::SimpleAtod(field("seconds"), &run.seconds) ||
      !absl::SimpleAtoi(field("parameters"), &parameters)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the Python reference failed (", out.substr(out.rfind('\n') + 1),
        "); is torch installed in ", PythonPath(), "? run tools/setup.sh"));
  }
  // The two sides must train the same model.
  const int64_t cpp_parameters =
      TransformerLM(TransformerLMOptions(256, s.d_model, s.n_layers, s.n_heads,
                                         s.d_ff, s.seq_len))
          ->NumParameters();
  if (parameters != cpp_parameters) {
    return absl::InternalError(absl::StrFormat(
        "the Python model has %d parameters, the C++ model %d: they differ",
        parameters, cpp_parameters));
  }
  return run;
}

// Times the kernel and the LibTorch expressions on a ~10%-dense ReLU output.
KernelComparison TimeKernel(int64_t tokens, int64_t d_ff, int repeats) {
  constexpr int64_t kSeq = 128;
  torch::manual_seed(0);
  torch::Tensor h = torch::relu(torch::randn({tokens, d_ff}) - 1.28);
  std::vector<int32_t> nnz(tokens);
  std::vector<int64_t> counts(d_ff);
  std::vector<uint64_t> unions(tokens / kSeq * UnionWords(d_ff));
  std::vector<double> kernel_s, torch_s;
  const int saved_threads = torch::get_num_threads();
  torch::set_num_threads(1);
  for (int r = 0; r < repeats; ++r) {
    auto t0 = Clock::now();
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(unions.begin(), unions.end(), 0);
    ActivationStatsCpu(h.data_ptr<float>(), tokens, d_ff, kSeq, nnz.data(),
                       counts.data(), unions.data());
    auto t1 = Clock::now();
    torch::Tensor fires = h > 0;
    torch::Tensor a = fires.sum(-1), b = fires.sum(0),
                  c = fires.view({tokens / kSeq, kSeq, d_ff}).any(1);
    auto t2 = Clock::now();
    if (a.numel() + b.numel() + c.numel() == 0) std::abort();
    kernel_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    torch_s.push_back(std::chrono::duration<double>(t2 - t1).count());
  }
  torch::set_num_threads(saved_threads);
  KernelComparison k;
  k.set_tokens(tokens);
  k.set_d_ff(d_ff);
  k.set_kernel_seconds(Median(kernel_s));
  k.set_torch_seconds(Median(torch_s));
  k.set_ratio(k.torch_seconds() / k.kernel_seconds());
  k.set_kernel_gb_per_second(tokens * d_ff * 4.0 / k.kernel_seconds() / 1e9);
  k.set_kernel_path(ActivationStatsCpuPath());
  std::printf("kernel %lld x %lld: %.1f us vs LibTorch %.1f us: %.1fx\n",
              static_cast<long long>(tokens), static_cast<long long>(d_ff),
              1e6 * k.kernel_seconds(), 1e6 * k.torch_seconds(), k.ratio());
  return k;
}

SpeedSample* AddSample(PerformanceResults* out, const std::string& impl,
                       const Size& s, const std::string& mode, int round,
                       int steps, double seconds) {
  SpeedSample* x = out->add_samples();
  x->set_impl(impl);
  x->set_size(s.name);
  x->set_mode(mode);
  x->set_round(round);
  x->set_steps(steps);
  x->set_seconds(seconds);
  x->set_steps_per_second(steps / seconds);
  x->set_tokens_per_second(steps * static_cast<double>(s.batch) * s.seq_len /
                           seconds);
  std::printf("round %d  %-6s %-8s %-10s %7.3f steps/s %9.0f tokens/s\n", round,
              impl.c_str(), s.name, mode.c_str(), x->steps_per_second(),
              x->tokens_per_second());
  std::fflush(stdout);
  return x;
}

// --child=SIZE:MODE:STEPS
absl::Status RunChild() {
  std::vector<std::string> parts = absl::StrSplit(FLAGS_child, ':');
  int steps = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &steps) || steps <= 0) {
    return absl::InvalidArgumentError("--child takes SIZE:MODE:STEPS");
  }
  for (const Size& s : Sizes()) {
    if (parts[0] != s.name) continue;
    ConfigureCpu(FLAGS_threads);
    if (parts[1] == "floor") return RunFloorChild(s, steps);
    // The fusion comparisons: one fusion off.
    if (parts[1] == "explicit_attention") {
      SetFusedAttention(FusedAttention::kNever);
    }
    if (parts[1] == "fused_attention") {
      SetFusedAttention(FusedAttention::kAlways);
    }
    if (parts[1] == "torch_adamw") SetFusedOptimizer(false);
    std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
    if (!FLAGS_profile_trace.empty()) {
      profile = std::make_unique<torch::autograd::profiler::RecordProfile>(
          FLAGS_profile_trace);
    }
    absl::StatusOr<double> t = TimeCpp(s, steps, parts[1]);
    profile.reset();
    if (!t.ok()) return t.status();
    std::printf("seconds=%.9f\n", *t);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("unknown size " + parts[0]);
}

std::string& CommandLine() {
  static auto* line = new std::string;
  return *line;
}

// The flags that change what is measured; with all of them at their
// defaults the results are the committed ones.
bool SettingsChanged() {
  for (const char* flag :
       {"rounds", "steps", "warmup", "probe_every", "threads", "python",
        "skip_python", "device", "compile", "sizes"}) {
    if (!gflags::GetCommandLineFlagInfoOrDie(flag).is_default) return true;
  }
  return false;
}

// The --sizes subset of Sizes(), in sweep order.
absl::StatusOr<std::vector<Size>> SelectedSizes() {
  if (FLAGS_sizes.empty()) return Sizes();
  std::vector<Size> out;
  for (absl::string_view name : absl::StrSplit(FLAGS_sizes, ',')) {
    const auto it = std::find_if(Sizes().begin(), Sizes().end(),
                                 [&](const Size& s) { return name == s.name; });
    if (it == Sizes().end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--sizes: no size '", name, "' (small, default, wide, deep)"));
    }
    out.push_back(*it);
  }
  return out;
}

// Per-round steps/s of one size: C++, eager Python, compiled Python.
struct SizeTimes {
  std::vector<double> cpp, python, compiled, ratio, compile_ratio;
  std::string compile_error;
};

// One round of one size: the C++ run, the eager Python run and (--compile)
// the compiled one, in an order rotated by round.
absl::Status TimeRound(const Size& s, int round, PerformanceResults* out,
                       SizeTimes* times) {
  const int kinds = FLAGS_compile ? 3 : 2;
  double seconds[3] = {0, 0, 0};
  for (int k = 0; k < kinds; ++k) {
    const int kind = (k + round) % kinds;
    if (kind == 0) {
      absl::StatusOr<double> t = TimeCppProcess(s, FLAGS_steps, "none");
      if (!t.ok()) return t.status();
      seconds[0] = *t;
      AddSample(out, "cpp", s, "none", round, FLAGS_steps, *t);
      continue;
    }
    absl::StatusOr<PythonRun> t = TimePython(s, FLAGS_steps, kind == 2);
    if (!t.ok()) return t.status();
    out->set_python_torch_version(t->torch_version);
    if (!t->compile_error.empty()) {
      times->compile_error = t->compile_error;
      continue;
    }
    seconds[kind] = t->seconds;
    AddSample(out, kind == 1 ? "python" : "python_compile", s, "none", round,
              FLAGS_steps, t->seconds);
  }
  times->cpp.push_back(FLAGS_steps / seconds[0]);
  times->python.push_back(FLAGS_steps / seconds[1]);
  times->ratio.push_back(seconds[1] / seconds[0]);
  if (seconds[2] > 0) {
    times->compiled.push_back(FLAGS_steps / seconds[2]);
    times->compile_ratio.push_back(seconds[2] / seconds[0]);
  }
  return absl::OkStatus();
}

SizeComparison Summarize(const Size& s, const SizeTimes& t) {
  SizeComparison c;
  c.set_size(s.name);
  ModelConfig* m = c.mutable_model();
  m->set_vocab_size(256);
  m->set_d_model(s.d_model);
  m->set_n_layers(s.n_layers);
  m->set_n_heads(s.n_heads);
  m->set_d_ff(s.d_ff);
  m->set_max_seq_len(s.seq_len);
  c.set_batch_size(s.batch);
  c.set_seq_len(s.seq_len);
  const double tokens = static_cast<double>(s.batch) * s.seq_len;
  c.set_cpp_steps_per_second(Median(t.cpp));
  c.set_python_steps_per_second(Median(t.python));
  c.set_cpp_tokens_per_second(Median(t.cpp) * tokens);
  c.set_python_tokens_per_second(Median(t.python) * tokens);
  c.set_ratio(Median(t.ratio));
  if (!t.compiled.empty()) {
    c.set_python_compile_steps_per_second(Median(t.compiled));
    c.set_compile_ratio(Median(t.compile_ratio));
  }
  c.set_python_compile_error(t.compile_error);
  return c;
}

// Provenance, a summary on stdout, and the results file.
absl::Status Finish(Results& results, const std::string& out_dir,
                    Clock::time_point start) {
  PerformanceResults& out = *results.mutable_performance();
  if (const auto [ok, version] = Capture(PythonPath() + " --version"); ok) {
    out.set_python_version(version);
  }
  results.mutable_run()->set_wall_seconds(
      std::chrono::duration<double>(Clock::now() - start).count());
  for (const SizeComparison& c : out.sizes()) {
    std::string compiled = "compiled: not run";
    if (!c.python_compile_error().empty()) {
      compiled = "compile failed: " + c.python_compile_error();
    } else if (c.python_compile_steps_per_second() > 0) {
      compiled = absl::StrFormat("compiled %.3f (%.2fx)",
                                 c.python_compile_steps_per_second(),
                                 c.compile_ratio());
    }
    std::printf("%-8s C++ %.3f steps/s, Python %.3f (%.2fx), %s\n",
                c.size().c_str(), c.cpp_steps_per_second(),
                c.python_steps_per_second(), c.ratio(), compiled.c_str());
  }

  for (const ProbeCost& p : out.probe_costs()) {
    std::printf("probing %-10s %.2f%% of step time\n", p.mode().c_str(),
                100 * p.cost_fraction());
  }
  absl::StatusOr<std::string> path =
      WriteResults(results, out_dir, "performance", FLAGS_json);
  if (!path.ok()) return path.status();
  std::printf("wrote %s\n", path->c_str());
  return absl::OkStatus();
}

absl::Status Run() {
  if (!(FLAGS_peak_tflops >= 0 && FLAGS_peak_tflops < 1e6)) {
    return absl::InvalidArgumentError(
        "--peak_tflops must be in [0, 1e6) TFLOP/s");
  }
  if (FLAGS_rounds <= 0 || FLAGS_steps <= 0 || FLAGS_warmup < 0 ||
      FLAGS_probe_every <= 0) {
    return absl::InvalidArgumentError(
        "--rounds, --steps and --probe_every must be positive, --warmup >= 0");
  }
  if (FLAGS_rounds > 100 || FLAGS_steps > 100000 || FLAGS_warmup > 100000 ||
      FLAGS_threads < 0 || FLAGS_threads > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rounds (at most 100), --steps and --warmup (at most 100000) or "
        "--threads (0 to ",
        kMaxThreads, ") out of range"));
  }
  if (absl::Status s = ValidateDevice("--device", FLAGS_device); !s.ok()) {
    return s;
  }
  if (!FLAGS_skip_python && PythonPath().empty()) {
    return absl::InvalidArgumentError(
        "this LibTorch is not a virtual environment's torch: pass "
        "--python=INTERPRETER (one whose torch is this LibTorch's version)");
  }
  // Like the experiments: only the default settings write the committed
  // results/performance.pb unless --out_dir says where.
  const std::string out_dir =
      !FLAGS_out_dir.empty() ? ResolveUserPath(FLAGS_out_dir)
      : SettingsChanged()    ? WorkspaceDir() + "/runs/performance"
                             : WorkspaceDir() + "/results";
  if (absl::Status s = EnsureWritableDir(out_dir); !s.ok()) return s;
  const ThreadSettings threads = ConfigureCpu(FLAGS_threads);
  Results results;
  *results.mutable_run() =
      CollectRunInfo("performance", "default", CommandLine());
  results.mutable_run()->set_config_overridden(SettingsChanged());
  RecordThreadSettings(threads, results.mutable_run());
  results.mutable_run()->set_device(FLAGS_device);
  PerformanceResults& out = *results.mutable_performance();
  out.set_rounds(FLAGS_rounds);
  out.set_steps(FLAGS_steps);
  out.set_warmup_steps(FLAGS_warmup);
  out.set_default_size("default");
  out.set_probe_every(FLAGS_probe_every);
  out.set_probe_tokens(8192);
  out.set_device(FLAGS_device);
  out.set_attention(FLAGS_attention);
  out.set_attention_fused(AttentionFused());
  out.set_fused_optimizer(FLAGS_fused_optimizer);
  out.set_peak_tflops(FLAGS_peak_tflops);
  const auto start = Clock::now();
  const Size& def = Sizes()[1];

  // 0. Each fused path against the one it replaced, the op alone.
  *out.add_fusions() = TimeAttentionFusion(def, 31, "attention");
  // The same layer at 4x the sequence (the op alone).
  *out.add_fusions() =
      TimeAttentionFusion({"long", def.d_model, def.n_layers, def.n_heads,
                           def.d_ff, 4 * def.seq_len, def.batch / 4},
                          15, "attention_long");
  *out.add_fusions() = TimeOptimizerFusion(def, 31);
  for (const FusionEffect& e : out.fusions()) {
    std::printf("fused %-9s %.2f ms vs %.2f ms: %.2fx\n", e.name().c_str(),
                1e3 * e.fused_seconds(), 1e3 * e.reference_seconds(),
                e.op_speedup());
  }

  // 0. The activation-statistics kernel vs LibTorch expressions (CPU).
  const std::vector<std::pair<int64_t, int64_t>> kernel_sizes =
      FLAGS_device == "cpu"
          ? std::vector<std::pair<int64_t, int64_t>>{{4096, 512},
                                                     {8192, 512},
                                                     {8192, 2048},
                                                     {8192, 4096}}
          : std::vector<std::pair<int64_t, int64_t>>{};
  for (const auto& [tokens, d_ff] : kernel_sizes) {
    *out.add_kernels() = TimeKernel(tokens, d_ff, 31);
  }

  // 1. C++ vs Python (eager, and compiled) over the size sweep.
  absl::StatusOr<std::vector<Size>> sizes = SelectedSizes();
  if (!sizes.ok()) return sizes.status();
  for (const Size& s : *sizes) {
    if (FLAGS_skip_python) break;
    SizeTimes times;
    for (int round = 0; round < FLAGS_rounds; ++round) {
      if (absl::Status st = TimeRound(s, round, &out, &times); !st.ok()) {
        return st;
      }
    }
    *out.add_sizes() = Summarize(s, times);
  }

  // 2. The default LM's step against its matrix products.
  absl::StatusOr<StepFloor> floor = MeasureFloor(def);
  if (!floor.ok()) return floor.status();
  *out.mutable_floor() = *floor;
  if (FLAGS_device != "cpu") return Finish(results, out_dir, start);

  // 3. Probing cost, and each fusion turned off, on the default LM; modes
  // rotated each round.
  const std::vector<std::string> modes = {"none",
                                          "every_step",
                                          "schedule",
                                          "fused_attention",
                                          "explicit_attention",
                                          "torch_adamw"};
  std::vector<std::vector<double>> rate(modes.size()), rel(modes.size());
  for (int round = 0; round < FLAGS_rounds; ++round) {
    std::vector<double> this_round(modes.size());
    for (size_t k = 0; k < modes.size(); ++k) {
      const size_t j = (k + round) % modes.size();
      absl::StatusOr<double> t =
          TimeCppProcess(def, FLAGS_probe_every, modes[j]);
      if (!t.ok()) return t.status();
      AddSample(&out, "cpp", def, modes[j], round, FLAGS_probe_every, *t);
      this_round[j] = FLAGS_probe_every / *t;
    }
    for (size_t j = 0; j < modes.size(); ++j) {
      rate[j].push_back(this_round[j]);
      rel[j].push_back(this_round[j] / this_round[0]);
    }
  }
  const char* descriptions[] = {
      "", "observer on every training forward; full statistics of every layer",
      "the experiments' probe (no-grad forward on 8192 held-out tokens) once "
      "per probe interval"};
  const auto index = [&modes](const std::string& mode) {
    return std::find(modes.begin(), modes.end(), mode) - modes.begin();
  };
  for (FusionEffect& e : *out.mutable_fusions()) {
    if (e.reference_mode().empty()) continue;
    const size_t f = index(e.fused_mode()), j = index(e.reference_mode());
    std::vector<double> speedup;
    for (int round = 0; round < FLAGS_rounds; ++round) {
      speedup.push_back(rate[f][round] / rate[j][round]);
    }
    e.set_steps_per_second(Median(rate[f]));
    e.set_reference_steps_per_second(Median(rate[j]));
    e.set_step_speedup(Median(speedup));
  }
  for (size_t j = 1; j < 3; ++j) {
    ProbeCost* p = out.add_probe_costs();
    p->set_mode(modes[j]);
    p->set_description(descriptions[j]);
    p->set_steps_per_second(Median(rate[j]));
    p->set_baseline_steps_per_second(Median(rate[0]));
    p->set_ratio(Median(rel[j]));
    p->set_cost_fraction(1.0 / Median(rel[j]) - 1.0);
  }

  return Finish(results, out_dir, start);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::CommandLine() = sparsity::QuotedCommandLine(argc, argv);
  const std::string usage =
      "C++ trainer vs the PyTorch (Python) reference, and the cost of "
      "probing.\n\n  bazel run //bench:trainer_vs_python -- [--rounds=3] "
      "[--steps=20] [--out_dir=DIR]\n\nWrites DIR/performance.pb (default "
      "results/); render it with bazel run //reports:render.";
  sparsity::ParseFlags("trainer_vs_python", usage, {"bench/"}, &argc, &argv);
  if (FLAGS_attention != "auto" && FLAGS_attention != "fused" &&
      FLAGS_attention != "explicit") {
    std::fprintf(stderr,
                 "trainer_vs_python: error: --attention takes auto, fused or "
                 "explicit, not '%s'\n",
                 FLAGS_attention.c_str());
    return 2;
  }
  sparsity::SetFusedAttention(sparsity::AttentionPolicy());
  sparsity::SetFusedOptimizer(FLAGS_fused_optimizer);
  return sparsity::RunMain("trainer_vs_python", [] {
    return FLAGS_child.empty() ? sparsity::Run() : sparsity::RunChild();
  });
}
