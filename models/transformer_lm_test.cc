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

class MlpObserver : public ActivationObserver {
 public:
  bool WantsAttention() const override { return false; }
  void OnMlp(const MlpEvent& e) override { ++events; }
  int events = 0;
};

class RecordingObserver : public ActivationObserver {
 public:
  void OnMlp(const MlpEvent& e) override {
    mlp_shapes[e.layer] = e.post.sizes().vec();
    EXPECT_EQ(e.pre.sizes(), e.post.sizes());
    EXPECT_TRUE(torch::equal(e.post, torch::relu(e.pre)));
  }
  void OnBlock(const BlockEvent& e) override { ++blocks_seen; }
  void OnAttention(const AttentionEvent& e) override {
    const torch::Tensor& probs = e.probs;
    attn_shapes[e.layer] = probs.sizes().vec();
    // Rows sum to one; keys after the query get exactly zero.
    EXPECT_TRUE(
        torch::allclose(probs.sum(-1), torch::ones_like(probs.sum(-1))));
    EXPECT_EQ(probs.triu(1).abs().max().item<float>(), 0.0f);
  }
  std::map<int, std::vector<int64_t>> mlp_shapes, attn_shapes;
  int blocks_seen = 0;
};

TEST(TransformerLM, ObserverSeesEveryLayerWithRightShapes) {
  torch::manual_seed(1);
  TransformerLM lm(SmallOptions());
  RecordingObserver obs;
  torch::Tensor tokens = torch::randint(0, 50, {2, 10}, torch::kLong);
  torch::Tensor with = lm->forward(tokens, &obs);
  torch::Tensor without = lm->forward(tokens);
  // Observing attention takes the explicit path: equal to the fused one up
  // to float rounding (models/attention.h). An observer that does not ask
  // for attention changes nothing at all.
  EXPECT_TRUE(torch::allclose(with, without, 1e-5, 1e-6));
  MlpObserver mlp_only;
  EXPECT_TRUE(torch::equal(lm->forward(tokens, &mlp_only), without));
  EXPECT_EQ(with.sizes(), (std::vector<int64_t>{2, 10, 50}));
  ASSERT_EQ(obs.mlp_shapes.size(), 3u);
  ASSERT_EQ(obs.attn_shapes.size(), 3u);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(obs.mlp_shapes[l], (std::vector<int64_t>{2, 10, 64}));
    EXPECT_EQ(obs.attn_shapes[l], (std::vector<int64_t>{2, 4, 10, 10}));
  }
  EXPECT_EQ(obs.blocks_seen, 3);
}

TEST(TransformerLM, LossAtInitIsNearLogVocab) {
  torch::manual_seed(2);
  TransformerLM lm(SmallOptions());
  torch::Tensor batch = torch::randint(0, 50, {4, 13}, torch::kLong);
  const float loss = lm->Loss(NextTokenBatch(batch), nullptr).item<float>();
  EXPECT_NEAR(loss, std::log(50.0f), 0.3f);
}

TEST(TransformerLM, ParameterCountMatchesFormula) {
  TransformerLM lm(SmallOptions());
  const int64_t d = 32, f = 64, v = 50, s = 16, l = 3;
  const int64_t per_block = (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) +
                            (f * d + d) + 2 * (2 * d);
  EXPECT_EQ(lm->NumParameters(), v * d + s * d + l * per_block + 2 * d + d * v);
}

TEST(TransformerLM, CloneIsADeepCopy) {
  torch::manual_seed(3);
  TransformerLM lm(SmallOptions());
  auto copy = std::dynamic_pointer_cast<TransformerLMImpl>(lm->clone());
  ASSERT_NE(copy, nullptr);
  torch::Tensor tokens = torch::randint(0, 50, {2, 10}, torch::kLong);
  EXPECT_TRUE(torch::equal(lm->forward(tokens), copy->forward(tokens)));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : copy->parameters()) p.mul_(2);
  }
  EXPECT_FALSE(torch::equal(lm->forward(tokens), copy->forward(tokens)));
}

TEST(InitGpt2, ResidualProjectionsAreScaledByDepth) {
  torch::manual_seed(4);
  TransformerLM lm(TransformerLMOptions(256, 256, 8, 4, 1024, 16));
  const double residual = 0.02 / std::sqrt(16.0);
  auto* block = lm->blocks[0]->as<BlockImpl>();
  EXPECT_NEAR(block->mlp->fc1->weight.std().item<double>(), 0.02, 0.001);
  EXPECT_NEAR(block->mlp->fc2->weight.std().item<double>(), residual, 0.0005);
  EXPECT_NEAR(block->attn->proj->weight.std().item<double>(), residual, 0.0005);
  EXPECT_NEAR(lm->tok_emb->weight.std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(block->mlp->fc1->bias.abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(block->ln1->weight, torch::ones({256})));
}

TEST(TransformerLM, IsAModel) {
  TransformerLM lm(SmallOptions());
  std::shared_ptr<Model> model = lm.ptr();
  EXPECT_EQ(model->num_layers(), 3);
  EXPECT_EQ(model->d_ff(), 64);
  EXPECT_EQ(model->device(), torch::Device(torch::kCPU));
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
  c.set_n_layers(2);
  c.set_d_ff(kMaxUnits + 1);
  EXPECT_NE(ValidateModelConfig(c).message().find("at most"),
            std::string::npos);
  c.set_d_ff(64);
  c.mutable_mlp()->set_activation(MlpConfig::TOPK_RELU);
  EXPECT_NE(ValidateModelConfig(c).message().find("model.mlp.topk"),
            std::string::npos);
  c.mutable_mlp()->set_topk(8);
  EXPECT_TRUE(ValidateModelConfig(c).ok());
}

}  // namespace
}  // namespace sparsity
