#include "reports/performance_report.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sparsity {
namespace {

constexpr double kFloorTarget = 1.15;  // step / matmul floor, at most
constexpr double kPythonTarget = 1.3;  // C++ / eager Python steps/s, at least

// "met (1.45x >= 1.2x)" or "missed by 12% (1.06x < 1.2x)".
std::string AtLeast(double value, double target) {
  if (value >= target) {
    return absl::StrFormat("**met** (%.2fx >= %.3gx)", value, target);
  }
  return absl::StrFormat("**missed** by %.0f%% (%.2fx < %.3gx)",
                         100 * (1 - value / target), value, target);
}

// A cost against its target, as the median and the per-round costs allow:
// met only when every round is within the target, missed when every round
// exceeds it, else not resolved at this run-to-run noise.
std::string AtMost(double fraction, double target,
                   const std::vector<double>& rounds) {
  const double hi = rounds.empty()
                        ? fraction
                        : *std::max_element(rounds.begin(), rounds.end());
  const double lo = rounds.empty()
                        ? fraction
                        : *std::min_element(rounds.begin(), rounds.end());
  if (hi <= target) {
    return absl::StrFormat("**met** (%.2f%%, every round <= %.0f%%)",
                           100 * fraction, 100 * target);
  }
  if (lo > target) {
    return absl::StrFormat("**missed** (%.2f%%, every round > %.0f%%)",
                           100 * fraction, 100 * target);
  }
  return absl::StrFormat(
      "**not resolved** (median %.2f%%; per round %.2f%% to %.2f%%: "
      "run-to-run noise exceeds the %.0f%% target)",
      100 * fraction, 100 * lo, 100 * hi, 100 * target);
}

// Per-round ratios a / b of steps/s (as_cost: b / a - 1, the added step
// time), for samples of `steps` timed steps matching (impl, size, mode). The
// steps tell the size sweep's runs (r.steps) from the probing comparison's
// (r.probe_every), whose C++ baseline has the same impl, size and mode.
std::vector<double> RoundValues(const PerformanceResults& r,
                                const std::string& size, int steps,
                                const std::string& impl_a,
                                const std::string& mode_a,
                                const std::string& impl_b,
                                const std::string& mode_b, bool as_cost) {
  std::map<int, double> a, b;
  for (const SpeedSample& x : r.samples()) {
    if (x.size() != size || x.steps() != steps) continue;
    if (x.impl() == impl_a && x.mode() == mode_a)
      a[x.round()] = x.steps_per_second();
    if (x.impl() == impl_b && x.mode() == mode_b)
      b[x.round()] = x.steps_per_second();
  }
  std::vector<double> v;
  for (const auto& [round, rate] : a) {
    if (b.count(round))
      v.push_back(as_cost ? b[round] / rate - 1 : rate / b[round]);
  }
  return v;
}

std::string RangeText(const std::vector<double>& v, bool as_cost) {
  if (v.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return as_cost ? absl::StrFormat("%.2f%% to %.2f%%", 100 * *lo, 100 * *hi)
                 : absl::StrFormat("%.2fx to %.2fx", *lo, *hi);
}

// Per-round C++ / Python (or compiled Python) steps/s of the size sweep.
std::vector<double> PythonRounds(const PerformanceResults& r,
                                 const std::string& size,
                                 const std::string& python_impl) {
  return RoundValues(r, size, r.steps(), "cpp", "none", python_impl, "none",
                     /*as_cost=*/false);
}

// The probing per-round costs of `mode` against the C++ baseline.
std::vector<double> ProbeRoundCosts(const PerformanceResults& r,
                                    const std::string& mode) {
  return RoundValues(r, r.default_size(), r.probe_every(), "cpp", mode, "cpp",
                     "none", /*as_cost=*/true);
}

// The torch.compile column: steps/s and the C++ ratio, why compiling failed,
// or that it was not measured.
std::string CompiledCell(const SizeComparison& c) {
  if (!c.python_compile_error().empty()) {
    return absl::StrCat("failed: ", c.python_compile_error());
  }
  if (c.python_compile_steps_per_second() <= 0) return "not measured";
  return absl::StrFormat("%.3f (%.2fx)", c.python_compile_steps_per_second(),
                         c.compile_ratio());
}

// A ratio against a lower bound, as the per-round ratios allow: met when
// every round reaches it, missed when no round does, else not resolved.
std::string AtLeastRounds(double ratio, double target,
                          const std::vector<double>& rounds) {
  if (rounds.empty()) return AtLeast(ratio, target);
  const auto [lo, hi] = std::minmax_element(rounds.begin(), rounds.end());
  if (*lo >= target || *hi < target) {
    return absl::StrCat(
        AtLeast(ratio, target),
        absl::StrFormat("; per round %.2fx to %.2fx", *lo, *hi));
  }
  return absl::StrFormat(
      "**not resolved** (median %.2fx; per round %.2fx to %.2fx)", ratio, *lo,
      *hi);
}

// A ratio against an upper bound, as the per-round ratios allow: met when
// every round is within it, missed when every round exceeds it.
std::string AtMostRatio(double ratio, double target,
                        const std::vector<double>& rounds) {
  const auto [lo, hi] =
      rounds.empty()
          ? std::make_pair(ratio, ratio)
          : std::make_pair(*std::min_element(rounds.begin(), rounds.end()),
                           *std::max_element(rounds.begin(), rounds.end()));
  if (hi <= target) {
    return absl::StrFormat("**met** (%.2fx, every round <= %.3gx)", ratio,
                           target);
  }
  if (lo > target) {
    return absl::StrFormat(
        "**missed** (%.2fx; every round > %.3gx: %.2fx "
        "to %.2fx)",
        ratio, target, lo, hi);
  }
  return absl::StrFormat(
      "**not resolved** (median %.2fx; per round %.2fx to %.2fx)", ratio, lo,
      hi);
}

// The step against its matrix products, and where the step's time goes.
std::string FloorSection(const PerformanceResults& r) {
  const StepFloor& f = r.floor();
  const double step = f.step_seconds();
  std::vector<std::vector<std::string>> rows = {
      {"training step", absl::StrFormat("%.1f", 1e3 * step),
       absl::StrFormat("%.1f", f.gemm_flops() / step / 1e9)},
      {absl::StrFormat("its %d matrix products alone (the floor)", f.gemms()),
       absl::StrFormat("%.1f", 1e3 * f.floor_seconds()),
       absl::StrFormat("%.1f", f.gemm_flops() / f.floor_seconds() / 1e9)}};
  std::string md = absl::StrCat(
      "## The training step against its matmul floor\n\n",
      absl::StrFormat(
          "The %s LM's step (%.2f GFLOP in %d matrix products) and exactly "
          "its matrix products, forward and backward, replayed alone: each "
          "round one fresh process times %d steps, profiles %d more, "
          "captures one step's products (with explicit attention, so that "
          "the attention products are ops) and replays them %d times on "
          "random tensors of the same shapes and strides, through the same "
          "kernels and threads (`bench/step_profile.h`). Medians over %d "
          "rounds; **step / floor = %.2fx** (per round %s).\n\n",
          f.size(), f.gemm_flops() / 1e9, f.gemms(), r.steps(), r.steps(),
          r.steps(), r.rounds(), f.ratio(),
          RangeText(std::vector<double>(f.round_ratios().begin(),
                                        f.round_ratios().end()),
                    false)),
      MarkdownTable({"", "ms per step", "GFLOP/s"}, rows), "\n",
      r.peak_tflops() > 0
          ? absl::StrFormat(
                "Model FLOP utilisation (the products' FLOPs over the step's "
                "time, against the stated float32 peak of %.0f TFLOP/s): "
                "**%.1f%%**.\n\n",
                r.peak_tflops(),
                100 * f.gemm_flops() / step / (r.peak_tflops() * 1e12))
          : "Model FLOP utilisation: not stated (no peak given: bench "
            "`--peak_tflops`).\n\n");
  rows.clear();
  // Shares of the profiled run's own step time (profiling adds a little).
  const double profiled_step = f.profiled_step_seconds();
  for (const StepCategory& c : f.breakdown()) {
    rows.push_back(
        {c.category(), absl::StrFormat("%.1f", 1e3 * c.seconds()),
         absl::StrFormat("%.1f%%", 100 * c.seconds() / profiled_step),
         absl::StrFormat("%.1f", 1e3 * c.gemm_seconds()),
         absl::StrFormat("%.0f", c.gemms()),
         absl::StrFormat("%.1f", 1e3 * (c.seconds() - c.gemm_seconds()))});
  }
  rows.push_back(
      {"between ops (the profiled step minus its ops)",
       absl::StrFormat("%.1f", 1e3 * (profiled_step - f.profiled_seconds())),
       absl::StrFormat("%.1f%%",
                       100 * (1 - f.profiled_seconds() / profiled_step)),
       "-", "-", "-"});
  absl::StrAppend(
      &md,
      absl::StrFormat(
          "Where the step's time goes, from the profiled run (LibTorch's "
          "profiler hooks; its step took %.1f ms, against %.1f ms "
          "unprofiled). A backward op counts in the category of the "
          "forward op that made its autograd node; ops with no forward op "
          "(gradient accumulation, custom autograd functions' backward) "
          "count as other.%s",
          1e3 * profiled_step, 1e3 * step,
          r.device() == "cuda"
              ? " On CUDA these are host times of kernel launches, not of "
                "the kernels."
              : ""),
      r.attention_fused()
          ? " The fused attention op does its products inside one kernel, "
            "so its time is all \"other than products\" here."
          : " Attention ran the explicit path, so its products are ops and "
            "count as products here.",
      "\n\n",
      MarkdownTable({"category", "ms per step", "share of step",
                     "of which matrix products (ms)", "products",
                     "other than products (ms)"},
                    rows),
      "\n");
  return md;
}

// Each fused path against the path it replaced: the op, and the step.
std::string FusionSection(const PerformanceResults& r) {
  std::vector<std::vector<std::string>> rows;
  for (const FusionEffect& e : r.fusions()) {
    std::string step = "op only";
    std::string range = "-";
    if (!e.reference_mode().empty() && e.reference_steps_per_second() > 0) {
      step = absl::StrFormat("%.3f vs %.3f: %.3fx", e.steps_per_second(),
                             e.reference_steps_per_second(), e.step_speedup());
      std::vector<double> v =
          RoundValues(r, r.default_size(), r.probe_every(), "cpp",
                      e.fused_mode(), "cpp", e.reference_mode(),
                      /*as_cost=*/false);
      range = RangeText(v, false);
    }
    rows.push_back({e.name(), e.description(),
                    absl::StrFormat("%.2f", 1e3 * e.fused_seconds()),
                    absl::StrFormat("%.2f", 1e3 * e.reference_seconds()),
                    absl::StrFormat("%.2fx", e.op_speedup()), step, range});
  }
  if (rows.empty()) return "";
  // Where attention's default is the explicit path, "none" and
  // "explicit_attention" are the same setup run twice: their per-round
  // ratios are this machine's noise, the yardstick for the step speed-ups.
  std::string noise;
  const std::vector<double> same =
      r.attention_fused()
          ? std::vector<double>()
          : RoundValues(r, r.default_size(), r.probe_every(), "cpp", "none",
                        "cpp", "explicit_attention", /*as_cost=*/false);
  if (!same.empty()) {
    noise = absl::StrFormat(
        "**Noise.** With attention explicit by default here, the runs "
        "`none` and `explicit_attention` are the same setup run twice; "
        "their per-round ratio spans %s. A step speed-up inside that span "
        "is not resolved by this run.\n\n",
        RangeText(same, false));
  }
  return absl::StrCat(
      "## Fused paths against the paths they replaced\n\n",
      absl::StrFormat(
          "The op alone: both paths alternate in the benchmark's process, "
          "median of the repeats. The training step: %d-step runs of the "
          "default LM with this path forced on against the same forced "
          "off, in fresh processes rotated with the probing runs below "
          "(steps/s, medians; speed-up = median of per-round ratios). The "
          "other runs of this report: attention `%s` (%s on the %s), fused "
          "AdamW %s.\n\n",
          r.probe_every(), r.attention(),
          r.attention_fused() ? "fused" : "explicit",
          r.device().empty() ? "cpu" : r.device(),
          r.fused_optimizer() ? "on" : "off"),
      MarkdownTable(
          {"fusion", "what runs", "fused (ms)", "replaced (ms)", "op speed-up",
           "training steps/s, fused vs replaced", "per-round range"},
          rows),
      "\n", noise);
}

}  // namespace

Report PerformanceReport(const Results& results,
                         const std::string& results_file) {
  const PerformanceResults& r = results.performance();
  Report report("performance",
                "Performance: the C++ trainer, probing, and the statistics "
                "kernel");
  std::string& md = report.markdown;
  absl::StrAppend(
      &md,
      "# Performance: the C++ trainer, probing, and the statistics kernel\n\n",
      "Generated by `bazel run //reports:render` from the results of `bazel "
      "run //bench:trainer_vs_python`; every number here was measured in that "
      "run, on the machine in the table at the end. Do not edit by hand.\n\n",
      absl::StrFormat(
          "Method: C++ (this project's `train/trainer.h`) and Python "
          "(`bench/torch_reference.py`, the same decoder LM in PyTorch %s, %s) "
          "train on uniformly random bytes with AdamW (%s), warmup + "
          "cosine schedule and gradient clipping, attention %s, on the same "
          "LibTorch and with the same threads (`train/run_info.h`: every core "
          "to LibTorch's "
          "intra-op pool, which MKL shares), on the %s; the C++ binaries "
          "link jemalloc, Python uses glibc's malloc. The Python model also "
          "runs under `torch.compile` (the model compiled, the optimiser "
          "step eager) where that works. Every run is a "
          "fresh process. Each run does %d "
          "untimed steps, then %d timed ones; the two alternate (the first "
          "alternates by round) for %d rounds; tables show medians over "
          "rounds, and ratios are medians of per-round ratios.\n\n",
          r.python_torch_version(), r.python_version(),
          r.fused_optimizer()
              ? "fused on both sides: `train/fused_adamw.h`, "
                "`AdamW(fused=True)`"
              : "unfused: `torch::optim::AdamW`, Python's default AdamW",
          r.attention_fused()
              ? "through fused scaled-dot-product attention on both sides"
              : "explicit (masked scores and softmax) on both sides",
          r.device().empty() ? "cpu" : r.device(), r.warmup_steps(), r.steps(),
          r.rounds()));

  // Targets summary.
  const SizeComparison* def = nullptr;
  double worst = 1e9;
  std::string worst_size;
  for (const SizeComparison& c : r.sizes()) {
    if (c.size() == r.default_size()) def = &c;
    if (c.ratio() < worst) worst = c.ratio(), worst_size = c.size();
  }
  std::vector<std::vector<std::string>> targets;
  if (r.has_floor()) {
    targets.push_back(
        {"default-LM training step vs its matmul floor", "<= 1.15x",
         AtMostRatio(r.floor().ratio(), kFloorTarget,
                     std::vector<double>(r.floor().round_ratios().begin(),
                                         r.floor().round_ratios().end()))});
  }
  if (def != nullptr) {
    targets.push_back({"C++ steps/s vs Python (eager) on the default LM",
                       ">= 1.3x",
                       AtLeastRounds(def->ratio(), kPythonTarget,
                                     PythonRounds(r, def->size(), "python"))});
    targets.push_back(
        {"C++ steps/s vs Python under torch.compile on the default LM",
         ">= 1.0x",
         def->python_compile_steps_per_second() > 0
             ? AtLeastRounds(def->compile_ratio(), 1.0,
                             PythonRounds(r, def->size(), "python_compile"))
             : absl::StrCat("**not measured** (", CompiledCell(*def), ")")});
    targets.push_back(
        {absl::StrCat("C++ not slower than Python at any size (",
                      "worst: ", worst_size, ")"),
         ">= 1.0x",
         AtLeastRounds(worst, 1.0, PythonRounds(r, worst_size, "python"))});
  }
  for (const ProbeCost& p : r.probe_costs()) {
    const double target = p.mode() == "every_step" ? 0.05 : 0.01;
    targets.push_back(
        {absl::StrCat("probing cost, ",
                      p.mode() == "every_step"
                          ? "every step"
                          : absl::StrFormat("default schedule (every %d "
                                            "steps)",
                                            r.probe_every())),
         absl::StrFormat("<= %.0f%% of step time", 100 * target),
         AtMost(p.cost_fraction(), target, ProbeRoundCosts(r, p.mode()))});
  }
  if (r.kernels_size() > 0) {
    double min_ratio = 1e9;
    for (const KernelComparison& k : r.kernels())
      min_ratio = std::min(min_ratio, k.ratio());
    targets.push_back(
        {"activation-statistics kernel vs LibTorch expression "
         "(slowest size)",
         ">= 3x", AtLeast(min_ratio, 3.0)});
  }
  if (def != nullptr) {
    report.headline = absl::StrFormat(
        "C++ trainer %.2fx the steps/s of PyTorch from Python on the default "
        "LM (worst size: %.2fx, %s).",
        def->ratio(), worst, worst_size);
  }
  if (r.has_floor()) {
    absl::StrAppend(
        &report.headline,
        absl::StrFormat(" Step %.2fx its matmul floor.", r.floor().ratio()));
  }
  if (r.kernels_size() > 0) {
    double min_ratio = 1e9;
    for (const KernelComparison& k : r.kernels()) {
      min_ratio = std::min(min_ratio, k.ratio());
    }
    absl::StrAppend(&report.headline,
                    absl::StrFormat(" Statistics kernel at least %.1fx "
                                    "LibTorch's expression.",
                                    min_ratio));
  }
  absl::StrAppend(&md, "## Targets\n\n",
                  MarkdownTable({"target", "goal", "measured"}, targets), "\n");
  if (r.device() != "cuda") {
    absl::StrAppend(
        &md,
        "GPU targets (the step against PyTorch eager on one GPU, and its "
        "model FLOP utilisation) are not in this file: it measured the CPU. "
        "`bazel run //bench:trainer_vs_python -- --device=cuda "
        "--peak_tflops=T` (run by `tools/gpu_check.sh`) measures them.\n\n");
  }
  if (def != nullptr && def->ratio() < kPythonTarget && r.has_floor()) {
    absl::StrAppend(
        &md, absl::StrFormat(
                 "**Why the C++ trainer is not 1.3x faster than Python here "
                 "(%.2fx).** Both sides run the same LibTorch kernels, and the "
                 "matrix products alone, the same work on both sides, take "
                 "%.0f%% of the C++ step (the floor, below). The two sides "
                 "differ only outside them: the interpreter between Python's "
                 "ops and the allocator (jemalloc in C++, glibc's malloc in "
                 "Python); this benchmark does not separate the two.\n\n",
                 def->ratio(), 100.0 / r.floor().ratio()));
  }

  std::vector<std::vector<std::string>> rows;
  for (const SizeComparison& c : r.sizes()) {
    const ModelConfig& m = c.model();
    rows.push_back(
        {c.size(),
         absl::StrFormat("%d layers, d_model %d, d_ff %d, %d heads",
                         m.n_layers(), m.d_model(), m.d_ff(), m.n_heads()),
         absl::StrFormat("%d x %d", c.batch_size(), c.seq_len()),
         absl::StrFormat("%.3f", c.cpp_steps_per_second()),
         absl::StrFormat("%.3f", c.python_steps_per_second()),
         absl::StrFormat("%.0f", c.cpp_tokens_per_second()),
         absl::StrFormat("%.0f", c.python_tokens_per_second()),
         absl::StrFormat("%.2fx", c.ratio()),
         RangeText(RoundValues(r, c.size(), r.steps(), "cpp", "none", "python",
                               "none", false),
                   false),
         CompiledCell(c)});
  }
  absl::StrAppend(
      &md, "## C++ trainer vs PyTorch in Python\n\n",
      MarkdownTable(
          {"size", "model", "batch x seq", "C++ steps/s", "Python steps/s",
           "C++ tokens/s", "Python tokens/s", "C++ / Python", "per-round range",
           "compiled Python steps/s (C++ / compiled)"},
          rows),
      "\n");

  if (r.has_floor()) absl::StrAppend(&md, FloorSection(r));
  absl::StrAppend(&md, FusionSection(r));

  rows.clear();
  for (const ProbeCost& p : r.probe_costs()) {
    rows.push_back({p.mode(), p.description(),
                    absl::StrFormat("%.3f", p.baseline_steps_per_second()),
                    absl::StrFormat("%.3f", p.steps_per_second()),
                    absl::StrFormat("%.3f", p.ratio()),
                    absl::StrFormat("%.2f%%", 100 * p.cost_fraction()),
                    RangeText(ProbeRoundCosts(r, p.mode()), true)});
  }
  absl::StrAppend(
      &md, "## Cost of probing (default LM)\n\n",
      absl::StrFormat("Each run lasts %d steps (one probe interval of the "
                      "default preset), so the schedule mode probes once; its "
                      "first-call costs are paid before timing, as the "
                      "experiments pay them in the probe at step 0.\n\n",
                      r.probe_every()),
      MarkdownTable({"mode", "what runs", "steps/s without", "steps/s with",
                     "ratio", "added step time", "per-round range"},
                    rows),
      "\nA negative cost, or a per-round range that spans zero, means the "
      "cost is below what this machine's run-to-run noise can resolve.\n\n");

  rows.clear();
  for (const KernelComparison& k : r.kernels()) {
    rows.push_back({absl::StrFormat("%d x %d", k.tokens(), k.d_ff()),
                    absl::StrFormat("%.1f", 1e6 * k.kernel_seconds()),
                    absl::StrFormat("%.1f", 1e6 * k.torch_seconds()),
                    absl::StrFormat("%.1fx", k.ratio()),
                    absl::StrFormat("%.1f", k.kernel_gb_per_second()),
                    k.kernel_path()});
  }
  if (!rows.empty()) {
    absl::StrAppend(
        &md, "## Activation-statistics kernel vs LibTorch\n\n",
        "Per-token counts, per-unit counts and 128-token sequence unions of a "
        "ReLU output with ~10% density, one thread each: the kernel "
        "(`kernels/activation_stats.h`) in one pass against `(h > 0).sum(-1)`, "
        "`(h > 0).sum(0)` and `(h > 0).view(S, 128, d).any(1)`. Medians of 31 "
        "repeats. The Google Benchmark binary "
        "`bazel run //bench:activation_stats_benchmark` times the same "
        "pair.\n\n",
        MarkdownTable({"tokens x d_ff", "kernel (us)", "LibTorch (us)",
                       "speed-up", "kernel GB/s", "code path"},
                      rows),
        "\n");
  }

  rows.clear();
  for (const SpeedSample& s : r.samples()) {
    rows.push_back({absl::StrCat(s.round()), s.impl(), s.size(), s.mode(),
                    absl::StrFormat("%.3f", s.steps_per_second()),
                    absl::StrFormat("%.0f", s.tokens_per_second())});
  }
  absl::StrAppend(
      &md, "## Every run\n\n",
      MarkdownTable({"round", "impl", "size", "probing", "steps/s", "tokens/s"},
                    rows),
      "\n## How this was measured\n\n",
      ProvenanceSection(results.run(), results_file),
      "\nRegenerate: `bazel run //bench:trainer_vs_python` then "
      "`bazel run //reports:render`.\n");
  return report;
}

}  // namespace sparsity
