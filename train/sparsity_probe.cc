#include "train/sparsity_probe.h"

namespace sparsity {

void SparsityProbe::OnMlp(const MlpEvent& event) {
  accumulators_.at(event.layer).Add(event.post.to(torch::kCPU));
}

SparsityMeasurement SparsityProbe::Measure(Model& model) {
  torch::NoGradGuard no_grad;
  const Batch batch = batch_.To(model.device());
  const int64_t seq_len = batch.targets.size(1);
  accumulators_.assign(model.num_layers(),
                       SparsityAccumulator(model.d_ff(), seq_len));
  SparsityMeasurement m;
  m.loss = model.Loss(batch, this).item<float>();
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

absl::Status AddSparsityProbe(RunContext& ctx) {
  auto probe = std::make_shared<SparsityProbe>(ctx.data.probe);
  Model* model = ctx.model.get();
  TrainingRecord* record = &ctx.record;
  const int64_t steps = ctx.config.train().steps();
  ctx.trainer.set_probe(
      ctx.config.probe().every(),
      [probe, model, record, steps](
          int64_t step, int64_t tokens) -> absl::StatusOr<ProbeSummary> {
        SparsityMeasurement m = probe->Measure(*model);
        Probe* p = record->add_probes();
        p->set_step(step);
        p->set_tokens_seen(tokens);
        ToProto(m, /*with_firing_frequency=*/step == steps, p);
        ProbeSummary summary{"density", {}};
        for (const auto& layer : m.layers) {
          summary.per_layer.push_back(layer.token_density.mean);
        }
        return summary;
      });
  return absl::OkStatus();
}

}  // namespace sparsity
