#include "models/vision_transformer.h"

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "data/batch.h"
#include "gtest/gtest.h"
#include "models/block.h"
#include "models/model.h"
#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

using torch::indexing::Slice;

constexpr int64_t kDModel = 32, kLayers = 2, kHeads = 4, kDff = 64;

VisionTransformerOptions Options(int64_t patch) {
  return VisionTransformerOptions(kDModel, kLayers, kHeads, kDff, patch,
                                  /*num_classes=*/10);
}

VisionTransformer Make(int64_t patch, uint64_t seed = 0) {
  torch::manual_seed(seed);
  VisionTransformer vit(Options(patch));
  vit->eval();
  return vit;
}

TEST(VisionTransformer, TokensPerPatchSize) {
  EXPECT_EQ(Options(7).patches(), 16);
  EXPECT_EQ(Options(7).tokens(), 17);
  EXPECT_EQ(Options(4).patches(), 49);
  EXPECT_EQ(Options(4).tokens(), 50);
  VisionTransformer vit = Make(7);
  EXPECT_EQ(vit->pos.sizes(), (std::vector<int64_t>{1, 17, kDModel}));
  EXPECT_EQ(vit->cls.sizes(), (std::vector<int64_t>{1, 1, kDModel}));
  EXPECT_EQ(vit->patch_emb->weight.sizes(),
            (std::vector<int64_t>{kDModel, 49}));
  EXPECT_EQ(vit->num_layers(), kLayers);
  EXPECT_EQ(vit->d_ff(), kDff);
  EXPECT_EQ(Make(4)->pos.sizes(), (std::vector<int64_t>{1, 50, kDModel}));
}

TEST(VisionTransformer, ForwardShapes) {
  for (int64_t patch : {7, 4}) {
    VisionTransformer vit = Make(patch);
    const torch::Tensor images = torch::randn({3, 28, 28});
    const torch::Tensor logits = vit->forward(images);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 10})) << patch;
    EXPECT_EQ(logits.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
    // A channel dimension of 1 is accepted and changes nothing.
    const torch::Tensor with_channel = vit->forward(images.unsqueeze(1));
    EXPECT_TRUE(torch::equal(with_channel, logits)) << patch;
    // Logits is forward.
    EXPECT_TRUE(torch::equal(vit->Logits(images, nullptr), logits));
    // Each example is classified on its own (no mixing across the batch).
    const torch::Tensor one = vit->forward(images.slice(0, 1, 2));
    EXPECT_TRUE(torch::allclose(one, logits.slice(0, 1, 2), 1e-5, 1e-6));
  }
}

TEST(VisionTransformer, BadShapesThrow) {
  VisionTransformer vit = Make(7);
  EXPECT_THROW(vit->forward(torch::randn({3, 27, 28})), c10::Error);
  EXPECT_THROW(vit->forward(torch::randn({3, 28, 27})), c10::Error);
  EXPECT_THROW(vit->forward(torch::randn({28, 28})), c10::Error);
  EXPECT_THROW(vit->forward(torch::randn({3, 784})), c10::Error);
  EXPECT_THROW(vit->forward(torch::randn({3, 3, 28, 28})), c10::Error);
  EXPECT_THROW(vit->forward(torch::randn({3, 1, 28, 28, 1})), c10::Error);
  EXPECT_THROW(vit->Patchify(torch::randn({2, 1, 14, 14})), c10::Error);
  // A patch size that does not divide 28.
  EXPECT_THROW(VisionTransformer bad(Options(5)), c10::Error);
  EXPECT_THROW(VisionTransformer bad(Options(0)), c10::Error);
}

// Images whose pixel (r, c) is r * 28 + c (plus 1000 for the second).
torch::Tensor Ramp() {
  const torch::Tensor one =
      torch::arange(28 * 28, torch::kFloat).reshape({28, 28});
  return torch::stack({one, one + 1000});
}

TEST(VisionTransformer, PatchifyIsRowMajorBlocks) {
  VisionTransformer vit = Make(7);
  const torch::Tensor p = vit->Patchify(Ramp());
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{2, 16, 49}));
  // Patch 0: the top-left 7 x 7 block, row-major.
  for (int64_t k = 0; k < 49; ++k) {
    EXPECT_EQ(p[0][0][k].item<float>(), (k / 7) * 28 + k % 7) << k;
    // Patch 1: the next block to the right.
    EXPECT_EQ(p[0][1][k].item<float>(), (k / 7) * 28 + 7 + k % 7) << k;
    // Patch 4: the first block of the second block row (row 7).
    EXPECT_EQ(p[0][4][k].item<float>(), (7 + k / 7) * 28 + k % 7) << k;
  }
  EXPECT_EQ(p[0][0][7].item<float>(), 28);  // row 1, column 0
  EXPECT_EQ(p[0][4][0].item<float>(), 196);
  EXPECT_EQ(p[0][15][48].item<float>(), 783);
  // Every patch, both images.
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t q = 0; q < 16; ++q) {
      for (int64_t k = 0; k < 49; ++k) {
        const float want =
            (q / 4 * 7 + k / 7) * 28 + q % 4 * 7 + k % 7 + 1000 * b;
        ASSERT_EQ(p[b][q][k].item<float>(), want) << b << " " << q << " " << k;
      }
    }
  }
  // [B, 1, 28, 28] gives the same patches.
  EXPECT_TRUE(torch::equal(vit->Patchify(Ramp().unsqueeze(1)), p));
}

