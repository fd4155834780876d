// Activation-statistics kernel (kernels/activation_stats.h) against the
// LibTorch expressions a user would write for the same three outputs:
//   per-token counts   (h > 0).sum(-1)
//   per-unit counts    (h > 0).sum(0)
//   sequence unions    (h > 0).view({S, T / S, d}).any(1)
// Bytes/s count the float matrix read once.
//
//   bazel run //bench:activation_stats_benchmark
#include <vector>

#include "benchmark/benchmark.h"
#include "kernels/activation_stats.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

constexpr int64_t kSeqLen = 128;

torch::Tensor Input(int64_t tokens, int64_t d_ff) {
  torch::manual_seed(0);
  // ReLU output with ~10% density, as in a trained layer.
  return torch::relu(torch::randn({tokens, d_ff}) - 1.28);
}

void BM_KernelCpu(benchmark::State& state) {
  const int64_t tokens = state.range(0), d_ff = state.range(1);
  torch::Tensor h = Input(tokens, d_ff);
  std::vector<int32_t> nnz(tokens);
  std::vector<int64_t> counts(d_ff);
  std::vector<uint64_t> unions(tokens / kSeqLen * UnionWords(d_ff));
  for (auto _ : state) {
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(unions.begin(), unions.end(), 0);
    ActivationStatsCpu(h.data_ptr<float>(), tokens, d_ff, kSeqLen, nnz.data(),
                       counts.data(), unions.data());
    benchmark::DoNotOptimize(unions.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * tokens * d_ff * 4);
  state.SetLabel(ActivationStatsCpuPath());
}

void BM_TorchExpression(benchmark::State& state) {
  const int64_t tokens = state.range(0), d_ff = state.range(1);
  torch::Tensor h = Input(tokens, d_ff);
  for (auto _ : state) {
    torch::Tensor fires = h > 0;
    torch::Tensor nnz = fires.sum(-1);
    torch::Tensor counts = fires.sum(0);
    torch::Tensor unions = fires.view({tokens / kSeqLen, kSeqLen, d_ff}).any(1);
    benchmark::DoNotOptimize(nnz.data_ptr());
    benchmark::DoNotOptimize(counts.data_ptr());
    benchmark::DoNotOptimize(unions.data_ptr());
  }
  state.SetBytesProcessed(state.iterations() * tokens * d_ff * 4);
}

// {tokens, d_ff}: a training batch of the default LM, the 8192-token probe,
// and wider layers.
void Sizes(benchmark::internal::Benchmark* b) {
  b->Args({4096, 512})
      ->Args({8192, 512})
      ->Args({8192, 2048})
      ->Args({8192, 4096});
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_KernelCpu)->Apply(Sizes);
BENCHMARK(BM_TorchExpression)->Apply(Sizes);

}  // namespace
}  // namespace sparsity
