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

ActiveGradient ActiveGradientOf(const torch::Tensor& g,
                                const torch::Tensor& post,
                                const torch::Tensor& eta, double near_zero) {
  TORCH_CHECK(g.sizes() == post.sizes() && post.sizes() == eta.sizes(),
              "g, post and eta must have one shape, got ", g.sizes(), ", ",
              post.sizes(), ", ", eta.sizes());
  ActiveGradient out;
  const int64_t width = g.size(-1);
  const torch::Tensor rows = g.detach().reshape({-1, width});
  const torch::Tensor reaches = rows.ne(0).any(1);
  const int64_t tokens = rows.size(0);
  if (tokens == 0) return out;
  out.loss_tokens = reaches.sum().item<double>() / tokens;
  const torch::Tensor a =
      post.detach().reshape({-1, width}).index({reaches}).to(torch::kDouble);
  const torch::Tensor e =
      eta.detach().reshape({-1, width}).index({reaches}).to(torch::kDouble);
  if (a.numel() == 0) return out;
  const torch::Tensor active = a.abs() > near_zero;
  out.active = active.sum().item<int64_t>();
  out.density = static_cast<double>(out.active) / a.numel();
  if (out.active == 0) return out;
  const torch::Tensor active_eta = e.abs().masked_select(active);
  for (size_t i = 0; i < out.below.size(); ++i) {
    out.below[i] = (active_eta < kGradientThresholds[i]).sum().item<double>() /
                   static_cast<double>(out.active);
  }
  return out;
}

}  // namespace sparsity