TEST(VisionTransformer, PatchifyPatchFour) {
  VisionTransformer vit = Make(4);
  const torch::Tensor p = vit->Patchify(Ramp());
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{2, 49, 16}));
  for (int64_t q = 0; q < 49; ++q) {
    for (int64_t k = 0; k < 16; ++k) {
      const float want = (q / 7 * 4 + k / 4) * 28 + q % 7 * 4 + k % 4;
      ASSERT_EQ(p[0][q][k].item<float>(), want) << q << " " << k;
    }
  }
  EXPECT_EQ(p[0][7][0].item<float>(), 4 * 28);  // patch 7 starts at row 4
}

// Records every event (cloned).
class Recorder : public ActivationObserver {
 public:
  void OnMlp(const MlpEvent& e) override {
    ++mlp_events[e.layer];
    mlp_input[e.layer] = e.input.clone();
    mlp_pre[e.layer] = e.pre.clone();
    mlp_post[e.layer] = e.post.clone();
  }
  void OnAttention(const AttentionEvent& e) override {
    ++attention_events[e.layer];
    probs[e.layer] = e.probs.clone();
  }
  void OnBlock(const BlockEvent& e) override {
    ++block_events[e.layer];
    block[e.layer] = e.output.clone();
  }
  std::map<int, int> mlp_events, attention_events, block_events;
  std::map<int, torch::Tensor> mlp_input, mlp_pre, mlp_post, probs, block;
};

TEST(VisionTransformer, NotCausalLastPatchReachesFirstToken) {
  for (int64_t patch : {7, 4}) {
    VisionTransformer vit = Make(patch, 3);
    const torch::Tensor a = torch::randn({2, 28, 28});
    torch::Tensor b = a.clone();
    // Only the last (bottom-right) patch changes.
    b.index_put_({Slice(), Slice(28 - patch, 28), Slice(28 - patch, 28)},
                 torch::randn({2, patch, patch}));
    ASSERT_FALSE(torch::equal(a, b));
    Recorder ra, rb, ra2;
    vit->forward(a, &ra);
    vit->forward(b, &rb);
    vit->forward(a, &ra2);
    const int64_t tokens = Options(patch).tokens();
    ASSERT_EQ(ra.block[0].sizes(), (std::vector<int64_t>{2, tokens, kDModel}));
    // Deterministic: the same image, the same output.
    EXPECT_TRUE(torch::equal(ra.block[0], ra2.block[0]));
    // Token 1 (the first patch) and token 0 (CLS) see the last patch.
    const torch::Tensor first_a = ra.block[0].select(1, 1);
    const torch::Tensor first_b = rb.block[0].select(1, 1);
    EXPECT_GT((first_a - first_b).abs().max().item<float>(), 1e-6) << patch;
    EXPECT_GT((ra.block[0].select(1, 0) - rb.block[0].select(1, 0))
                  .abs()
                  .max()
                  .item<float>(),
              1e-6);
    // Block 0's MLP input at token 1 already differs (through attention).
    EXPECT_FALSE(torch::equal(ra.mlp_input[0].select(1, 1),
                              rb.mlp_input[0].select(1, 1)));
  }
}

TEST(VisionTransformer, AttentionIsOverAllTokens) {
  for (int64_t patch : {7, 4}) {
    VisionTransformer vit = Make(patch, 4);
    Recorder r;
    vit->forward(torch::randn({3, 28, 28}), &r);
    const int64_t t = Options(patch).tokens();
    ASSERT_EQ(r.probs.size(), static_cast<size_t>(kLayers));
    for (int l = 0; l < kLayers; ++l) {
      EXPECT_EQ(r.attention_events[l], 1);
      const torch::Tensor& p = r.probs[l];
      ASSERT_EQ(p.sizes(), (std::vector<int64_t>{3, kHeads, t, t}));
      EXPECT_TRUE(
          torch::allclose(p.sum(-1), torch::ones({3, kHeads, t}), 1e-5, 1e-5));
      // No mask: every key, also those after the query, gets weight.
      EXPECT_GT(p.min().item<float>(), 0.0f) << patch << " layer " << l;
      // The upper triangle holds about half the mass off the diagonal.
      EXPECT_GT(p.triu(1).sum().item<float>(), 0.25f * 3 * kHeads * t);
    }
  }
}

