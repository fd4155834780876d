#include "models/transformer_lm.h"

#include <map>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TransformerLMOptions SmallOptions() {
  return TransformerLMOptions(/*vocab_size=*/50, /*d_model=*/32,
                              /*n_layers=*/3, /*n_heads=*/4, /*d_ff=*/64,
                              /*max_seq_len=*/16);
}

// Changing a later token must not change the outputs at earlier positions.
void ExpectCausal(const TransformerLMOptions& options) {
  torch::manual_seed(0);
  TransformerLM lm(options);
  lm->eval();
  torch::Tensor a = torch::randint(0, 50, {2, 12}, torch::kLong);
  torch::Tensor b = a.clone();
  b.index_put_({torch::indexing::Slice(), 8}, (a.select(1, 8) + 1) % 50);
  torch::Tensor la = lm->forward(a), lb = lm->forward(b);
  using torch::indexing::Slice;
  EXPECT_TRUE(torch::equal(la.index({Slice(), Slice(0, 8)}),
                           lb.index({Slice(), Slice(0, 8)})));
  EXPECT_FALSE(torch::allclose(la.index({Slice(), Slice(8, 12)}),
                               lb.index({Slice(), Slice(8, 12)})));
}

TEST(TransformerLM, CausalPreNorm) { ExpectCausal(SmallOptions()); }
TEST(TransformerLM, CausalPostNormTiedHead) {
  ExpectCausal(SmallOptions().post_norm(true).tied_head(true));
}

class RecordingObserver : public ActivationObserver {
 public:
  void OnMlp(int layer, const torch::Tensor& pre,
             const torch::Tensor& post) override {
    mlp_shapes[layer] = post.sizes().vec();
    EXPECT_EQ(pre.sizes(), post.sizes());
    EXPECT_TRUE(torch::equal(post, torch::relu(pre)));
  }
  void OnAttention(int layer, const torch::Tensor& probs) override {
    attn_shapes[layer] = probs.sizes().vec();
    // Rows sum to one; keys after the query get exactly zero.
    EXPECT_TRUE(
        torch::allclose(probs.sum(-1), torch::ones_like(probs.sum(-1))));
    EXPECT_EQ(probs.triu(1).abs().max().item<float>(), 0.0f);
  }
  std::map<int, std::vector<int64_t>> mlp_shapes, attn_shapes;
};

TEST(TransformerLM, ObserverSeesEveryLayerWithRightShapes) {
  torch::manual_seed(1);
  TransformerLM lm(SmallOptions());
  RecordingObserver obs;
  torch::Tensor tokens = torch::randint(0, 50, {2, 10}, torch::kLong);
  torch::Tensor with = lm->forward(tokens, &obs);
  torch::Tensor without = lm->forward(tokens);
  EXPECT_TRUE(torch::equal(with, without));
  EXPECT_EQ(with.sizes(), (std::vector<int64_t>{2, 10, 50}));
  ASSERT_EQ(obs.mlp_shapes.size(), 3u);
  ASSERT_EQ(obs.attn_shapes.size(), 3u);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(obs.mlp_shapes[l], (std::vector<int64_t>{2, 10, 64}));
    EXPECT_EQ(obs.attn_shapes[l], (std::vector<int64_t>{2, 4, 10, 10}));
  }
}

TEST(TransformerLM, LossAtInitIsNearLogVocab) {
  torch::manual_seed(2);
  TransformerLM lm(SmallOptions());
  torch::Tensor batch = torch::randint(0, 50, {4, 13}, torch::kLong);
  const float loss = lm->NextTokenLoss(batch).item<float>();
  EXPECT_NEAR(loss, std::log(50.0f), 0.3f);
}

TEST(TransformerLM, ParameterCountMatchesFormula) {
  TransformerLM lm(SmallOptions());
  const int64_t d = 32, f = 64, v = 50, s = 16, l = 3;
  const int64_t per_block = (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) +
                            (f * d + d) + 2 * (2 * d);
  EXPECT_EQ(lm->NumParameters(), v * d + s * d + l * per_block + 2 * d + d * v);
}

TEST(ValidateModelConfig, RejectsBadSizes) {
  ModelConfig c;
  c.set_vocab_size(256);
  c.set_d_model(30);
  c.set_n_layers(2);
  c.set_n_heads(4);
  c.set_d_ff(64);
  c.set_max_seq_len(16);
  absl::Status s = ValidateModelConfig(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("divisible"), std::string::npos) << s;
  c.set_d_model(32);
  EXPECT_TRUE(ValidateModelConfig(c).ok());
  c.set_d_ff(0);
  EXPECT_NE(ValidateModelConfig(c).message().find("model.d_ff"),
            std::string::npos);
  c.set_d_ff(64);
  c.set_n_layers(-1);
  EXPECT_FALSE(ValidateModelConfig(c).ok());
}

}  // namespace
}  // namespace sparsity
