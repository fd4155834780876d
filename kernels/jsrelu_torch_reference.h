// The LibTorch expression of J-SquaredReLU and the ReLU -> JSReLU mix, the
// reference the JSReLU kernel and op are tested and timed against (and what
// the model computed before the fused op).
#ifndef SPARSITY_KERNELS_JSRELU_TORCH_REFERENCE_H_
#define SPARSITY_KERNELS_JSRELU_TORCH_REFERENCE_H_

#include "torch/torch.h"

namespace sparsity {

// (1 - mix) relu(x) + mix where(x >= 0, x * x * 0.5 + x, 0); mix <= 0 is
// torch::relu, mix >= 1 the where() alone. Differentiable by autograd.
inline torch::Tensor TorchJsRelu(const torch::Tensor& x, double mix) {
  if (mix <= 0) return torch::relu(x);
  const torch::Tensor js =
      torch::where(x >= 0, x * x * 0.5 + x, torch::zeros_like(x));
  if (mix >= 1) return js;
  return (1 - mix) * torch::relu(x) + mix * js;
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_JSRELU_TORCH_REFERENCE_H_
