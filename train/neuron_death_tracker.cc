#include "train/neuron_death_tracker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kernels/activation_stats.h"

namespace sparsity {

void AddFiringCounts(const torch::Tensor& post, uint32_t* counts) {
  const int64_t units = post.size(-1);
  const torch::Tensor h = post.detach().reshape({-1, units});
  if (h.device().is_cpu() && h.scalar_type() == torch::kFloat &&
      h.is_contiguous()) {
    // The statistics kernel: one pass, no temporaries.
    const int64_t tokens = h.size(0);
    std::vector<int32_t> nonzeros(tokens);
    std::vector<int64_t> fires(units, 0);
    std::vector<uint64_t> unions(UnionWords(units), 0);
    ActivationStatsCpu(h.data_ptr<float>(), tokens, units, tokens,
                       nonzeros.data(), fires.data(), unions.data());
    for (int64_t j = 0; j < units; ++j) counts[j] += fires[j];
    return;
  }
  const torch::Tensor fires =
      (h > 0).sum(0).to(torch::kCPU, torch::kLong).contiguous();
  const int64_t* f = fires.data_ptr<int64_t>();
  for (int64_t j = 0; j < units; ++j) counts[j] += f[j];
}

NeuronDeathTracker::NeuronDeathTracker(const DeathOptions& options,
                                       int64_t layers, int64_t units,
                                       int64_t tokens_per_step, int64_t steps,
                                       TrainingRecord* record)
    : options_(options),
      layers_(layers),
      units_(units),
      steps_(steps),
      record_(record),
      counts_(layers * units, 0),
      input_norms_(layers, 0) {
  NeuronDeathHistory& h = *record_->mutable_neuron_death()->mutable_history();
  h.set_layers(static_cast<int32_t>(layers));
  h.set_units(static_cast<int32_t>(units));
  h.set_tokens_per_step(tokens_per_step);
}

void NeuronDeathTracker::OnMlp(const MlpEvent& event) {
  AddFiringCounts(event.post, counts_.data() + event.layer * units_);
  const torch::Tensor norms =
      event.input.detach().norm(2, /*dim=*/-1).max().to(torch::kCPU);
  // Max, in case a layer reports twice in a step (micro-batches).
  input_norms_[event.layer] =
      std::max(input_norms_[event.layer], norms.item<float>());
}

std::vector<torch::Tensor> NeuronDeathTracker::IncomingWeights(
    Model& model) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (int64_t l = 0; l < layers_; ++l) {
    const torch::nn::Linear& fc1 = model.mlp(l).fc1;
    // cat makes a new tensor: no clone needed to keep the values.
    out.push_back(
        torch::cat({fc1->weight, fc1->bias.unsqueeze(1)}, 1).to(torch::kCPU));
  }
  return out;
}

absl::Status NeuronDeathTracker::AfterBackward(int64_t step, Model& model) {
  before_ = IncomingWeights(model);
  return absl::OkStatus();
}

absl::Status NeuronDeathTracker::AfterStep(int64_t step, Model& model) {
  NeuronDeathRecord& r = *record_->mutable_neuron_death();
  NeuronDeathHistory& h = *r.mutable_history();
  const int64_t per_step = layers_ * units_;
  if (h.fire_counts_size() != step * per_step) {
    return absl::InternalError(absl::StrCat(
        "neuron death history holds ", h.fire_counts_size() / per_step,
        " steps at step ", step, " (a checkpoint from another run?)"));
  }
  const std::vector<torch::Tensor> after = IncomingWeights(model);
  for (int64_t l = 0; l < layers_; ++l) {
    const torch::Tensor norms =
        (after[l] - before_[l]).norm(2, /*dim=*/1).contiguous();
    const float* n = norms.data_ptr<float>();
    h.mutable_update_norms()->Add(n, n + units_);
  }
  h.mutable_fire_counts()->Add(counts_.begin(), counts_.end());
  h.mutable_input_norms()->Add(input_norms_.begin(), input_norms_.end());
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(input_norms_.begin(), input_norms_.end(), 0.0f);
  before_.clear();
  if (step + 1 == steps_) {
    if (absl::Status s = ValidateHistory(h, options_); !s.ok()) return s;
    NeuronDeathRecord analysis = AnalyzeNeuronDeath(h, options_);
    r = std::move(analysis);
  }
  return absl::OkStatus();
}

RunHook TrackNeuronDeath(const DeathOptions& options) {
  return [options](RunContext& ctx) -> absl::Status {
    auto tracker = std::make_shared<NeuronDeathTracker>(
        options, ctx.model->num_layers(), ctx.model->d_ff(),
        ctx.data.train->batch_tokens(), ctx.config.train().steps(),
        &ctx.record);
    ctx.trainer.set_train_observer(tracker.get());
    ctx.trainer.add_callback(tracker.get());
    ctx.keep_alive.push_back(tracker);
    return absl::OkStatus();
  };
}

}  // namespace sparsity
