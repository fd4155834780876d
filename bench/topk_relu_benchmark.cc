// Top-k ReLU (kernels/topk_relu.h, through models/topk_relu_op.h) against the
// LibTorch expression a user would write, one thread each:
//   post = relu(pre); keep = post.topk(k).indices
//   y    = zeros_like(post).scatter(-1, keep, post.gather(-1, keep))
// Forward alone, and forward + backward (autograd through each).
// Sizes: the topk_thresholding experiment's MLP activations, {tokens, d_ff,
// k}: a ViT step (128 images x 17 tokens, d_ff 256), an LM step (16 x 128
// bytes), k from 4 to d_ff / 4.
//
//   bazel run //bench:topk_relu_benchmark
#include "benchmark/benchmark.h"
#include "kernels/topk_relu_torch_reference.h"
#include "models/topk_relu_op.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

torch::Tensor Pre(const benchmark::State& state) {
  torch::manual_seed(0);
  return torch::randn({state.range(0), state.range(1)});
}

template <torch::Tensor (*F)(const torch::Tensor&, int64_t)>
void BM_Forward(benchmark::State& state) {
  const torch::Tensor pre = Pre(state);
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    torch::Tensor y = F(pre, state.range(2));
    benchmark::DoNotOptimize(y.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * pre.numel());
}

template <torch::Tensor (*F)(const torch::Tensor&, int64_t)>
void BM_ForwardBackward(benchmark::State& state) {
  const torch::Tensor pre = Pre(state).requires_grad_(true);
  const torch::Tensor grad = torch::randn_like(pre);
  for (auto _ : state) {
    F(pre, state.range(2)).backward(grad);
    benchmark::DoNotOptimize(pre.grad().data_ptr());
    pre.mutable_grad().reset();
  }
  state.SetItemsProcessed(state.iterations() * pre.numel());
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t k : {4, 16, 64}) b->Args({2176, 256, k});
  b->Args({2048, 256, 16});
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Forward<TopkRelu>)->Name("Kernel/Forward")->Apply(Sizes);
BENCHMARK(BM_Forward<TorchTopkRelu>)->Name("Torch/Forward")->Apply(Sizes);
BENCHMARK(BM_ForwardBackward<TopkRelu>)
    ->Name("Kernel/ForwardBackward")
    ->Apply(Sizes);
BENCHMARK(BM_ForwardBackward<TorchTopkRelu>)
    ->Name("Torch/ForwardBackward")
    ->Apply(Sizes);

}  // namespace
}  // namespace sparsity
