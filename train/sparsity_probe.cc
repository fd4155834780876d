#include "train/sparsity_probe.h"

namespace sparsity {

void SparsityProbe::OnMlp(int layer, const torch::Tensor& pre,
                          const torch::Tensor& post) {
  accumulators_.at(layer).Add(post);
}

SparsityMeasurement SparsityProbe::Measure(TransformerLMImpl& model) {
  torch::NoGradGuard no_grad;
  const auto& o = model.options();
  const int64_t seq_len = batch_.size(1) - 1;
  accumulators_.assign(o.n_layers(), SparsityAccumulator(o.d_ff(), seq_len));
  SparsityMeasurement m;
  m.loss = model.NextTokenLoss(batch_, this).item<float>();
  for (const SparsityAccumulator& acc : accumulators_) {
    m.layers.push_back(acc.Finish());
  }
  accumulators_.clear();
  return m;
}

void ToProto(const SparsityMeasurement& m, bool with_firing_frequency,
             Probe* out) {
  out->set_probe_loss(m.loss);
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerSparsityStats& s = m.layers[l];
    LayerSparsity* layer = out->add_layers();
    layer->set_layer(static_cast<int>(l));
    layer->set_token_density_mean(s.token_density.mean);
    layer->set_token_density_p10(s.token_density.p10);
    layer->set_token_density_p50(s.token_density.p50);
    layer->set_token_density_p90(s.token_density.p90);
    layer->set_sequence_union_density(s.sequence_union_density);
    layer->set_batch_union_density(s.batch_union_density);
    layer->set_dead_units(static_cast<int32_t>(s.dead_units));
    if (with_firing_frequency) {
      layer->mutable_firing_frequency()->Add(s.firing_frequency.begin(),
                                             s.firing_frequency.end());
    }
  }
}

}  // namespace sparsity
