#include "models/block.h"

#include "gtest/gtest.h"
#include "models/transformer_lm.h"

namespace sparsity {
namespace {

constexpr int64_t kDModel = 4, kHeads = 2, kDff = 8, kSeq = 5;

Block MakeBlock(const PlugIns& plugins) {
  return Block(
      BlockOptions(kDModel, kHeads, kDff, kSeq).causal(true).plugins(plugins));
}

TEST(PlugIns, ZerothBiasStartsAtZeroAndIsClippedToAFractionOfGamma) {
  Block b = MakeBlock(PlugIns().zeroth_bias(ZerothBias::kMlpInput));
  ASSERT_TRUE(b->zeroth_bias.defined());
  EXPECT_EQ(b->zeroth_bias.sizes(), (std::vector<int64_t>{kSeq, kDModel}));
  EXPECT_EQ(b->zeroth_bias.abs().max().item<float>(), 0.0f);
  torch::NoGradGuard no_grad;
  b->ln2->weight.copy_(torch::tensor({2.0f, -1.0f, 0.5f, 0.0f}));
  b->zeroth_bias.copy_(torch::tensor({{0.5f, 0.5f, 0.5f, 0.5f},
                                      {-0.5f, -0.05f, 0.01f, -1e-3f},
                                      {0.1f, 0.1f, 0.1f, 0.1f},
                                      {0.0f, 0.0f, 0.0f, 0.0f},
                                      {-0.3f, 0.3f, -0.3f, 0.3f}}));
  b->ApplyConstraints(1);
  // |B[t, j]| <= 0.1 |gamma_j|: bounds 0.2, 0.1, 0.05, 0.
  const torch::Tensor want = torch::tensor({{0.2f, 0.1f, 0.05f, 0.0f},
                                            {-0.2f, -0.05f, 0.01f, 0.0f},
                                            {0.1f, 0.1f, 0.05f, 0.0f},
                                            {0.0f, 0.0f, 0.0f, 0.0f},
                                            {-0.2f, 0.1f, -0.05f, 0.0f}});
  EXPECT_TRUE(torch::allclose(b->zeroth_bias, want)) << b->zeroth_bias;
  // A larger clip from the config.
  Block wide = MakeBlock(
      PlugIns().zeroth_bias(ZerothBias::kMlpOutput).zeroth_bias_clip(1.0));
  wide->ln2->weight.fill_(0.5f);
  wide->zeroth_bias.fill_(-2.0f);
  wide->ApplyConstraints(1);
  EXPECT_TRUE(
      torch::allclose(wide->zeroth_bias, torch::full({kSeq, kDModel}, -0.5f)));
}

TEST(PlugIns, RestrictedLayerNormFromScratchHasNoBiasAndGammaAtLeastOne) {
  Block b = MakeBlock(PlugIns().restricted_ln(RestrictedLn::kFromScratch));
  EXPECT_FALSE(b->ln2->bias.requires_grad());
  EXPECT_EQ(b->ln2->bias.abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(b->ln1->bias.requires_grad());  // only the MLP's LayerNorm
  torch::NoGradGuard no_grad;
  b->ln2->weight.copy_(torch::tensor({0.5f, -2.0f, 3.0f, 1.0f}));
  b->ApplyConstraints(7);
  // A signed clamp, as the reference code's: -2 becomes 1.
  EXPECT_TRUE(
      torch::equal(b->ln2->weight, torch::tensor({1.0f, 1.0f, 3.0f, 1.0f})));
}

TEST(PlugIns, RestrictedLayerNormForFinetuningLiftsGammaKeepingItsSign) {
  Block b = MakeBlock(
      PlugIns().restricted_ln(RestrictedLn::kFinetune).restricted_ln_steps(10));
  EXPECT_FALSE(b->ln2->bias.requires_grad());  // frozen, value kept
  torch::NoGradGuard no_grad;
  b->ln2->bias.fill_(0.25f);
  b->ln2->weight.copy_(torch::tensor({0.2f, -0.1f, 0.0f, -3.0f}));
  b->ApplyConstraints(5);  // floor min(5 / 10, 1) = 0.5
  EXPECT_TRUE(torch::allclose(b->ln2->weight,
                              torch::tensor({0.5f, -0.5f, 0.5f, -3.0f})));
  b->ApplyConstraints(30);  // floor 1
  EXPECT_TRUE(torch::allclose(b->ln2->weight,
                              torch::tensor({1.0f, -1.0f, 1.0f, -3.0f})));
  EXPECT_EQ(b->ln2->bias[0].item<float>(), 0.25f);
}

TEST(PlugIns, ZerothBiasIsAddedAtTheChosenPlace) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, kSeq, kDModel});
  for (ZerothBias placement : {ZerothBias::kMlpInput, ZerothBias::kMlpOutput}) {
    Block b = MakeBlock(PlugIns().zeroth_bias(placement));
    {
      torch::NoGradGuard no_grad;
      b->zeroth_bias.normal_();
    }
    const torch::Tensor got = b->forward(x, 0);
    // By hand: the attention half, then the MLP half with B at its place.
    const torch::Tensor y = x + b->attn->forward(b->ln1->forward(x), 0);
    const torch::Tensor bias = b->zeroth_bias.slice(0, 0, kSeq);
    const torch::Tensor want =
        placement == ZerothBias::kMlpInput
            ? y + b->mlp->forward(b->ln2->forward(y) + bias, 0)
            : y + b->mlp->forward(b->ln2->forward(y), 0) + bias;
    EXPECT_TRUE(torch::allclose(got, want, 1e-6, 1e-6));
    // Shorter sequences use the first positions' biases.
    EXPECT_EQ(b->forward(x.slice(1, 0, 3), 0).sizes(),
              (std::vector<int64_t>{2, 3, kDModel}));
  }
}

