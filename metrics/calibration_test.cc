#include "metrics/calibration.h"

#include <cmath>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// Two-class logits whose softmax gives probability p to class 0.
torch::Tensor TwoClass(const std::vector<double>& p) {
  torch::Tensor out =
      torch::empty({static_cast<int64_t>(p.size()), 2}, torch::kDouble);
  for (size_t i = 0; i < p.size(); ++i) {
    out[i][0] = std::log(p[i]);
    out[i][1] = std::log(1 - p[i]);
  }
  return out;
}

TEST(Calibration, ConfidentAndRightIsCalibrated) {
  const Calibration c =
      CalibrationOf(torch::tensor({{20.0, -20.0}, {-20.0, 20.0}}),
                    torch::tensor({0, 1}, torch::kLong));
  EXPECT_NEAR(c.ece, 0, 1e-9);
  EXPECT_DOUBLE_EQ(c.accuracy, 1);
  EXPECT_NEAR(c.nll, 0, 1e-9);
  EXPECT_EQ(c.bins.size(), 15u);
  EXPECT_EQ(c.bins[14].count, 2);
}

TEST(Calibration, HandComputedTwoBins) {
  // 0.9 right, 0.9 wrong (bin 13: (13/15, 14/15]): accuracy 0.5, confidence
  // 0.9. 0.55 right twice (bin 8: (8/15, 9/15]): accuracy 1, confidence
  // 0.55. ECE = 2/4 * 0.4 + 2/4 * 0.45 = 0.425.
  const Calibration c =
      CalibrationOf(TwoClass({0.9, 0.9, 0.55, 0.55}),
                    torch::tensor({0, 1, 0, 0}, torch::kLong));
  EXPECT_NEAR(c.ece, 0.425, 1e-9);
  EXPECT_DOUBLE_EQ(c.accuracy, 0.75);
  EXPECT_NEAR(c.nll, -(std::log(0.9) + std::log(0.1) + 2 * std::log(0.55)) / 4,
              1e-9);
  EXPECT_EQ(c.bins[13].count, 2);
  EXPECT_NEAR(c.bins[13].accuracy, 0.5, 1e-12);
  EXPECT_NEAR(c.bins[13].confidence, 0.9, 1e-9);
  EXPECT_EQ(c.bins[8].count, 2);
  EXPECT_NEAR(c.bins[8].accuracy, 1, 1e-12);
  int64_t total = 0;
  for (const CalibrationBin& b : c.bins) total += b.count;
  EXPECT_EQ(total, 4);
}

TEST(Calibration, BinsTileTheUnitInterval) {
  const Calibration c = CalibrationOf(torch::tensor({{30.0, -30.0}}),
                                      torch::tensor({1}, torch::kLong), 15);
  ASSERT_EQ(c.bins.size(), 15u);
  EXPECT_DOUBLE_EQ(c.bins[0].lo, 0);
  EXPECT_DOUBLE_EQ(c.bins[14].hi, 1);
  for (int b = 1; b < 15; ++b) EXPECT_DOUBLE_EQ(c.bins[b].lo, c.bins[b - 1].hi);
  // Confidence 1 (to double precision), wrong: the last bin, ECE 1.
  EXPECT_EQ(c.bins[14].count, 1);
  EXPECT_NEAR(c.ece, 1, 1e-9);
  EXPECT_DOUBLE_EQ(c.accuracy, 0);
}

TEST(Calibration, UniformPredictionsOfTenClasses) {
  // Equal logits: confidence 1/10, prediction class 0 (lowest index).
  const Calibration c = CalibrationOf(
      torch::zeros({4, 10}), torch::tensor({0, 1, 2, 3}, torch::kLong));
  EXPECT_DOUBLE_EQ(c.accuracy, 0.25);
  EXPECT_NEAR(c.ece, std::fabs(0.25 - 0.1), 1e-9);
  EXPECT_NEAR(c.nll, std::log(10.0), 1e-9);
  EXPECT_EQ(c.bins[1].count, 4);  // 0.1 is in (1/15, 2/15]
}

TEST(Calibration, BadShapesThrow) {
  EXPECT_THROW(
      CalibrationOf(torch::zeros({3}), torch::zeros({3}, torch::kLong)),
      c10::Error);
  EXPECT_THROW(
      CalibrationOf(torch::zeros({3, 2}), torch::zeros({2}, torch::kLong)),
      c10::Error);
}

}  // namespace
}  // namespace sparsity
