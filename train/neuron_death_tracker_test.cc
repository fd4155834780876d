#include "train/neuron_death_tracker.h"

#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(AddFiringCounts, CountsPositiveEntriesPerUnitOnEveryPath) {
  // [2, 2, 3]: unit 0 fires on 3 tokens, unit 1 on 1, unit 2 on none (zeros,
  // negatives and NaN do not fire).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const torch::Tensor h = torch::tensor({1.f, 0.f, -1.f, 2.f, 0.5f, nan, 0.f,
                                         -0.f, 0.f, 3.f, 0.f, -2.f})
                              .reshape({2, 2, 3});
  std::vector<uint32_t> counts(3, 0);
  AddFiringCounts(h, counts.data());  // contiguous float: the kernel
  EXPECT_EQ(counts, (std::vector<uint32_t>{3, 1, 0}));
  // Accumulates; a non-contiguous or double tensor takes LibTorch's path.
  AddFiringCounts(h.transpose(0, 1), counts.data());
  EXPECT_EQ(counts, (std::vector<uint32_t>{6, 2, 0}));
  AddFiringCounts(h.to(torch::kDouble), counts.data());
  EXPECT_EQ(counts, (std::vector<uint32_t>{9, 3, 0}));
}

}  // namespace
}  // namespace sparsity
