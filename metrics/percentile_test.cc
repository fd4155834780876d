#include "metrics/percentile.h"

#include <stdexcept>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(Percentile, MatchesNumpyLinearInterpolation) {
  // numpy.percentile([1, 2, 3, 4], q) -> 1.3, 2.5, 3.7 for q = 10, 50, 90.
  const std::vector<double> v = {4, 1, 3, 2};
  EXPECT_NEAR(Percentile(v, 10), 1.3, 1e-12);
  EXPECT_NEAR(Percentile(v, 50), 2.5, 1e-12);
  EXPECT_NEAR(Percentile(v, 90), 3.7, 1e-12);
  EXPECT_DOUBLE_EQ(Percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 4);
  EXPECT_DOUBLE_EQ(Percentile({5}, 90), 5);
  // Ties.
  EXPECT_DOUBLE_EQ(Percentile({2, 2, 2, 7}, 50), 2);
}

TEST(Percentile, RejectsNoValuesAndBadQ) {
  EXPECT_THROW(Percentile({}, 50), std::invalid_argument);
  EXPECT_THROW(Percentile({1, 2}, 101), std::invalid_argument);
  EXPECT_THROW(Percentile({1, 2}, -1), std::invalid_argument);
}

}  // namespace
}  // namespace sparsity
