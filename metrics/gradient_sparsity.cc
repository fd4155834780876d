#include "metrics/gradient_sparsity.h"

#include "models/jsrelu_op.h"

namespace sparsity {

torch::Tensor ActivationDerivative(const torch::Tensor& pre,
                                   const torch::Tensor& post,
                                   const MlpOptions& options, double mix) {
  switch (options.activation()) {
    case Activation::kRelu:
      return (pre > 0).to(pre.scalar_type());
    case Activation::kTopKRelu:
      return (post > 0).to(pre.scalar_type());
    case Activation::kJsRelu:  // the op's own backward, at a gradient of 1
      return JsReluBackward(pre, torch::ones_like(pre), mix);
  }
  TORCH_CHECK(false, "unknown activation");
}

torch::Tensor EffectiveGradient(const torch::Tensor& g,
                                const torch::Tensor& pre,
                                const torch::Tensor& post,
                                const MlpOptions& options, double mix) {
  TORCH_CHECK(g.sizes() == pre.sizes() && pre.sizes() == post.sizes(),
              "g, pre and post must have one shape, got ", g.sizes(), ", ",
              pre.sizes(), ", ", post.sizes());
  return g * ActivationDerivative(pre, post, options, mix);
}

GradientSparsity GradientSparsityOf(const torch::Tensor& eta) {
  GradientSparsity s;
  const torch::Tensor a = eta.detach().to(torch::kDouble).abs().flatten();
  s.entries = a.numel();
  if (s.entries == 0) return s;
  TORCH_CHECK(torch::isfinite(a).all().item<bool>(),
              "the gradient holds NaN or infinite entries");
  for (size_t i = 0; i < kGradientThresholds.size(); ++i) {
    s.below[i] = (a < kGradientThresholds[i]).sum().item<double>() /
                 static_cast<double>(s.entries);
  }
  s.l1 = a.sum().item<double>();
  s.l2 = a.square().sum().sqrt().item<double>();
  return s;
}

}  // namespace sparsity
