#include "train/neuron_death_tracker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "data/run_data.h"
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

namespace {

// Counts each unit's firing tokens over forward passes.
class FiringCounter : public ActivationObserver {
 public:
  FiringCounter(int64_t layers, int64_t units)
      : units_(units), counts_(layers * units, 0) {}
  void OnMlp(const MlpEvent& event) override {
    AddFiringCounts(event.post, counts_.data() + event.layer * units_);
  }
  const std::vector<uint32_t>& counts() const { return counts_; }

 private:
  int64_t units_;
  std::vector<uint32_t> counts_;
};

float LargestTokenNorm(const torch::Tensor& x) {
  return x.detach().norm(2, /*dim=*/-1).max().to(torch::kCPU).item<float>();
}

}  // namespace

absl::StatusOr<std::vector<UnitSet>> FrozenSilentUnits(Model& model,
                                                       const RunConfig& config,
                                                       int64_t step,
                                                       int64_t window) {
  absl::StatusOr<RunData> data = MakeRunData(config);
  if (!data.ok()) return data.status();
  data->train->Skip(step);
  torch::NoGradGuard no_grad;
  FiringCounter counter(model.num_layers(), model.d_ff());
  for (int64_t k = 0; k < window; ++k) {
    model.Loss(data->train->Next().To(model.device()), &counter);
  }
  std::vector<UnitSet> silent(model.num_layers());
  for (int64_t l = 0; l < model.num_layers(); ++l) {
    for (int64_t j = 0; j < model.d_ff(); ++j) {
      if (counter.counts()[l * model.d_ff() + j] == 0) {
        silent[l].add_units(static_cast<int32_t>(j));
      }
    }
  }
  return silent;
}

NeuronDeathTracker::NeuronDeathTracker(const DeathOptions& options,
                                       const FrozenOptions& frozen,
                                       const RunConfig& config, int64_t layers,
                                       int64_t units, int64_t tokens_per_step,
                                       TrainingRecord* record)
    : options_(options),
      frozen_(frozen),
      config_(config),
      layers_(layers),
      units_(units),
      steps_(config.train().steps()),
      record_(record),
      counts_(layers * units, 0),
      input_norms_(layers, 0),
      residual_norms_(layers, 0) {
  NeuronDeathHistory& h = *record_->mutable_neuron_death()->mutable_history();
  h.set_layers(static_cast<int32_t>(layers));
  h.set_units(static_cast<int32_t>(units));
  h.set_tokens_per_step(tokens_per_step);
}

void NeuronDeathTracker::OnMlp(const MlpEvent& event) {
  AddFiringCounts(event.post, counts_.data() + event.layer * units_);
  // Max, in case a layer reports twice in a step (micro-batches).
  input_norms_[event.layer] =
      std::max(input_norms_[event.layer], LargestTokenNorm(event.input));
}

void NeuronDeathTracker::OnMlpResidual(const ResidualEvent& event) {
  residual_norms_[event.layer] =
      std::max(residual_norms_[event.layer], LargestTokenNorm(event.stream));
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

absl::Status NeuronDeathTracker::ReduceOverRanks() {
  if (dp_ == nullptr) return absl::OkStatus();
  // Counts stay far below 2^31 (tokens per step): summed as int32.
  const int64_t n = static_cast<int64_t>(counts_.size());
  if (absl::Status s =
          dp_->SumInPlace(torch::from_blob(counts_.data(), {n}, torch::kInt32));
      !s.ok()) {
    return s;
  }
  for (std::vector<float>* norms : {&input_norms_, &residual_norms_}) {
    const int64_t m = static_cast<int64_t>(norms->size());
    if (absl::Status s = dp_->MaxInPlace(
            torch::from_blob(norms->data(), {m}, torch::kFloat));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status NeuronDeathTracker::AfterStep(int64_t step, Model& model) {
  if (absl::Status s = ReduceOverRanks(); !s.ok()) return s;
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
  h.mutable_residual_norms()->Add(residual_norms_.begin(),
                                  residual_norms_.end());
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(input_norms_.begin(), input_norms_.end(), 0.0f);
  std::fill(residual_norms_.begin(), residual_norms_.end(), 0.0f);
  before_.clear();
  const int64_t done = step + 1;
  // The frozen continuation is a measurement: rank 0's alone.
  if ((dp_ == nullptr || dp_->lead()) &&
      std::find(frozen_.steps.begin(), frozen_.steps.end(), done) !=
          frozen_.steps.end()) {
    absl::StatusOr<std::vector<UnitSet>> silent =
        FrozenSilentUnits(model, config_, done, frozen_.window);
    if (!silent.ok()) return silent.status();
    FrozenSilence& f = *r.add_frozen();
    f.set_step(static_cast<int32_t>(done));
    f.set_steps(static_cast<int32_t>(frozen_.window));
    for (UnitSet& u : *silent) *f.add_frozen_silent() = std::move(u);
  }
  return done == steps_ ? Finish() : absl::OkStatus();
}

absl::Status NeuronDeathTracker::Finish() {
  NeuronDeathRecord& r = *record_->mutable_neuron_death();
  const NeuronDeathHistory& h = r.history();
  if (absl::Status s = ValidateHistory(h, options_); !s.ok()) return s;
  NeuronDeathRecord analysis = AnalyzeNeuronDeath(h, options_);
  for (FrozenSilence& f : *r.mutable_frozen()) {
    FillLearningSilence(h, &f);
    *analysis.add_frozen() = std::move(f);
  }
  r = std::move(analysis);
  return absl::OkStatus();
}

RunHook TrackNeuronDeath(const DeathOptions& options,
                         const FrozenOptions& frozen) {
  return [options, frozen](RunContext& ctx) -> absl::Status {
    FrozenOptions run_frozen = frozen;
    if (std::find(frozen.variants.begin(), frozen.variants.end(),
                  ctx.record.variant()) == frozen.variants.end()) {
      run_frozen.steps.clear();
    }
    auto tracker = std::make_shared<NeuronDeathTracker>(
        options, run_frozen, ctx.config, ctx.model->num_layers(),
        ctx.model->d_ff(), ctx.data.train->batch_tokens(), &ctx.record);
    tracker->set_data_parallel(ctx.dp);
    ctx.trainer.set_train_observer(tracker.get());
    ctx.trainer.add_callback(tracker.get());
    ctx.keep_alive.push_back(tracker);
    return absl::OkStatus();
  };
}

}  // namespace sparsity
