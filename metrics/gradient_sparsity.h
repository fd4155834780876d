// Gradient sparsity of an MLP layer ([P]; docs/method.md, "Gradient
// sparsity"): with g = dL/d(activation output) and the pre-activation x,
// eta = g * f'(x), the gradient that reaches the pre-activation. Reported:
// the fraction of entries with |eta| below each of 1e-9, 1e-6 and 1e-3, and
// the l1 and l2 norms of eta over the layer's [tokens, d_ff] matrix.
//
//   torch::Tensor eta = EffectiveGradient(g, pre, post, options, mix);
//   GradientSparsity s = GradientSparsityOf(eta);
//   s.below[1];   // fraction of |eta| < 1e-6
#ifndef SPARSITY_METRICS_GRADIENT_SPARSITY_H_
#define SPARSITY_METRICS_GRADIENT_SPARSITY_H_

#include <array>
#include <cstdint>

#include "models/mlp.h"
#include "torch/torch.h"

namespace sparsity {

inline constexpr std::array<double, 3> kGradientThresholds = {1e-9, 1e-6, 1e-3};

struct GradientSparsity {
  std::array<double, 3> below = {0, 0, 0};  // fraction of |eta| < threshold
  double l1 = 0;                            // sum |eta|
  double l2 = 0;                            // sqrt(sum eta^2)
  int64_t entries = 0;
};

// The derivative of the activation at `pre` (elementwise, same shape):
// ReLU 1[x > 0]; J-SquaredReLU (x + 1) 1[x >= 0], jumping from 0 to 1 at
// 0; their mix (1 - k) ReLU' + k JSReLU'; Top-k ReLU 1 where `post` kept
// the entry (post > 0).
torch::Tensor ActivationDerivative(const torch::Tensor& pre,
                                   const torch::Tensor& post,
                                   const MlpOptions& options, double mix);

// eta = g * f'(pre).
torch::Tensor EffectiveGradient(const torch::Tensor& g,
                                const torch::Tensor& pre,
                                const torch::Tensor& post,
                                const MlpOptions& options, double mix);

// Fractions below kGradientThresholds and the norms, over every entry of
// `eta` (any shape, any device; computed in double).
GradientSparsity GradientSparsityOf(const torch::Tensor& eta);

// Gradient sparsity beyond the activation zeros: where f' is 0 (ReLU and
// JSReLU below 0) eta is 0 whatever the gradient, so the full fraction of
// small |eta| contains the activation zeros by construction. Measured on
// the tokens that reach the loss (rows of g = dL/d(activation output) that
// are not identically zero: in a ViT's last block only the class token)
// and, among them, on the active entries (|post| > near_zero).
struct ActiveGradient {
  double loss_tokens = 0;  // share of the tokens that reach the loss
  double density = 0;      // active share of their entries
  int64_t active = 0;      // active entries counted
  // Fractions of the active entries with |eta| below kGradientThresholds[0]
  // and [1] (1e-9, 1e-6); 0 without active entries.
  std::array<double, 2> below = {0, 0};
};
// g, post and eta share one shape [..., d_ff].
ActiveGradient ActiveGradientOf(const torch::Tensor& g,
                                const torch::Tensor& post,
                                const torch::Tensor& eta, double near_zero);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_GRADIENT_SPARSITY_H_
