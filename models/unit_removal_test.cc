#include "models/unit_removal.h"

#include <map>

#include "gtest/gtest.h"
#include "models/transformer_lm.h"

namespace sparsity {
namespace {

// Records each MLP's post-activation matrix.
class Capture : public ActivationObserver {
 public:
  void OnMlp(const MlpEvent& e) override { post[e.layer] = e.post.clone(); }
  std::map<int, torch::Tensor> post;
};

TEST(RemovedUnits, RemovesExactlyTheUnitsContributionAndRestores) {
  torch::manual_seed(0);
  TransformerLM lm(TransformerLMOptions(16, 8, 2, 2, 12, 6));
  MlpImpl& mlp = lm->mlp(1);
  const torch::Tensor x = torch::randn({2, 3, 8});
  Capture cap;
  const torch::Tensor full = mlp.forward(x, 1, &cap);
  const torch::Tensor h = cap.post[1];
  const torch::Tensor w2 = mlp.fc2->weight.clone();  // [d_model, d_ff]
  const torch::Tensor w2_layer0 = lm->mlp(0).fc2->weight.clone();
  torch::Tensor without;
  {
    RemovedUnits removed(*lm, {{}, {3, 7}});
    without = mlp.forward(x, 1, nullptr);
    // Layer 0 untouched.
    EXPECT_TRUE(torch::equal(lm->mlp(0).fc2->weight, w2_layer0));
  }
  // full - without = the two units' activations times their fc2 columns.
  const torch::Tensor contribution =
      h.index({"...", 3}).unsqueeze(-1) *
          w2.index({torch::indexing::Slice(), 3}) +
      h.index({"...", 7}).unsqueeze(-1) *
          w2.index({torch::indexing::Slice(), 7});
  EXPECT_TRUE(torch::allclose(full - without, contribution, 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(full, without));
  // Restored exactly.
  EXPECT_TRUE(torch::equal(mlp.fc2->weight, w2));
  EXPECT_TRUE(torch::equal(mlp.forward(x, 1, nullptr), full));
}

TEST(RemovedUnits, RejectsMoreLayersThanTheModelHas) {
  TransformerLM lm(TransformerLMOptions(16, 8, 1, 2, 12, 6));
  EXPECT_THROW(RemovedUnits(*lm, {{}, {1}}), c10::Error);
}

}  // namespace
}  // namespace sparsity
