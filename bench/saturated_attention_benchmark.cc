// Saturated-attention kernel (kernels/saturated_attention.h) against the
// LibTorch expression a user would write for the same outputs, one thread
// each:
//   masked   = scores.masked_fill(future, -inf)
//   tied     = masked >= masked.amax(-1, keepdim) - tolerance
//   probs    = tied / tied.sum(-1, keepdim)
//   out      = probs.bmm(values)
// Sizes: the norm_growth experiment's heads ({batch x heads, T, head dim}).
//
//   bazel run //bench:saturated_attention_benchmark
#include <limits>
#include <vector>

#include "benchmark/benchmark.h"
#include "kernels/saturated_attention.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

struct Inputs {
  torch::Tensor scores, values;
};

Inputs Make(int64_t n, int64_t t, int64_t dv) {
  torch::manual_seed(0);
  // Scores rounded to a coarse grid, so that rows hold real ties.
  return {torch::round(torch::randn({n, t, t}) * 4) / 4,
          torch::randn({n, t, dv})};
}

void BM_KernelCpu(benchmark::State& state) {
  const int64_t n = state.range(0), t = state.range(1), dv = state.range(2);
  const Inputs in = Make(n, t, dv);
  std::vector<float> probs(n * t * t), out(n * t * dv);
  for (auto _ : state) {
    SaturatedAttentionCpu(
        in.scores.data_ptr<float>(), in.values.data_ptr<float>(), n, t, t, dv,
        /*causal=*/true, /*tolerance=*/0, probs.data(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * t * t * 4);
}

void BM_TorchExpression(benchmark::State& state) {
  const int64_t n = state.range(0), t = state.range(1), dv = state.range(2);
  const Inputs in = Make(n, t, dv);
  const torch::Tensor future = torch::ones({t, t}, torch::kBool).triu(1);
  for (auto _ : state) {
    const torch::Tensor masked =
        in.scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    const torch::Tensor tied =
        (masked >= std::get<0>(masked.max(-1, /*keepdim=*/true)))
            .to(torch::kFloat);
    const torch::Tensor probs = tied / tied.sum(-1, /*keepdim=*/true);
    const torch::Tensor out = probs.bmm(in.values);
    benchmark::DoNotOptimize(out.data_ptr());
  }
  state.SetBytesProcessed(state.iterations() * n * t * t * 4);
}

// {batch x heads, T, head dim}: the default LM's 16 x 2 heads of 32 at 128
// positions, a 4-head probe of 64 sequences, and a longer context.
void Sizes(benchmark::internal::Benchmark* b) {
  b->Args({32, 128, 32})->Args({256, 128, 32})->Args({32, 512, 64});
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_KernelCpu)->Apply(Sizes);
BENCHMARK(BM_TorchExpression)->Apply(Sizes);

}  // namespace
}  // namespace sparsity