TEST(VisionTransformer, MlpAndBlockEventsPerLayer) {
  for (int64_t patch : {7, 4}) {
    VisionTransformer vit = Make(patch, 5);
    Recorder r;
    const torch::Tensor images = torch::randn({2, 28, 28});
    const torch::Tensor with = vit->forward(images, &r);
    // Observing attention takes the explicit path: equal to the fused one
    // up to float rounding (models/attention.h).
    EXPECT_TRUE(torch::allclose(with, vit->forward(images), 1e-5, 1e-6));
    const int64_t t = Options(patch).tokens();
    ASSERT_EQ(r.mlp_events.size(), static_cast<size_t>(kLayers));
    ASSERT_EQ(r.block_events.size(), static_cast<size_t>(kLayers));
    for (int l = 0; l < kLayers; ++l) {
      EXPECT_EQ(r.mlp_events[l], 1);
      EXPECT_EQ(r.block_events[l], 1);
      EXPECT_EQ(r.mlp_input[l].sizes(), (std::vector<int64_t>{2, t, kDModel}));
      EXPECT_EQ(r.mlp_post[l].sizes(), (std::vector<int64_t>{2, t, kDff}));
      EXPECT_EQ(r.mlp_pre[l].sizes(), (std::vector<int64_t>{2, t, kDff}));
      EXPECT_GE(r.mlp_post[l].min().item<float>(), 0.0f);
      EXPECT_TRUE(torch::equal(r.mlp_post[l], torch::relu(r.mlp_pre[l])));
      // Some units fire, some do not.
      EXPECT_GT(r.mlp_post[l].gt(0).sum().item<int64_t>(), 0);
      EXPECT_GT(r.mlp_post[l].eq(0).sum().item<int64_t>(), 0);
    }
    // The head reads the CLS token (token 0) of the last block, after ln_f.
    const torch::Tensor cls = r.block[kLayers - 1].select(1, 0);
    const torch::Tensor by_hand = vit->head->forward(vit->ln_f->forward(cls));
    EXPECT_TRUE(torch::allclose(by_hand, with, 1e-5, 1e-6));
    // mlp(layer) is block layer's MLP.
    EXPECT_EQ(vit->mlp(1).fc1->weight.data_ptr(),
              vit->blocks->ptr<BlockImpl>(1)->mlp->fc1->weight.data_ptr());
  }
}

TEST(VisionTransformer, FirstBlockInputIsClsAndEmbeddedPatchesPlusPositions) {
  VisionTransformer vit = Make(7, 6);
  const torch::Tensor images = torch::randn({2, 28, 28});
  Recorder r;
  vit->forward(images, &r);
  // Rebuild block 0's output from the embedding by hand.
  torch::NoGradGuard no_grad;
  const torch::Tensor x =
      torch::cat({vit->cls.expand({2, 1, kDModel}),
                  vit->patch_emb->forward(vit->Patchify(images))},
                 1) +
      vit->pos;
  const torch::Tensor y = vit->blocks->ptr<BlockImpl>(0)->forward(x, 0);
  EXPECT_TRUE(torch::allclose(y, r.block[0], 1e-5, 1e-6));
}

TEST(VisionTransformer, LossAndGradients) {
  VisionTransformer vit = Make(7, 7);
  vit->train();
  const torch::Tensor images = torch::randn({6, 28, 28});
  const torch::Tensor labels = torch::tensor({0, 1, 2, 3, 4, 9}, torch::kLong);
  const Batch batch{images, labels};
  const torch::Tensor loss = vit->Loss(batch, nullptr);
  EXPECT_EQ(loss.dim(), 0);
  ASSERT_TRUE(std::isfinite(loss.item<float>()));
  // Small initial logits: near log(10).
  EXPECT_NEAR(loss.item<float>(), std::log(10.0f), 0.2f);
  // Mean cross-entropy by hand.
  const torch::Tensor logp = torch::log_softmax(vit->forward(images), -1);
  const float by_hand =
      -logp.gather(1, labels.unsqueeze(1)).mean().item<float>();
  EXPECT_NEAR(loss.item<float>(), by_hand, 1e-5);
  // The observer does not change the loss.
  Recorder r;
  EXPECT_EQ(vit->Loss(batch, &r).item<float>(), loss.item<float>());

  loss.backward();
  for (const torch::Tensor& p : {vit->cls, vit->pos, vit->patch_emb->weight,
                                 vit->patch_emb->bias, vit->head->weight}) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
    EXPECT_GT(p.grad().abs().sum().item<float>(), 0.0f);
  }
  // Every position embedding is used.
  EXPECT_GT(vit->pos.grad().abs().sum(-1).min().item<float>(), 0.0f);
  for (const auto& p : vit->parameters()) {
    if (p.requires_grad()) EXPECT_TRUE(p.grad().defined());
  }
}

