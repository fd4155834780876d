// J-SquaredReLU (kernels/jsrelu.h, through models/jsrelu_op.h) against the
// LibTorch expression it replaces, and plain torch::relu as the floor, one
// thread each:
//   js = where(x >= 0, x * x * 0.5 + x, 0); mix: (1 - k) relu(x) + k js
// Forward alone, and forward + backward (autograd through each).
// Sizes: the gradient_sparsity experiment's MLP activations, {tokens, d_ff}:
// a ViT step (128 images x 17 tokens, d_ff 256) and an LM step (16 x 128
// bytes); mix 1 (JSReLU) and 0.5 (the finetuning ramp).
//
//   bazel run //bench:jsrelu_benchmark
#include "benchmark/benchmark.h"
#include "kernels/jsrelu_torch_reference.h"
#include "models/jsrelu_op.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

torch::Tensor Relu(const torch::Tensor& x, double) { return torch::relu(x); }

// range(2): the mix in percent.
double Mix(const benchmark::State& state) { return state.range(2) / 100.0; }

torch::Tensor Pre(const benchmark::State& state) {
  torch::manual_seed(0);
  return torch::randn({state.range(0), state.range(1)});
}

template <torch::Tensor (*F)(const torch::Tensor&, double)>
void BM_Forward(benchmark::State& state) {
  const torch::Tensor pre = Pre(state);
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    torch::Tensor y = F(pre, Mix(state));
    benchmark::DoNotOptimize(y.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * pre.numel());
}

template <torch::Tensor (*F)(const torch::Tensor&, double)>
void BM_ForwardBackward(benchmark::State& state) {
  const torch::Tensor pre = Pre(state).requires_grad_(true);
  const torch::Tensor grad = torch::randn_like(pre);
  for (auto _ : state) {
    F(pre, Mix(state)).backward(grad);
    benchmark::DoNotOptimize(pre.grad().data_ptr());
    pre.mutable_grad().reset();
  }
  state.SetItemsProcessed(state.iterations() * pre.numel());
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t mix : {100, 50}) {
    b->Args({2176, 256, mix});
    b->Args({2048, 256, mix});
  }
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Forward<JsRelu>)->Name("Kernel/Forward")->Apply(Sizes);
BENCHMARK(BM_Forward<TorchJsRelu>)->Name("Torch/Forward")->Apply(Sizes);
BENCHMARK(BM_Forward<Relu>)->Name("Relu/Forward")->Apply(Sizes);
BENCHMARK(BM_ForwardBackward<JsRelu>)
    ->Name("Kernel/ForwardBackward")
    ->Apply(Sizes);
BENCHMARK(BM_ForwardBackward<TorchJsRelu>)
    ->Name("Torch/ForwardBackward")
    ->Apply(Sizes);
BENCHMARK(BM_ForwardBackward<Relu>)->Name("Relu/ForwardBackward")->Apply(Sizes);

}  // namespace
}  // namespace sparsity
