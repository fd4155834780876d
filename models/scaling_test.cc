#include "models/scaling.h"

#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "models/saturated_attention_op.h"
#include "models/transformer_lm.h"

namespace sparsity {
namespace {

TEST(ScaleParameters, BiasFreeNormFreeNetworkScalesByCPowerK) {
  // k = 3 bias-free Linear layers with ReLUs: f(c theta, x) = c^3 f(theta, x),
  // exactly for c = 2 (a power of two scales floats without rounding).
  torch::manual_seed(0);
  torch::nn::Sequential net(
      torch::nn::Linear(torch::nn::LinearOptions(5, 8).bias(false)),
      torch::nn::ReLU(),
      torch::nn::Linear(torch::nn::LinearOptions(8, 8).bias(false)),
      torch::nn::ReLU(),
      torch::nn::Linear(torch::nn::LinearOptions(8, 3).bias(false)));
  const torch::Tensor x = torch::randn({7, 5});
  const torch::Tensor y = net->forward(x);
  ScaleParameters(*net, 2.0);
  EXPECT_TRUE(torch::equal(net->forward(x), y * 8));
  ScaleParameters(*net, 0.5);
  EXPECT_TRUE(torch::equal(net->forward(x), y));
  // With biases two layers are not homogeneous of degree 2.
  torch::nn::Sequential biased(torch::nn::Linear(5, 4), torch::nn::ReLU(),
                               torch::nn::Linear(4, 3));
  const torch::Tensor z = biased->forward(x);
  ScaleParameters(*biased, 2.0);
  EXPECT_FALSE(torch::allclose(biased->forward(x), z * 4));
}

TransformerLMOptions Small() {
  return TransformerLMOptions(/*vocab_size=*/40, /*d_model=*/16,
                              /*n_layers=*/2, /*n_heads=*/2, /*d_ff=*/32,
                              /*max_seq_len=*/12);
}

TEST(ScaledCopy, LeavesTheOriginalUntouched) {
  torch::manual_seed(1);
  TransformerLM lm(Small());
  lm->eval();
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& p : lm->parameters()) before.push_back(p.clone());
  const torch::Tensor tokens = torch::randint(0, 40, {2, 12}, torch::kLong);
  const torch::Tensor logits = lm->forward(tokens);

