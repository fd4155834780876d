#include "metrics/gradient_sparsity.h"

#include <cmath>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(GradientSparsity, FractionsBelowEachThresholdAndNorms) {
  const torch::Tensor eta =
      torch::tensor({0.0, 1e-10, -5e-7, 2e-4, 0.5, -3.0}, torch::kDouble);
  const GradientSparsity s = GradientSparsityOf(eta);
  EXPECT_EQ(s.entries, 6);
  EXPECT_DOUBLE_EQ(s.below[0], 2.0 / 6);  // 0, 1e-10
  EXPECT_DOUBLE_EQ(s.below[1], 3.0 / 6);  // and 5e-7
  EXPECT_DOUBLE_EQ(s.below[2], 4.0 / 6);  // and 2e-4
  EXPECT_DOUBLE_EQ(s.l1, 1e-10 + 5e-7 + 2e-4 + 0.5 + 3.0);
  EXPECT_NEAR(s.l2, std::sqrt(1e-20 + 25e-14 + 4e-8 + 0.25 + 9.0), 1e-12);
  // A threshold is strict: exactly 1e-3 is not below it.
  EXPECT_EQ(GradientSparsityOf(torch::tensor({1e-3}, torch::kDouble)).below[2],
            0.0);
  EXPECT_EQ(GradientSparsityOf(torch::zeros({0})).entries, 0);
}

TEST(GradientSparsity, DerivativesOfEachActivation) {
  const torch::Tensor pre =
      torch::tensor({-1.0, -1e-9, 0.0, 1e-9, 2.0}, torch::kDouble);
  const MlpOptions relu(1, 5);
  const MlpOptions js = MlpOptions(1, 5).activation(Activation::kJsRelu);
  const torch::Tensor post = Activate(pre, relu);
  EXPECT_TRUE(
      torch::equal(ActivationDerivative(pre, post, relu, 1),
                   torch::tensor({0.0, 0.0, 0.0, 1.0, 1.0}, torch::kDouble)));
  // JSReLU: x + 1 on x >= 0, so 1 at 0 (the jump) and 3 at 2.
  EXPECT_TRUE(torch::allclose(
      ActivationDerivative(pre, post, js, 1),
      torch::tensor({0.0, 0.0, 1.0, 1.0 + 1e-9, 3.0}, torch::kDouble)));
  // The mix: k = 0 is ReLU's, k = 1 JSReLU's, k = 0.5 halfway.
  EXPECT_TRUE(torch::equal(ActivationDerivative(pre, post, js, 0),
                           ActivationDerivative(pre, post, relu, 1)));
  EXPECT_DOUBLE_EQ(ActivationDerivative(pre, post, js, 0.5)[4].item<double>(),
                   0.5 * 1 + 0.5 * 3);
  EXPECT_DOUBLE_EQ(ActivationDerivative(pre, post, js, 0.5)[2].item<double>(),
                   0.5);
  // Top-k: 1 where the output kept the entry.
  const MlpOptions topk =
      MlpOptions(1, 5).activation(Activation::kTopKRelu).topk(1);
  const torch::Tensor kept = Activate(pre.unsqueeze(0), topk).squeeze(0);
  EXPECT_TRUE(
      torch::equal(ActivationDerivative(pre, kept, topk, 1),
                   torch::tensor({0.0, 0.0, 0.0, 0.0, 1.0}, torch::kDouble)));
}

TEST(GradientSparsity, EffectiveGradientIsTheChainRule) {
  // eta = g * f'(pre) equals autograd's gradient at the pre-activation.
  torch::manual_seed(5);
  for (double mix : {0.0, 0.3, 1.0}) {
    const MlpOptions js = MlpOptions(1, 16).activation(Activation::kJsRelu);
    torch::Tensor pre =
        torch::randn({4, 16}, torch::dtype(torch::kDouble).requires_grad(true));
    torch::Tensor post = Activate(pre, js, mix);
    const torch::Tensor w = torch::randn({4, 16}, torch::kDouble);
    const auto grads = torch::autograd::grad({(post * w).sum()}, {pre, post});
    // dL/dpost = w; dL/dpre by autograd.
    EXPECT_TRUE(torch::allclose(grads[1], w));
    EXPECT_TRUE(torch::allclose(
        EffectiveGradient(w, pre.detach(), post.detach(), js, mix), grads[0]));
  }
  EXPECT_THROW(EffectiveGradient(torch::zeros({2}), torch::zeros({3}),
                                 torch::zeros({3}), MlpOptions(1, 3), 1),
               c10::Error);
}

TEST(GradientSparsity, ActiveGradientCountsOnlyTokensThatReachTheLoss) {
  // Three tokens of d_ff 4: token 1's gradient is identically zero (it does
  // not reach the loss, like a ViT's patch tokens in the last block).
  const torch::Tensor g = torch::tensor(
      {{1.0, 2.0, 1e-7, 3.0}, {0.0, 0.0, 0.0, 0.0}, {1e-10, 1.0, 1.0, 1.0}},
      torch::kDouble);
  const torch::Tensor post = torch::tensor(
      {{0.0, 1.0, 2.0, 0.0}, {5.0, 5.0, 5.0, 5.0}, {1.0, 1.0, 0.0, 1e-7}},
      torch::kDouble);
  const torch::Tensor eta = g * (post > 0).to(torch::kDouble);
  const ActiveGradient a = ActiveGradientOf(g, post, eta, 1e-6);
  EXPECT_DOUBLE_EQ(a.loss_tokens, 2.0 / 3);
  // Active (|a| > 1e-6) on tokens 0 and 2: 1.0, 2.0 and 1.0, 1.0.
  EXPECT_EQ(a.active, 4);
  EXPECT_DOUBLE_EQ(a.density, 4.0 / 8);
  // Their eta: 2, 1e-7, 1e-10, 1: one below 1e-9, two below 1e-6.
  EXPECT_DOUBLE_EQ(a.below[0], 1.0 / 4);
  EXPECT_DOUBLE_EQ(a.below[1], 2.0 / 4);
  // The full fraction counts the activation zeros and the token that does
  // not reach the loss too: 9 of 12 below 1e-6.
  EXPECT_DOUBLE_EQ(GradientSparsityOf(eta).below[1], 9.0 / 12);
}

}  // namespace
}  // namespace sparsity
