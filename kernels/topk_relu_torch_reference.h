// The LibTorch expression of Top-k ReLU (relu, topk, scatter), the
// reference the Top-k kernel and op are tested and timed against.
#ifndef SPARSITY_KERNELS_TOPK_RELU_TORCH_REFERENCE_H_
#define SPARSITY_KERNELS_TOPK_RELU_TORCH_REFERENCE_H_

#include <algorithm>
#include <cstdint>

#include "torch/torch.h"

namespace sparsity {

// y = relu(x) at torch::topk's k largest entries, 0 elsewhere: the
// LibTorch expression the op replaces (tests and the benchmark).
inline torch::Tensor TorchTopkRelu(const torch::Tensor& x, int64_t k) {
  const torch::Tensor post = torch::relu(x);
  const torch::Tensor keep =
      std::get<1>(post.topk(std::min(k, x.size(-1)), /*dim=*/-1));
  return torch::zeros_like(post).scatter(-1, keep, post.gather(-1, keep));
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_TOPK_RELU_TORCH_REFERENCE_H_
