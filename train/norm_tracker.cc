#include "train/norm_tracker.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "metrics/norm_growth.h"

namespace sparsity {

NormGrowthTracker::NormGrowthTracker(const Model& model, int probe_every,
                                     TrainingRecord* record)
    : groups_(ParameterGroups(model)),
      probe_every_(probe_every),
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
  ProbeSummary summary{"rho", {norms.rho}};
  return summary;
}

absl::Status NormGrowthTracker::AfterBackward(int64_t step, Model& model) {
  if (probe_every_ > 0 && step % probe_every_ == 0) {
    before_ = FlatParameters(model);
  }
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

absl::Status TrackNormGrowth(RunContext& ctx) {
  auto tracker = std::make_shared<NormGrowthTracker>(
      *ctx.model, ctx.config.probe().every(), &ctx.record);
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
}

}  // namespace sparsity
