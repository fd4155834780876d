#include "models/mlp.h"

namespace sparsity {

MlpImpl::MlpImpl(const MlpOptions& options)
    : fc1(register_module(
          "fc1", torch::nn::Linear(options.d_model(), options.d_ff()))),
      fc2(register_module(
          "fc2", torch::nn::Linear(options.d_ff(), options.d_model()))) {}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, int layer,
                               ActivationObserver* observer) {
  // torch::linear, not Linear::forward: the C++ frontend's functional linear
  // (1.13) does matmul + add for 3-D inputs, while at::linear flattens them
  // into one fused addmm, as Python's nn.Linear does.
  torch::Tensor pre = torch::linear(x, fc1->weight, fc1->bias);
  torch::Tensor post = torch::relu(pre);
  if (observer != nullptr) observer->OnMlp(layer, pre, post);
  return torch::linear(post, fc2->weight, fc2->bias);
}

}  // namespace sparsity
