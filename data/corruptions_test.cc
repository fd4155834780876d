#include "data/corruptions.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

constexpr Corruption kAll[] = {Corruption::kGaussianNoise,
                               Corruption::kImpulseNoise, Corruption::kBlur,
                               Corruption::kContrast};

torch::Tensor Images() {
  torch::manual_seed(3);
  return torch::rand({5, 28, 28});
}

TEST(Corruptions, KeepShapeAndRangeAndAreIdentityAtSeverityZero) {
  const torch::Tensor x = Images();
  for (Corruption c : kAll) {
    SCOPED_TRACE(CorruptionName(c));
    EXPECT_TRUE(torch::equal(Corrupt(x, c, 0, 1), x));
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const torch::Tensor y = Corrupt(x, c, s, 1);
      EXPECT_EQ(y.sizes(), x.sizes());
      EXPECT_GE(y.min().item<float>(), 0.0f);
      EXPECT_LE(y.max().item<float>(), 1.0f);
      EXPECT_FALSE(torch::equal(y, x)) << "severity " << s;
      EXPECT_TRUE(torch::equal(y, Corrupt(x, c, s, 1)));  // deterministic
    }
  }
}

TEST(Corruptions, SeverityGrowsTheChange) {
  const torch::Tensor x = Images();
  for (Corruption c : kAll) {
    SCOPED_TRACE(CorruptionName(c));
    double last = 0;
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const double d = (Corrupt(x, c, s, 1) - x).abs().mean().item<double>();
      EXPECT_GT(d, last) << "severity " << s;
      last = d;
    }
  }
}

TEST(Corruptions, HandCheckedParameters) {
  // Contrast 0.4 around the image mean; impulse noise sets ~3% to 0 or 1.
  const torch::Tensor x = torch::full({1, 28, 28}, 0.5f);
  x[0][0][0] = 1.0f;
  const double mean = x.mean().item<double>();
  const torch::Tensor y = Corrupt(x, Corruption::kContrast, 1, 0);
  EXPECT_NEAR(y[0][0][0].item<float>(), mean + 0.4 * (1.0 - mean), 1e-6);
  const torch::Tensor flat = torch::full({1, 200, 200}, 0.5f);
  const torch::Tensor imp = Corrupt(flat, Corruption::kImpulseNoise, 1, 9);
  const double changed = imp.ne(0.5f).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(changed, 0.03, 0.005);
  // A blur of a constant image is the same constant (weights sum to 1).
  EXPECT_TRUE(torch::allclose(
      Corrupt(flat.slice(1, 0, 28).slice(2, 0, 28), Corruption::kBlur, 5, 0),
      torch::full({1, 28, 28}, 0.5f), 1e-6, 1e-6));
  EXPECT_DOUBLE_EQ(CorruptionParameter(Corruption::kGaussianNoise, 5), 0.38);
  EXPECT_THROW(CorruptionParameter(Corruption::kBlur, 6), c10::Error);
}

TEST(FlipLabels, FlipsExactlyTheFractionDeterministically) {
  const torch::Tensor labels = torch::arange(1000, torch::kLong) % 10;
  for (double f : {0.0, 0.2, 0.4, 1.0}) {
    const torch::Tensor a = FlipLabels(labels, f, 10, 5);
    EXPECT_EQ(a.ne(labels).sum().item<int64_t>(),
              static_cast<int64_t>(f * 1000));
    EXPECT_GE(a.min().item<int64_t>(), 0);
    EXPECT_LT(a.max().item<int64_t>(), 10);
    EXPECT_TRUE(torch::equal(a, FlipLabels(labels, f, 10, 5)));
  }
  EXPECT_FALSE(torch::equal(FlipLabels(labels, 0.2, 10, 5),
                            FlipLabels(labels, 0.2, 10, 6)));
  // round(0.2 * 7) = 1 of 7.
  const torch::Tensor seven = torch::zeros({7}, torch::kLong);
  EXPECT_EQ(FlipLabels(seven, 0.2, 10, 1).ne(0).sum().item<int64_t>(), 1);
  EXPECT_THROW(FlipLabels(labels, 1.5, 10, 1), c10::Error);
}

}  // namespace
}  // namespace sparsity