  std::shared_ptr<Model> big = ScaledCopy(*lm, 1000);
  const std::vector<torch::Tensor> after = lm->parameters();
  const std::vector<torch::Tensor> scaled = big->parameters();
  ASSERT_EQ(after.size(), before.size());
  ASSERT_EQ(scaled.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(torch::equal(after[i], before[i])) << i;
    EXPECT_TRUE(torch::equal(scaled[i], before[i] * 1000)) << i;
    EXPECT_NE(scaled[i].data_ptr(), after[i].data_ptr()) << i;
  }
  EXPECT_TRUE(torch::equal(lm->forward(tokens), logits));
  // The causal mask (a buffer) is not scaled: c = 1 computes the same.
  std::shared_ptr<Model> same = ScaledCopy(*lm, 1);
  same->eval();
  auto* copy = dynamic_cast<TransformerLMImpl*>(same.get());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(torch::equal(copy->forward(tokens), logits));
}

TEST(NoBias, NoLinearBiasesAndFrozenZeroLayerNormBiases) {
  TransformerLM lm(Small().bias(false));
  for (const auto& p : lm->named_parameters()) {
    const std::string& name = p.key();
    const bool is_bias =
        name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (!is_bias) continue;
    EXPECT_NE(name.find("ln"), std::string::npos) << name;  // LayerNorms only
    EXPECT_FALSE(p.value().requires_grad()) << name;
    EXPECT_TRUE(torch::equal(p.value(), torch::zeros_like(p.value()))) << name;
  }
  // One optimiser step moves every trainable tensor and no frozen bias.
  torch::optim::AdamW opt(lm->parameters(), torch::optim::AdamWOptions(0.1));
  const torch::Tensor tokens = torch::randint(0, 40, {2, 12}, torch::kLong);
  Batch batch{tokens, tokens};
  lm->Loss(batch, nullptr).backward();
  opt.step();
  for (const auto& p : lm->named_parameters()) {
    if (!p.value().requires_grad()) {
      EXPECT_TRUE(torch::equal(p.value(), torch::zeros_like(p.value())))
          << p.key();
    }
  }
  // A clone keeps the bias frozen.
  std::shared_ptr<Model> copy = ScaledCopy(*lm, 2);
  for (const auto& p : copy->named_parameters()) {
    if (p.key().find("ln") != std::string::npos &&
        p.key().find("bias") != std::string::npos) {
      EXPECT_FALSE(p.value().requires_grad()) << p.key();
    }
  }
}

TEST(SaturatedAttentionOp, HandBuiltTiesAndMask) {
  // One head, 3 queries x 3 keys, causal: row 0 sees key 0; row 1 ties keys
  // 0 and 1; row 2 has a masked-looking large score on no key (all
  // visible) and ties keys 1 and 2.
  const torch::Tensor scores =
      torch::tensor({5.f, 9.f, 9.f, 2.f, 2.f, 9.f, 0.f, 3.f, 3.f})
          .view({1, 1, 3, 3});
  const torch::Tensor values =
      torch::tensor({1.f, 0.f, 0.f, 1.f, 4.f, 4.f}).view({1, 1, 3, 2});
  torch::NoGradGuard no_grad;
  auto [probs, out] = SaturatedAttentionOp(scores, values, true, 0);
  EXPECT_TRUE(torch::equal(
      probs, torch::tensor({1.f, 0.f, 0.f, .5f, .5f, 0.f, 0.f, .5f, .5f})
                 .view({1, 1, 3, 3})));
  EXPECT_TRUE(torch::allclose(
      out, torch::tensor({1.f, 0.f, .5f, .5f, 2.f, 2.5f}).view({1, 1, 3, 2})));
  // Not causal: row 0 ties keys 1 and 2.
  std::tie(probs, out) = SaturatedAttentionOp(scores, values, false, 0);
  EXPECT_TRUE(torch::equal(probs[0][0][0], torch::tensor({0.f, .5f, .5f})));
  // A tolerance widens the ties: row 2's key 0 is 3 below.
  std::tie(probs, out) = SaturatedAttentionOp(scores, values, true, 3.f);
  EXPECT_TRUE(torch::allclose(probs[0][0][2], torch::full({3}, 1.f / 3)));
}

TEST(SaturatedAttentionOp, EqualsSoftmaxAtLargeScaleOnRandomTiedScores) {
  torch::manual_seed(3);
  // Scores on a grid of 0.25: distinct values differ by >= 0.25, so
  // softmax(200 s) is the limit within exp(-50).
  const torch::Tensor scores =
      torch::randint(0, 9, {2, 3, 7, 7}).to(torch::kFloat) * 0.25f;
  const torch::Tensor values = torch::randn({2, 3, 7, 5});
  const torch::Tensor mask =
      torch::full({7, 7}, -std::numeric_limits<float>::infinity()).triu(1);
  torch::NoGradGuard no_grad;
  for (bool causal : {false, true}) {
    const torch::Tensor s = causal ? scores + mask : scores;
    const torch::Tensor expected =
        torch::softmax(s.to(torch::kDouble) * 200, -1);
    auto [probs, out] = SaturatedAttentionOp(s, values, causal, 0);
    EXPECT_TRUE(torch::allclose(probs.to(torch::kDouble), expected, 0, 1e-7))
        << causal;
    EXPECT_TRUE(torch::allclose(
        out.to(torch::kDouble),
        torch::matmul(expected, values.to(torch::kDouble)), 1e-6, 1e-6))
        << causal;
  }
}

TEST(SaturatedAttentionOp, RejectsGradientsAndBadShapes) {
  const torch::Tensor s = torch::randn({1, 1, 3, 3}, torch::requires_grad());
  const torch::Tensor v = torch::randn({1, 1, 3, 2});
  EXPECT_THROW(SaturatedAttentionOp(s, v, true, 0), c10::Error);
  torch::NoGradGuard no_grad;
  EXPECT_THROW(SaturatedAttentionOp(s, torch::randn({1, 1, 4, 2}), true, 0),
               c10::Error);
  EXPECT_THROW(SaturatedAttentionOp(s, v, true, -1), c10::Error);
}

TEST(SetSaturatedAttention, HeadsAttendUniformlyOverTies) {
  torch::manual_seed(2);
  TransformerLM lm(Small());
  lm->eval();
  SetSaturatedAttention(*lm, true);
  struct Probs : ActivationObserver {
    void OnAttention(const AttentionEvent& e) override {
      all.push_back(e.probs.clone());
    }
    std::vector<torch::Tensor> all;
  } observer;
  torch::NoGradGuard no_grad;
  const torch::Tensor tokens = torch::randint(0, 40, {2, 12}, torch::kLong);
  lm->forward(tokens, &observer);
  ASSERT_EQ(observer.all.size(), 2u);
  for (const torch::Tensor& p : observer.all) {
    // Rows sum to 1; every nonzero weight of a row is 1 / (its count).
    EXPECT_TRUE(torch::allclose(p.sum(-1), torch::ones({2, 2, 12})));
    const torch::Tensor n = (p > 0).sum(-1, /*keepdim=*/true).to(torch::kFloat);
    EXPECT_TRUE(torch::allclose(torch::where(p > 0, p * n, torch::ones_like(p)),
                                torch::ones_like(p)));
    // No weight on a future key.
    EXPECT_EQ(p.triu(1).count_nonzero().item<int64_t>(), 0);
  }
  SetSaturatedAttention(*lm, false);
  observer.all.clear();
  lm->forward(tokens, &observer);
  EXPECT_GT((observer.all[0] > 0).sum().item<int64_t>(), 2 * 2 * 12);
}

}  // namespace
}  // namespace sparsity
