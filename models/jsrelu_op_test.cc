// JsRelu on tensors: values and gradients against the LibTorch expression,
// a gradcheck in double, layouts, threads and bad input.
#include "models/jsrelu_op.h"

#include "gtest/gtest.h"
#include "kernels/jsrelu_torch_reference.h"
#include "models/gradcheck_test_util.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

TEST(JsRelu, ForwardAndGradientEqualTheTorchExpression) {
  torch::manual_seed(1);
  for (torch::ScalarType type : {torch::kFloat, torch::kDouble}) {
    for (double mix : {0.0, 0.3, 1.0}) {
      // A ViT step's MLP activations: [128 images, 17 tokens, d_ff 256], with
      // exact zeros.
      torch::Tensor x0 = torch::randn({128, 17, 256}, type);
      x0.index_put_({torch::indexing::Slice(), 0}, 0.0);
      const torch::Tensor g = torch::randn_like(x0);
      torch::Tensor a = x0.clone().requires_grad_(true);
      torch::Tensor b = x0.clone().requires_grad_(true);
      const torch::Tensor ya = JsRelu(a, mix);
      const torch::Tensor yb = TorchJsRelu(b, mix);
      EXPECT_TRUE(torch::equal(ya, yb)) << "mix " << mix;
      ya.backward(g);
      yb.backward(g);
      EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-6, 0))
          << "mix " << mix;
      // The op's backward is the derivative itself at a gradient of 1.
      EXPECT_TRUE(
          torch::allclose(JsReluBackward(x0, torch::ones_like(x0), mix) * g,
                          a.grad(), 1e-6, 0));
    }
  }
}

// gradcheck in double, away from the kink at 0.
TEST(JsRelu, GradcheckInDouble) {
  torch::manual_seed(2);
  for (double mix : {0.0, 0.4, 1.0}) {
    torch::Tensor x0 = torch::randn({3, 12}, torch::kDouble);
    x0 = x0 + x0.sign() * 0.01;  // nothing within 0.01 of 0
    const torch::Tensor v = torch::randn({3, 12}, torch::kDouble);
    ExpectGradientMatchesCentralDifferences(
        [&](const torch::Tensor& x) { return JsRelu(x, mix); }, x0, v,
        "mix " + std::to_string(mix));
  }
}

TEST(JsRelu, LayoutsThreadsAndEmptyTensors) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({64, 300}).t();  // non-contiguous
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(torch::equal(JsRelu(x, 0.7), TorchJsRelu(x, 0.7)));
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const torch::Tensor big = torch::randn({2176, 256});
  const torch::Tensor one_thread = JsRelu(big);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(JsRelu(big), one_thread));
  EXPECT_EQ(JsRelu(torch::zeros({0, 8})).sizes(), torch::IntArrayRef({0, 8}));
  EXPECT_TRUE(torch::equal(JsRelu(torch::tensor(2.0)), torch::tensor(4.0)));
}

TEST(JsRelu, RefusesIntegerTensors) {
  EXPECT_THROW(JsRelu(torch::ones({3}, torch::kLong)), c10::Error);
  EXPECT_THROW(JsReluBackward(torch::ones({3}), torch::ones({4}), 1.0),
               c10::Error);
}

}  // namespace
}  // namespace sparsity
