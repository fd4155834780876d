// A gradcheck for the project's autograd ops: the analytic gradient of
// sum(v * f(x)) against central differences in double, entry by entry.
#ifndef SPARSITY_MODELS_GRADCHECK_TEST_UTIL_H_
#define SPARSITY_MODELS_GRADCHECK_TEST_UTIL_H_

#include <functional>
#include <string>

#include "gtest/gtest.h"
#include "torch/torch.h"

namespace sparsity {

// Expects autograd's d/dx sum(v * f(x)) at x0 (double) to match central
// differences with step 1e-6 (rtol 1e-7, atol 1e-9) and to be nonzero
// somewhere. `what` names the case in failures.
inline void ExpectGradientMatchesCentralDifferences(
    const std::function<torch::Tensor(const torch::Tensor&)>& f,
    const torch::Tensor& x0, const torch::Tensor& v, const std::string& what) {
  torch::Tensor x = x0.clone().requires_grad_(true);
  (f(x) * v).sum().backward();
  const double eps = 1e-6;
  torch::Tensor numeric = torch::zeros_like(x0);
  for (int64_t i = 0; i < x0.numel(); ++i) {
    torch::Tensor plus = x0.clone(), minus = x0.clone();
    plus.view(-1)[i] += eps;
    minus.view(-1)[i] -= eps;
    numeric.view(-1)[i] =
        ((f(plus) * v).sum() - (f(minus) * v).sum()) / (2 * eps);
  }
  EXPECT_TRUE(torch::allclose(x.grad(), numeric, 1e-7, 1e-9))
      << what << "\n"
      << x.grad() << "\n"
      << numeric;
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0) << what;
}

}  // namespace sparsity

#endif  // SPARSITY_MODELS_GRADCHECK_TEST_UTIL_H_
