#include "train/sparsity_probe.h"

#include <optional>

#include "absl/strings/str_format.h"

namespace sparsity {

void SparsityProbe::OnMlp(const MlpEvent& event) {
  // Sequences of the observed matrix: LM windows, or ViT images (patches
  // and CLS). Built on the first event, once the shape is known.
  if (accumulators_[event.layer] == std::nullopt) {
    accumulators_[event.layer].emplace(event.post.size(-1), event.post.size(1));
  }
  accumulators_[event.layer]->Add(event.post.to(torch::kCPU));
}

SparsityMeasurement SparsityProbe::Measure(Model& model) {
  return Measure(model, batch_);
}

SparsityMeasurement SparsityProbe::Measure(Model& model, const Batch& batch) {
  torch::NoGradGuard no_grad;
  accumulators_.assign(model.num_layers(), std::nullopt);
  const Evaluation e = Evaluate(model, batch.To(model.device()), this);
  SparsityMeasurement m;
  m.loss = e.loss;
  m.accuracy = e.accuracy;
  for (const std::optional<SparsityAccumulator>& acc : accumulators_) {
    TORCH_CHECK(acc.has_value(), "the model reported no MLP for a layer");
    m.layers.push_back(acc->Finish());
  }
  accumulators_.clear();
  return m;
}

namespace {

void LayersToProto(const SparsityMeasurement& m, bool with_firing_frequency,
                   google::protobuf::RepeatedPtrField<LayerSparsity>* out) {
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerSparsityStats& s = m.layers[l];
    LayerSparsity* layer = out->Add();
    layer->set_layer(static_cast<int>(l));
    layer->set_token_density_mean(s.token_density.mean);
    layer->set_token_density_p10(s.token_density.p10);
    layer->set_token_density_p50(s.token_density.p50);
    layer->set_token_density_p90(s.token_density.p90);
    layer->set_sequence_union_density(s.sequence_union_density);
    layer->set_batch_union_density(s.batch_union_density);
    layer->set_dead_units(static_cast<int32_t>(s.dead_units));
    layer->set_window_union_density(s.window_union_density);
    layer->set_window_tokens(static_cast<int32_t>(s.window_tokens));
    layer->set_rare_unit_fraction(s.rare_unit_fraction);
    if (with_firing_frequency) {
      layer->mutable_firing_frequency()->Add(s.firing_frequency.begin(),
                                             s.firing_frequency.end());
    }
  }
}

absl::Status AddProbe(RunContext& ctx, bool with_training_data) {
  auto probe = std::make_shared<SparsityProbe>(ctx.data.probe);
  Model* model = ctx.model.get();
  TrainingRecord* record = &ctx.record;
  const int64_t steps = ctx.config.train().steps();
  const Batch train_batch = with_training_data ? ctx.data.train_probe : Batch{};
  const bool classifier = ctx.config.model().family() == ModelConfig::VIT;
  ctx.trainer.set_probe(
      ctx.config.probe().every(),
      [probe, model, record, steps, train_batch, classifier](
          int64_t step, int64_t tokens) -> absl::StatusOr<ProbeSummary> {
        SparsityMeasurement m = probe->Measure(*model);
        Probe* p = record->add_probes();
        p->set_step(step);
        p->set_tokens_seen(tokens);
        ToProto(m, /*with_firing_frequency=*/step == steps, p);
        if (step == steps && train_batch.inputs.defined()) {
          const SparsityMeasurement t = probe->Measure(*model, train_batch);
          p->set_has_train(true);
          p->set_train_loss(t.loss);
          p->set_train_accuracy(t.accuracy);
          LayersToProto(t, /*with_firing_frequency=*/true,
                        p->mutable_train_layers());
        }
        ProbeSummary summary{
            classifier ? absl::StrFormat("acc %.3f | density", m.accuracy)
                       : "density",
            {}};
        for (const auto& layer : m.layers) {
          summary.per_layer.push_back(layer.token_density.mean);
        }
        return summary;
      });
  return absl::OkStatus();
}

}  // namespace

void ToProto(const SparsityMeasurement& m, bool with_firing_frequency,
             Probe* out) {
  out->set_probe_loss(m.loss);
  out->set_probe_accuracy(m.accuracy);
  LayersToProto(m, with_firing_frequency, out->mutable_layers());
}

absl::Status AddSparsityProbe(RunContext& ctx) {
  return AddProbe(ctx, /*with_training_data=*/false);
}

absl::Status AddSparsityProbeWithTrainingData(RunContext& ctx) {
  return AddProbe(ctx, /*with_training_data=*/true);
}

}  // namespace sparsity
