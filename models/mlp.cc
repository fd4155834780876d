#include "models/mlp.h"

#include "models/topk_relu_op.h"

namespace sparsity {

torch::Tensor Activate(const torch::Tensor& pre, const MlpOptions& options) {
  switch (options.activation()) {
    case Activation::kRelu:
      return torch::relu(pre);
    case Activation::kTopKRelu:
      return TopkRelu(pre, options.topk());
    case Activation::kJsRelu:
      return torch::where(pre >= 0, pre * pre * 0.5 + pre,
                          torch::zeros_like(pre));
  }
  TORCH_CHECK(false, "unknown activation");
}

MlpImpl::MlpImpl(const MlpOptions& options) : options_(options) { reset(); }

void MlpImpl::reset() {
  TORCH_CHECK(
      options_.activation() != Activation::kTopKRelu || options_.topk() > 0,
      "Top-k ReLU needs topk > 0, got ", options_.topk());
  fc1 = register_module(
      "fc1", torch::nn::Linear(
                 torch::nn::LinearOptions(options_.d_model(), options_.d_ff())
                     .bias(options_.bias())));
  fc2 = register_module(
      "fc2", torch::nn::Linear(
                 torch::nn::LinearOptions(options_.d_ff(), options_.d_model())
                     .bias(options_.bias())));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, int layer,
                               ActivationObserver* observer) {
  // torch::linear, not Linear::forward: the C++ frontend's functional linear
  // (1.13) does matmul + add for 3-D inputs, while at::linear flattens them
  // into one fused addmm, as Python's nn.Linear does.
  torch::Tensor pre = torch::linear(x, fc1->weight, fc1->bias);
  torch::Tensor post = Activate(pre, options_);
  if (observer != nullptr) observer->OnMlp(MlpEvent{layer, x, pre, post});
  return torch::linear(post, fc2->weight, fc2->bias);
}

}  // namespace sparsity