TEST(Block, ReportsTheResidualStreamBeforeTheMlpLayerNorm) {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({2, kSeq, kDModel});
  struct Recorder : ActivationObserver {
    torch::Tensor residual, input;
    void OnMlpResidual(const ResidualEvent& e) override {
      residual = e.stream.clone();
    }
    void OnMlp(const MlpEvent& e) override { input = e.input.clone(); }
  };
  for (bool post_norm : {false, true}) {
    Block b(BlockOptions(kDModel, kHeads, kDff, kSeq)
                .causal(true)
                .post_norm(post_norm));
    Recorder r;
    b->forward(x, 0, &r);
    ASSERT_TRUE(r.residual.defined());
    if (post_norm) {  // the MLP's input is the normalised stream itself
      EXPECT_TRUE(torch::equal(r.residual, r.input));
    } else {
      const torch::Tensor y = x + b->attn->forward(b->ln1->forward(x), 0);
      EXPECT_TRUE(torch::allclose(r.residual, y, 1e-6, 1e-6));
      EXPECT_TRUE(torch::allclose(r.input, b->ln2->forward(y), 1e-6, 1e-6));
    }
  }
}

TEST(PlugIns, ConstraintsRunThroughTheModelAfterEveryStep) {
  TransformerLMOptions o(/*vocab_size=*/16, kDModel, /*n_layers=*/2, kHeads,
                         kDff, kSeq);
  o.activation(Activation::kJsRelu)
      .plugins(PlugIns()
                   .zeroth_bias(ZerothBias::kMlpInput)
                   .restricted_ln(RestrictedLn::kFromScratch)
                   .mix_steps(4));
  TransformerLM lm(o);
  torch::optim::SGD sgd(lm->parameters(), torch::optim::SGDOptions(10.0));
  const torch::Tensor tokens = torch::randint(0, 16, {3, kSeq + 1});
  const Batch batch{tokens.slice(1, 0, kSeq), tokens.slice(1, 1, kSeq + 1)};
  for (int64_t step = 0; step < 2; ++step) {
    sgd.zero_grad();
    lm->Loss(batch, nullptr).backward();
    sgd.step();
    lm->ApplyConstraints(step);
  }
  for (int64_t l = 0; l < 2; ++l) {
    auto block = lm->blocks->ptr<BlockImpl>(l);
    EXPECT_GE(block->ln2->weight.min().item<float>(), 1.0f);
    EXPECT_EQ(block->ln2->bias.abs().max().item<float>(), 0.0f);
    const torch::Tensor bound = 0.1 * block->ln2->weight.abs();
    EXPECT_TRUE((block->zeroth_bias.abs() <= bound + 1e-7).all().item<bool>());
    EXPECT_GT(block->zeroth_bias.abs().max().item<float>(), 0.0f);
    EXPECT_DOUBLE_EQ(block->mlp->mix_value(), 0.5);  // 2 of 4 steps done
  }
}

TEST(PlugIns, PluginTensorNames) {
  EXPECT_TRUE(IsPlugInTensor("blocks.3.zeroth_bias"));
  EXPECT_TRUE(IsPlugInTensor("blocks.0.mlp.mix"));
  EXPECT_FALSE(IsPlugInTensor("blocks.0.mlp.fc1.weight"));
  EXPECT_FALSE(IsPlugInTensor("blocks.0.ln2.bias"));
}

TEST(PlugIns, ConfigIsValidated) {
  ModelConfig c;
  c.set_vocab_size(16);
  c.set_d_model(4);
  c.set_n_layers(1);
  c.set_n_heads(2);
  c.set_d_ff(8);
  c.set_max_seq_len(8);
  ASSERT_TRUE(ValidateModelConfig(c).ok());
  ModelConfig mix = c;
  mix.mutable_mlp()->set_mix_steps(10);
  EXPECT_NE(ValidateModelConfig(mix).message().find("JSRELU"),
            std::string::npos);
  ModelConfig post = c;
  post.set_post_norm(true);
  post.set_zeroth_bias(ModelConfig::MLP_INPUT);
  EXPECT_NE(ValidateModelConfig(post).message().find("pre-norm"),
            std::string::npos);
  ModelConfig finetune = c;
  finetune.set_restricted_ln(ModelConfig::FINETUNE);
  EXPECT_NE(ValidateModelConfig(finetune).message().find("restricted_ln_steps"),
            std::string::npos);
  finetune.set_restricted_ln_steps(100);
  EXPECT_TRUE(ValidateModelConfig(finetune).ok());
  ModelConfig clip = c;
  clip.set_zeroth_bias_clip(0);
  EXPECT_NE(ValidateModelConfig(clip).message().find("zeroth_bias_clip"),
            std::string::npos);
  const PlugIns p = PlugInsFromConfig(finetune);
  EXPECT_EQ(p.restricted_ln(), RestrictedLn::kFinetune);
  EXPECT_EQ(p.restricted_ln_steps(), 100);
  EXPECT_DOUBLE_EQ(p.zeroth_bias_clip(), 0.1);
}

}  // namespace
}  // namespace sparsity