TEST(VisionTransformer, EvaluateMatchesLossAndArgmaxAccuracy) {
  VisionTransformer vit = Make(7, 8);
  const torch::Tensor images = torch::randn({8, 28, 28});
  const torch::Tensor logits = vit->forward(images);
  const torch::Tensor argmax = logits.argmax(-1);
  // The first 3 targets are the argmax, the other 5 are not: accuracy 3/8.
  std::vector<int64_t> targets;
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t a = argmax[i].item<int64_t>();
    targets.push_back(i < 3 ? a : (a + 1 + i) % 10);
  }
  const Batch batch{images, torch::tensor(targets, torch::kLong)};
  Recorder r;
  const Evaluation e = Evaluate(*vit, batch, &r);
  EXPECT_EQ(e.accuracy, 3.0f / 8.0f);
  EXPECT_NEAR(e.loss, vit->Loss(batch, nullptr).item<float>(), 1e-6);
  EXPECT_EQ(r.mlp_events.size(), static_cast<size_t>(kLayers));

  // Hand-computed accuracy for arbitrary targets.
  const torch::Tensor random = torch::randint(0, 10, {8}, torch::kLong);
  int correct = 0;
  for (int64_t i = 0; i < 8; ++i) {
    correct += random[i].item<int64_t>() == argmax[i].item<int64_t>();
  }
  const Evaluation e2 = Evaluate(*vit, Batch{images, random}, nullptr);
  EXPECT_FLOAT_EQ(e2.accuracy, correct / 8.0f);
  // All correct.
  EXPECT_EQ(Evaluate(*vit, Batch{images, argmax}, nullptr).accuracy, 1.0f);
}

TEST(VisionTransformer, CloneIsADeepCopy) {
  VisionTransformer vit = Make(7, 9);
  const torch::Tensor images = torch::randn({4, 28, 28});
  auto copy = std::dynamic_pointer_cast<VisionTransformerImpl>(vit->clone());
  ASSERT_NE(copy, nullptr);
  const torch::Tensor before = vit->forward(images);
  EXPECT_TRUE(torch::equal(copy->forward(images), before));
  EXPECT_EQ(copy->parameters().size(), vit->parameters().size());
  EXPECT_EQ(copy->options().patch_size(), 7);
  // Changing the original leaves the copy as it was.
  {
    torch::NoGradGuard no_grad;
    vit->cls.add_(1.0);
    vit->pos.add_(0.5);
  }
  EXPECT_FALSE(torch::equal(vit->forward(images), before));
  EXPECT_TRUE(torch::equal(copy->forward(images), before));
}

TEST(VisionTransformer, SeedMakesConstructionDeterministic) {
  VisionTransformer a = Make(7, 11), b = Make(7, 11), c = Make(7, 12);
  const auto pa = a->named_parameters(), pb = b->named_parameters(),
             pc = c->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  bool any_differs = false;
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
    if (!torch::equal(item.value(), pc[item.key()])) any_differs = true;
  }
  EXPECT_TRUE(any_differs);
  // The CLS token and positions are drawn (N(0, 0.02)), not left at zero.
  EXPECT_NEAR(a->pos.std().item<float>(), 0.02f, 0.003f);
  EXPECT_NEAR(a->cls.std().item<float>(), 0.02f, 0.01f);
  EXPECT_FALSE(torch::equal(a->cls, c->cls));
  const torch::Tensor images = torch::randn({2, 28, 28});
  EXPECT_TRUE(torch::equal(a->forward(images), b->forward(images)));
}

TEST(VisionTransformer, PostNormHasNoFinalNorm) {
  torch::manual_seed(13);
  VisionTransformer vit(Options(4).post_norm(true));
  EXPECT_TRUE(vit->ln_f.is_empty());
  Recorder r;
  const torch::Tensor images = torch::randn({2, 28, 28});
  const torch::Tensor logits = vit->forward(images, &r);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 10}));
  // The head reads the last block's CLS output directly.
  EXPECT_TRUE(
      torch::allclose(vit->head->forward(r.block[kLayers - 1].select(1, 0)),
                      logits, 1e-5, 1e-6));
}

}  // namespace
}  // namespace sparsity
