#include "metrics/sparsity.h"

#include <algorithm>
#include <cmath>

#include "kernels/activation_stats.h"

namespace sparsity {

SparsityAccumulator::SparsityAccumulator(int64_t d_ff,
                                         int64_t tokens_per_sequence)
    : d_ff_(d_ff),
      tokens_per_sequence_(tokens_per_sequence),
      unit_fire_counts_(d_ff, 0) {
  TORCH_CHECK(d_ff > 0, "d_ff must be positive, got ", d_ff);
  TORCH_CHECK(tokens_per_sequence > 0,
              "tokens_per_sequence must be positive, got ",
              tokens_per_sequence);
}

void SparsityAccumulator::Add(const torch::Tensor& h) {
  TORCH_CHECK(h.device().is_cpu(), "SparsityAccumulator takes CPU tensors");
  TORCH_CHECK(h.dim() >= 1 && h.size(-1) == d_ff_, "expected last dim ", d_ff_,
              ", got shape ", h.sizes());
  torch::Tensor rows = h.detach().to(torch::kFloat).contiguous();
  Add(rows.data_ptr<float>(), rows.numel() / d_ff_);
}

void SparsityAccumulator::Add(const float* h, int64_t num_tokens) {
  TORCH_CHECK(num_tokens % tokens_per_sequence_ == 0, num_tokens,
              " tokens are not a whole number of ", tokens_per_sequence_,
              "-token sequences");
  const int64_t offset = tokens();
  const int64_t words = UnionWords(d_ff_);
  token_nonzeros_.resize(offset + num_tokens);
  sequence_union_.resize((offset + num_tokens) / tokens_per_sequence_ * words,
                         0);
  ActivationStatsCpu(
      h, num_tokens, d_ff_, tokens_per_sequence_,
      token_nonzeros_.data() + offset, unit_fire_counts_.data(),
      sequence_union_.data() + offset / tokens_per_sequence_ * words);
}

LayerSparsityStats SparsityAccumulator::Finish() const {
  LayerSparsityStats s;
  s.tokens = tokens();
  TORCH_CHECK(s.tokens > 0, "no activations were added");
  s.sequences = s.tokens / tokens_per_sequence_;
  const double d = static_cast<double>(d_ff_);

  std::vector<double> density(token_nonzeros_.size());
  double sum = 0;
  for (size_t t = 0; t < density.size(); ++t) {
    density[t] = token_nonzeros_[t] / d;
    sum += density[t];
  }
  s.token_density.mean = sum / static_cast<double>(density.size());
  s.token_density.p10 = Percentile(density, 10);
  s.token_density.p50 = Percentile(density, 50);
  s.token_density.p90 = Percentile(density, 90);

  double union_sum = 0;
  for (int64_t q = 0; q < s.sequences; ++q) union_sum += UnionBits(q, 1) / d;
  s.sequence_union_density = union_sum / static_cast<double>(s.sequences);
  FinishWindowUnion(&s);

  s.firing_frequency.resize(d_ff_);
  int64_t alive = 0, rare = 0;
  for (int64_t j = 0; j < d_ff_; ++j) {
    const double f = unit_fire_counts_[j] / static_cast<double>(s.tokens);
    s.firing_frequency[j] = static_cast<float>(f);
    alive += unit_fire_counts_[j] > 0;
    rare += f < kRareFiring;
  }
  s.batch_union_density = alive / d;
  s.dead_units = d_ff_ - alive;
  s.rare_unit_fraction = rare / d;
  return s;
}

int64_t SparsityAccumulator::UnionBits(int64_t first, int64_t n) const {
  const int64_t words = UnionWords(d_ff_);
  int64_t bits = 0;
  for (int64_t w = 0; w < words; ++w) {
    uint64_t word = 0;
    for (int64_t q = first; q < first + n; ++q) {
      word |= sequence_union_[q * words + w];
    }
    bits += __builtin_popcountll(word);
  }
  return bits;
}

void SparsityAccumulator::FinishWindowUnion(LayerSparsityStats* s) const {
  const int64_t per_window = std::min<int64_t>(
      s->sequences,
      (kWindowTokens + tokens_per_sequence_ - 1) / tokens_per_sequence_);
  const int64_t windows = s->sequences / per_window;
  double sum = 0;
  for (int64_t w = 0; w < windows; ++w) {
    sum += UnionBits(w * per_window, per_window) / static_cast<double>(d_ff_);
  }
  s->window_tokens = per_window * tokens_per_sequence_;
  s->window_union_density = sum / static_cast<double>(windows);
}

}  // namespace sparsity
