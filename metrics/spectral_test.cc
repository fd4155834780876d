#include "metrics/spectral.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// K = U diag(s) V^T with orthonormal U [rows, 3] and V [3, 3]: the
// eigenvalues of K K^T are s^2 and rows - 3 zeros.
torch::Tensor WithSingularValues(int64_t rows, const std::vector<double>& s) {
  torch::manual_seed(11);
  const int64_t n = static_cast<int64_t>(s.size());
  const torch::Tensor u =
      std::get<0>(torch::linalg_qr(torch::randn({rows, n}, torch::kDouble)));
  const torch::Tensor v =
      std::get<0>(torch::linalg_qr(torch::randn({n, n}, torch::kDouble)));
  return u.matmul(torch::diag(torch::tensor(s, torch::kDouble)))
      .matmul(v.t())
      .to(torch::kFloat);
}

TEST(Spectrum, EigenvaluesAreTheSquaredSingularValuesPaddedWithZeros) {
  const Spectrum s = SpectrumOf(WithSingularValues(6, {4.0, 2.0, 0.5}));
  ASSERT_EQ(s.eigenvalues.size(), 6u);
  const std::vector<double> want = {16, 4, 0.25, 0, 0, 0};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(s.eigenvalues[i], want[i], 1e-4) << i;
  }
  EXPECT_NEAR(s.mean(), 20.25 / 6, 1e-4);
  EXPECT_NEAR(s.max(), 16, 1e-4);
  EXPECT_NEAR(s.top_share(), 16 / 20.25, 1e-5);
}

TEST(Spectrum, ConcentrationCountsEigenvaluesAboveRTimesTheMean) {
  const Spectrum s = SpectrumOf(WithSingularValues(6, {4.0, 2.0, 0.5}));
  // mean 3.375: r = 0.1 -> threshold 0.3375: 16 and 4 are nonzero, the
  // ratio sqrt(16 / 4) = 2 (singular values 4 / 2).
  SpectralConcentration c = s.Concentration(0.1);
  EXPECT_EQ(c.nonzero, 2);
  EXPECT_NEAR(c.ratio, 2.0, 1e-4);
  // r = 0.05 -> 0.169: all three, ratio 4 / 0.5 = 8.
  c = s.Concentration(0.05);
  EXPECT_EQ(c.nonzero, 3);
  EXPECT_NEAR(c.ratio, 8.0, 1e-3);
  // r = 10 -> 33.75: none; the ratio is then 0 (undefined).
  c = s.Concentration(10);
  EXPECT_EQ(c.nonzero, 0);
  EXPECT_EQ(c.ratio, 0.0);
  // r = 4 -> 13.5: only the largest; ratio 1.
  c = s.Concentration(4);
  EXPECT_EQ(c.nonzero, 1);
  EXPECT_NEAR(c.ratio, 1.0, 1e-9);
}

TEST(Spectrum, WideMatricesAndZero) {
  // K with more columns than rows: rows eigenvalues, none padded.
  const Spectrum wide = SpectrumOf(WithSingularValues(3, {3.0, 1.0, 1.0}).t());
  EXPECT_EQ(wide.eigenvalues.size(), 3u);
  const Spectrum zero = SpectrumOf(torch::zeros({4, 2}));
  EXPECT_EQ(zero.Concentration(0.1).nonzero, 0);
  EXPECT_EQ(zero.top_share(), 0.0);
}

}  // namespace
}  // namespace sparsity
