#include "models/mlp.h"

#include <algorithm>

#include "ATen/record_function.h"
#include "models/jsrelu_op.h"
#include "models/topk_relu_op.h"

namespace sparsity {

torch::Tensor Activate(const torch::Tensor& pre, const MlpOptions& options,
                       double mix) {
  switch (options.activation()) {
    case Activation::kRelu:
      return torch::relu(pre);
    case Activation::kTopKRelu:
      return TopkRelu(pre, options.topk());
    case Activation::kJsRelu:
      return JsRelu(pre, mix);
  }
  TORCH_CHECK(false, "unknown activation");
}

double RampAfter(int64_t steps_done, int64_t steps) {
  if (steps <= 0) return 1.0;
  return std::min(1.0,
                  static_cast<double>(steps_done) / static_cast<double>(steps));
}

MlpImpl::MlpImpl(const MlpOptions& options) : options_(options) { reset(); }

void MlpImpl::reset() {
  TORCH_CHECK(
      options_.activation() != Activation::kTopKRelu || options_.topk() > 0,
      "Top-k ReLU needs topk > 0, got ", options_.topk());
  TORCH_CHECK(
      options_.mix_steps() == 0 || options_.activation() == Activation::kJsRelu,
      "an activation mix needs J-SquaredReLU");
  fc1 = register_module(
      "fc1", torch::nn::Linear(
                 torch::nn::LinearOptions(options_.d_model(), options_.d_ff())
                     .bias(options_.bias())));
  fc2 = register_module(
      "fc2", torch::nn::Linear(
                 torch::nn::LinearOptions(options_.d_ff(), options_.d_model())
                     .bias(options_.bias())));
  if (options_.mix_steps() > 0) {
    mix = register_buffer("mix", torch::zeros({}));
  }
}

void MlpImpl::SetStepsDone(int64_t steps_done) {
  if (!mix.defined()) return;
  torch::NoGradGuard no_grad;
  mix.fill_(RampAfter(steps_done, options_.mix_steps()));
}

double MlpImpl::mix_value() const {
  return mix.defined() ? mix.item<double>() : 1.0;
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x, int layer,
                               ActivationObserver* observer) {
  RECORD_USER_SCOPE("mlp");  // for profilers (bench/step_profile.h)
  // torch::linear (at::linear), not Linear::forward: the C++ frontend's
  // F::linear, which Linear::forward calls, still does matmul + add for 3-D
  // inputs in LibTorch 2.11, while at::linear flattens them into one fused
  // addmm, as Python's nn.Linear does.
  torch::Tensor pre = torch::linear(x, fc1->weight, fc1->bias);
  torch::Tensor post = Activate(pre, options_, mix_value());
  if (observer != nullptr) observer->OnMlp(MlpEvent{layer, x, pre, post});
  return torch::linear(post, fc2->weight, fc2->bias);
}

}  // namespace sparsity
