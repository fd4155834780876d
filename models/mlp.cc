#include "models/mlp.h"

namespace sparsity {

MlpImpl::MlpImpl(const MlpOptions& options)
    : fc1(register_module(
          "fc1", torch::nn::Linear(options.d_model(), options.d_ff()))),
      fc2(register_module(
          "fc2", torch::nn::Linear(options.d_ff(), options.d_model()))) {}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, int layer,
                               ActivationObserver* observer) {
  torch::Tensor pre = fc1->forward(x);
  torch::Tensor post = torch::relu(pre);
  if (observer != nullptr) observer->OnMlp(layer, pre, post);
  return fc2->forward(post);
}

}  // namespace sparsity
