#include "metrics/flops.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(MlpFlops, HandComputed) {
  // d_model 3, d_ff 5: fc1 is 3 x 5 = 15 multiply-adds (30 FLOPs), fc2 the
  // same; 2 of 5 units firing (density 0.4) leaves 6 multiply-adds in fc2.
  const MlpFlops f = MlpFlopsPerToken(3, 5, 0.4);
  EXPECT_DOUBLE_EQ(f.dense, 60);
  EXPECT_DOUBLE_EQ(f.sparse_fc2, 30 + 12);
  EXPECT_DOUBLE_EQ(f.sparse_both, 12 + 12);
}

TEST(MlpFlops, DenseAndSilentLimits) {
  const MlpFlops all = MlpFlopsPerToken(64, 256, 1.0);
  EXPECT_DOUBLE_EQ(all.dense, 65536);
  EXPECT_DOUBLE_EQ(all.sparse_fc2, all.dense);
  EXPECT_DOUBLE_EQ(all.sparse_both, all.dense);
  const MlpFlops none = MlpFlopsPerToken(64, 256, 0.0);
  EXPECT_DOUBLE_EQ(none.sparse_fc2, all.dense / 2);
  EXPECT_DOUBLE_EQ(none.sparse_both, 0);
}

}  // namespace
}  // namespace sparsity
