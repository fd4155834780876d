#include "train/norm_tracker.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "metrics/norm_growth.h"
#include "proto/results_io.h"
#include "train/lr_schedule.h"
#include "train/saturation.h"

namespace sparsity {

bool IsTrajectoryStep(int64_t step, int64_t steps, int64_t every) {
  return step == 0 || step == steps || (every > 0 && step % every == 0);
}

std::vector<int64_t> TrajectorySteps(int64_t steps, int64_t probe_every,
                                     int64_t every) {
  std::vector<int64_t> out;
  for (int64_t s = 0; s < steps; s += probe_every) {
    if (IsTrajectoryStep(s, steps, every)) out.push_back(s);
  }
  out.push_back(steps);
  return out;
}

double CumulativeLearningRate(const OptimConfig& optim, int64_t step,
                              int64_t total_steps) {
  double sum = 0;
  for (int64_t s = 0; s < step; ++s) {
    sum += ScheduledLearningRate(optim, s, total_steps);
  }
  return sum;
}

NormGrowthTracker::NormGrowthTracker(const Model& model,
                                     const RunConfig& config,
                                     NormTrackingOptions options,
                                     TrainingRecord* record)
    : groups_(ParameterGroups(model)),
      config_(config),
      options_(std::move(options)),
      record_(record) {
  auto* groups = record_->mutable_norm_growth()->mutable_groups();
  groups->Clear();
  for (const std::string& g : groups_) *groups->Add() = g;
}

absl::StatusOr<ProbeSummary> NormGrowthTracker::Probe(
    int64_t step, Model& model, const Batch& probe_batch) {
  const ParameterNorms norms = MeasureNorms(model, groups_);
  NormPoint& point = *record_->mutable_norm_growth()->add_points();
  point.set_step(step);
  point.set_rho(norms.rho);
  point.mutable_group_rho()->Add(norms.group_rho.begin(),
                                 norms.group_rho.end());
  point.set_probe_loss(
      model.Loss(probe_batch.To(model.device()), nullptr).item<float>());
  point.set_cumulative_lr(
      CumulativeLearningRate(config_.optim(), step, config_.train().steps()));
  if (IsTrajectoryStep(step, config_.train().steps(),
                       options_.trajectory_every)) {
    if (absl::Status s = Trajectory(step, model, probe_batch, &point);
        !s.ok()) {
      return s;
    }
  }
  ProbeSummary summary{"rho", {norms.rho}};
  return summary;
}

absl::Status NormGrowthTracker::Trajectory(int64_t step, Model& model,
                                           const Batch& probe_batch,
                                           NormPoint* point) {
  const SimilarityAtScale s = SaturationSimilarity(
      model, BlockOutputs(model, probe_batch), probe_batch,
      options_.saturation_scale, /*saturated_attention=*/true,
      options_.tie_tolerance);
  *point->mutable_saturation() = s.layers();
  if (!options_.snapshot_path) return absl::OkStatus();
  ParameterSnapshot snapshot;
  snapshot.set_step(step);
  const torch::Tensor theta = FlatParameters(model).to(torch::kFloat32);
  const float* data = theta.data_ptr<float>();
  snapshot.mutable_theta()->Add(data, data + theta.numel());
  return WriteProtoAtomically(snapshot,
                              options_.snapshot_path(record_->name(), step));
}

absl::Status NormGrowthTracker::AfterBackward(int64_t step, Model& model) {
  const int64_t every = config_.probe().every();
  if (every > 0 && step % every == 0) before_ = FlatParameters(model);
  return absl::OkStatus();
}

absl::Status NormGrowthTracker::AfterStep(int64_t step, Model& model) {
  if (!before_.defined()) return absl::OkStatus();
  auto* points = record_->mutable_norm_growth()->mutable_points();
  if (points->empty() || points->rbegin()->step() != step) {
    return absl::InternalError(
        absl::StrCat("norm growth: no probe point recorded at step ", step,
                     " (a checkpoint from another run?)"));
  }
  SetStepGeometry(before_, FlatParameters(model), &*points->rbegin());
  before_ = torch::Tensor();
  return absl::OkStatus();
}

RunHook TrackNormGrowth(NormTrackingOptions options) {
  return [options](RunContext& ctx) -> absl::Status {
    auto tracker = std::make_shared<NormGrowthTracker>(*ctx.model, ctx.config,
                                                       options, &ctx.record);
    Model* model = ctx.model.get();
    const Batch probe = ctx.data.probe;
    NormGrowthTracker* t = tracker.get();
    ctx.trainer.set_probe(ctx.config.probe().every(),
                          [t, model, probe](int64_t step, int64_t /*tokens*/) {
                            return t->Probe(step, *model, probe);
                          });
    ctx.trainer.add_callback(tracker.get());
    ctx.keep_alive.push_back(tracker);
    return absl::OkStatus();
  };
}

}  // namespace sparsity
