#include "kernels/saturated_attention.h"

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/saturated_attention_test_util.h"

namespace sparsity {
namespace {

std::vector<float> Probs(const std::vector<float>& s, int64_t tq, int64_t tk,
                         bool causal, float tolerance = 0) {
  std::vector<float> p(s.size(), -1.0f);
  SaturatedAttentionCpu(s.data(), nullptr, 1, tq, tk, 0, causal, tolerance,
                        p.data(), nullptr);
  return p;
}

TEST(SaturatedAttentionCpu, IsTheLimitOfSoftmaxAtLargeScale) {
  std::mt19937 rng(3);
  for (bool causal : {false, true}) {
    for (auto [n, tq, tk, dv] : std::vector<std::array<int64_t, 4>>{
             {1, 1, 1, 1}, {3, 7, 7, 5}, {2, 4, 9, 3}, {4, 33, 33, 40}}) {
      const std::vector<float> s = TiedScores(n * tq * tk, rng);
      const std::vector<float> v = RandomValues(n * tk * dv, rng);
      std::vector<float> probs(n * tq * tk), out(n * tq * dv);
      SaturatedAttentionCpu(s.data(), v.data(), n, tq, tk, dv, causal, 0,
                            probs.data(), out.data());
      std::vector<double> ref_p, ref_o;
      SoftmaxReference(s, v, n, tq, tk, dv, causal, 200.0, &ref_p, &ref_o);
      for (size_t k = 0; k < probs.size(); ++k) {
        ASSERT_NEAR(probs[k], ref_p[k], 1e-6)
            << "causal " << causal << " " << k;
      }
      for (size_t k = 0; k < out.size(); ++k) {
        ASSERT_NEAR(out[k], ref_o[k], 1e-5) << "causal " << causal << " " << k;
      }
    }
  }
}

TEST(SaturatedAttentionCpu, HandBuiltTiesAndMasks) {
  // Not causal: the tie between keys 1 and 2 splits the weight.
  EXPECT_EQ(Probs({1, 3, 3, 0}, 1, 4, false),
            (std::vector<float>{0, 0.5f, 0.5f, 0}));
  // Causal, 2 x 4 with tq < tk: row 0 sees keys 0..2, row 1 all four. The
  // masked key 3 of row 0 holds the largest score and must get nothing.
  EXPECT_EQ(Probs({5, 2, 5, 9, /*row 1*/ 1, 1, 1, 1}, 2, 4, true),
            (std::vector<float>{0.5f, 0, 0.5f, 0, 0.25f, 0.25f, 0.25f, 0.25f}));
  // Causal square: row 0 sees only key 0, whatever the others hold.
  EXPECT_EQ(Probs({-7, 9, 9, /**/ 2, 2, 9, /**/ 1, 3, 2}, 3, 3, true),
            (std::vector<float>{1, 0, 0, 0.5f, 0.5f, 0, 0, 1, 0}));
  // Tolerance: keys within 0.02 of the maximum tie.
  EXPECT_EQ(Probs({1.0f, 0.99f, 0.5f}, 1, 3, false, 0.02f),
            (std::vector<float>{0.5f, 0.5f, 0}));
}

TEST(SaturatedAttentionCpu, NanNeverWinsAndAllNanRowsGetNothing) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(Probs({nan, 1, 1}, 1, 3, false),
            (std::vector<float>{0, 0.5f, 0.5f}));
  EXPECT_EQ(Probs({nan, nan}, 1, 2, false), (std::vector<float>{0, 0}));
  // The output of a row with no weight is zero.
  const std::vector<float> s = {nan, nan}, v = {1, 2, 3, 4};
  std::vector<float> out(2, -1);
  SaturatedAttentionCpu(s.data(), v.data(), 1, 1, 2, 2, false, 0, nullptr,
                        out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 0}));
}

TEST(SaturatedAttentionCpu, OutWithoutValuesIsRefused) {
  const std::vector<float> s = {1, 2};
  std::vector<float> out(1, -1);
  EXPECT_FALSE(SaturatedAttentionCpu(s.data(), nullptr, 1, 1, 2, 1, false, 0,
                                     nullptr, out.data()));
  EXPECT_EQ(out[0], -1);
}

TEST(SaturatedAttentionCpu, OutputAveragesTheTiedValueRows) {
  // Keys 0 and 2 tie: out = (v0 + v2) / 2.
  const std::vector<float> s = {4, 1, 4}, v = {1, 10, 2, 20, 3, 30};
  std::vector<float> out(2);
  SaturatedAttentionCpu(s.data(), v.data(), 1, 1, 3, 2, false, 0, nullptr,
                        out.data());
  EXPECT_EQ(out, (std::vector<float>{2, 20}));
}

}  // namespace
}  // namespace sparsity
