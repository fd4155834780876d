// Activation-sparsity statistics of one MLP layer (docs/method.md, "Metrics").
// H is the post-activation matrix [T, d_ff]; a unit fires on a token if H > 0.
//
//   SparsityAccumulator acc(/*d_ff=*/512, /*tokens_per_sequence=*/128);
//   acc.Add(h);                 // any number of [.., d_ff] float tensors
//   LayerSparsityStats s = acc.Finish();
//   s.token_density.mean;       // mean over tokens of (#firing units / d_ff)
//
// Definitions:
//   token density     per token, fraction of units with H > 0; mean and
//                     p10/p50/p90 over tokens (linear interpolation between
//                     order statistics, as numpy.percentile).
//   sequence union    per sequence, fraction of units firing on at least one
//                     of its tokens; mean over sequences.
//   batch union       fraction of units firing on at least one token of all
//                     tokens added (the probe batch; [W] uses 8192 tokens).
//   firing frequency  per unit, fraction of tokens on which it fires.
//   dead units        units firing on none of the tokens added.
//   window union      union density over windows of kWindowTokens tokens
//                     (whole sequences: ceil(kWindowTokens / tokens per
//                     sequence) consecutive ones; all of them if fewer),
//                     mean over the whole windows. Unlike the batch union
//                     it is not at its ceiling at this project's scale.
//   rare units        fraction of units firing on fewer than kRareFiring
//                     of the tokens added (dead units included).
// The counting is done by kernels/activation_stats (one pass per matrix).
#ifndef SPARSITY_METRICS_SPARSITY_H_
#define SPARSITY_METRICS_SPARSITY_H_

#include <cstdint>
#include <vector>

#include "metrics/percentile.h"  // Percentile, used by callers too
#include "torch/torch.h"

namespace sparsity {

struct DensitySummary {
  double mean = 0;
  double p10 = 0;
  double p50 = 0;
  double p90 = 0;
};

// The window of the window union ([W] uses 8192 for the batch union).
inline constexpr int64_t kWindowTokens = 512;
// A unit fires "rarely" on fewer than this fraction of the probe tokens.
inline constexpr double kRareFiring = 0.01;

struct LayerSparsityStats {
  int64_t tokens = 0;
  int64_t sequences = 0;
  DensitySummary token_density;
  double sequence_union_density = 0;
  double batch_union_density = 0;
  double window_union_density = 0;
  int64_t window_tokens = 0;  // tokens per window of the window union
  double rare_unit_fraction = 0;
  int64_t dead_units = 0;
  std::vector<float> firing_frequency;  // d_ff values
};

class SparsityAccumulator {
 public:
  SparsityAccumulator(int64_t d_ff, int64_t tokens_per_sequence);

  // h: float tensor whose last dimension is d_ff; its rows (tokens) must be a
  // whole number of sequences. CPU tensors only.
  void Add(const torch::Tensor& h);
  // Raw-pointer form of Add: h is [num_tokens, d_ff] row-major.
  void Add(const float* h, int64_t num_tokens);

  int64_t tokens() const {
    return static_cast<int64_t>(token_nonzeros_.size());
  }
  LayerSparsityStats Finish() const;

 private:
  // Units firing on at least one token of sequences [first, first + n).
  int64_t UnionBits(int64_t first, int64_t n) const;
  void FinishWindowUnion(LayerSparsityStats* s) const;

  int64_t d_ff_;
  int64_t tokens_per_sequence_;
  std::vector<int32_t> token_nonzeros_;
  std::vector<int64_t> unit_fire_counts_;
  std::vector<uint64_t> sequence_union_;
};

}  // namespace sparsity

#endif  // SPARSITY_METRICS_SPARSITY_H_
