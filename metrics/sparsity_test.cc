#include "metrics/sparsity.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// Two sequences of two tokens, d_ff = 4, with known zeros:
//   seq 0: token 0 fires units {0, 1}, token 1 fires {1}
//   seq 1: token 2 fires {},          token 3 fires {0, 1, 2}
// token densities 0.5, 0.25, 0, 0.75 -> mean 0.375
// sequence unions {0,1} = 0.5 and {0,1,2} = 0.75 -> mean 0.625
// batch union {0,1,2} = 0.75; unit 3 dead; firing freq 2/4, 3/4, 1/4, 0.
TEST(SparsityAccumulator, HandBuiltMatrix) {
  torch::Tensor h = torch::tensor({{1.0f, 2.0f, 0.0f, -1.0f},
                                   {0.0f, 3.0f, -2.0f, 0.0f},
                                   {0.0f, 0.0f, 0.0f, 0.0f},
                                   {0.1f, 0.2f, 0.3f, -0.4f}});
  SparsityAccumulator acc(/*d_ff=*/4, /*tokens_per_sequence=*/2);
  acc.Add(h.view({2, 2, 4}));  // [batch, seq, d_ff] is fine too
  LayerSparsityStats s = acc.Finish();
  EXPECT_EQ(s.tokens, 4);
  EXPECT_EQ(s.sequences, 2);
  EXPECT_DOUBLE_EQ(s.token_density.mean, 0.375);
  // sorted densities 0, 0.25, 0.5, 0.75 -> p10 = 0.075, p50 = 0.375, p90 =
  // 0.675
  EXPECT_NEAR(s.token_density.p10, 0.075, 1e-12);
  EXPECT_NEAR(s.token_density.p50, 0.375, 1e-12);
  EXPECT_NEAR(s.token_density.p90, 0.675, 1e-12);
  EXPECT_DOUBLE_EQ(s.sequence_union_density, 0.625);
  EXPECT_DOUBLE_EQ(s.batch_union_density, 0.75);
  EXPECT_EQ(s.dead_units, 1);
  EXPECT_EQ(s.firing_frequency, (std::vector<float>{0.5f, 0.75f, 0.25f, 0.0f}));
  // Fewer tokens than a window: one window of both sequences = batch union.
  EXPECT_EQ(s.window_tokens, 4);
  EXPECT_DOUBLE_EQ(s.window_union_density, 0.75);
  // Only unit 3 fires on fewer than 1% of the tokens.
  EXPECT_DOUBLE_EQ(s.rare_unit_fraction, 0.25);
}

// 3 windows of 512 tokens (2 sequences of 256) and a partial fourth (one
// sequence) that is left out. Window w fires units {w, 10}, and unit 20
// fires once in the partial tail: window unions 2/40 each, mean 0.05; batch
// union 5/40. Every unit fires on at most 3 of 1792 tokens (< 1%): all rare.
TEST(SparsityAccumulator, WindowUnionAndRareUnits) {
  const int64_t seq = 256, d_ff = 40;
  torch::Tensor h = torch::zeros({7 * seq, d_ff});
  for (int64_t w = 0; w < 3; ++w) {
    h.index_put_({w * 2 * seq + 5, w}, 1.0f);
    h.index_put_({w * 2 * seq + 300, 10}, 1.0f);
  }
  h.index_put_({6 * seq + 1, 20}, 1.0f);
  SparsityAccumulator acc(d_ff, seq);
  acc.Add(h);
  const LayerSparsityStats s = acc.Finish();
  EXPECT_EQ(s.window_tokens, 512);
  EXPECT_DOUBLE_EQ(s.window_union_density, 2.0 / 40);
  EXPECT_DOUBLE_EQ(s.batch_union_density, 5.0 / 40);
  EXPECT_DOUBLE_EQ(s.rare_unit_fraction, 1.0);
  // Against dense LibTorch expressions on the whole windows.
  torch::Tensor fires = (h.slice(0, 0, 6 * seq) > 0).view({3, 2 * seq, d_ff});
  EXPECT_NEAR(s.window_union_density,
              fires.any(1).to(torch::kDouble).mean().item<double>(), 1e-12);
}

TEST(SparsityAccumulator, RareUnitsCountTheOnePercentBoundary) {
  // 200 tokens of one-token sequences: unit 0 fires on 2 (exactly 1%: not
  // rare), unit 1 on 1 (rare), unit 2 never (rare, dead), unit 3 always.
  torch::Tensor h = torch::zeros({200, 4});
  h.index_put_({0, 0}, 1.0f);
  h.index_put_({1, 0}, 1.0f);
  h.index_put_({2, 1}, 1.0f);
  h.index_put_({torch::indexing::Slice(), 3}, 1.0f);
  SparsityAccumulator acc(4, 1);
  acc.Add(h);
  const LayerSparsityStats s = acc.Finish();
  EXPECT_DOUBLE_EQ(s.rare_unit_fraction, 0.5);
  EXPECT_EQ(s.window_tokens, 200);  // fewer tokens than a window: all
}

TEST(SparsityAccumulator, StreamingEqualsOneShot) {
  torch::manual_seed(3);
  torch::Tensor h = torch::relu(torch::randn({8, 16, 100}) - 0.5);
  SparsityAccumulator whole(100, 16), parts(100, 16);
  whole.Add(h);
  parts.Add(h.slice(0, 0, 3));
  parts.Add(h.slice(0, 3, 8));
  LayerSparsityStats a = whole.Finish(), b = parts.Finish();
  EXPECT_DOUBLE_EQ(a.token_density.mean, b.token_density.mean);
  EXPECT_DOUBLE_EQ(a.token_density.p90, b.token_density.p90);
  EXPECT_DOUBLE_EQ(a.sequence_union_density, b.sequence_union_density);
  EXPECT_DOUBLE_EQ(a.batch_union_density, b.batch_union_density);
  // Against dense LibTorch expressions.
  torch::Tensor fires = (h > 0);
  EXPECT_NEAR(a.token_density.mean,
              fires.to(torch::kDouble).mean().item<double>(), 1e-12);
  EXPECT_NEAR(a.sequence_union_density,
              fires.any(1).to(torch::kDouble).mean().item<double>(), 1e-12);
  EXPECT_NEAR(
      a.batch_union_density,
      fires.view({-1, 100}).any(0).to(torch::kDouble).mean().item<double>(),
      1e-12);
}

TEST(SparsityAccumulator, RejectsRaggedSequencesAndWrongWidth) {
  SparsityAccumulator acc(4, 3);
  EXPECT_THROW(acc.Add(torch::ones({4, 4})), c10::Error);
  EXPECT_THROW(acc.Add(torch::ones({3, 5})), c10::Error);
  EXPECT_THROW(acc.Finish(), c10::Error);
}

}  // namespace
}  // namespace sparsity
