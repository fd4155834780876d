// Tracks parameter norm growth over training (metrics/norm_growth.h): a
// RunHook whose probe records, on the probe schedule (step 0, every N steps,
// the last step), rho, the per-group norms, the cumulative learning rate and
// the held-out probe loss, and whose callback adds, for every probe step t
// before the last, the geometry of the next update: cos(theta_t,
// theta_{t+1}), cos(theta_t, theta_{t+1} - theta_t) and
// |theta_{t+1} - theta_t|. At the trajectory steps (every trajectory_every
// steps, and the last) it also measures each layer's similarity to the
// saturated model c * theta_t (train/saturation.h) and keeps theta_t in a
// ParameterSnapshot file for the run's direction matrix.
//
//   TrainOne(run, {TrackNormGrowth({100, 1000, 0, SnapshotPathOf})}, opts);
//   record.norm_growth().points(3).rho();
//
// theta_t is read after step t's backward pass (the optimiser has not moved
// it yet) and theta_{t+1} after its update, and snapshots are files written
// atomically, so no state crosses a checkpoint: a resumed run records what
// an uninterrupted one does.
#ifndef SPARSITY_TRAIN_NORM_TRACKER_H_
#define SPARSITY_TRAIN_NORM_TRACKER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batch.h"
#include "models/model.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/train_one.h"
#include "train/trainer.h"

namespace sparsity {

struct NormTrackingOptions {
  int64_t trajectory_every = 0;    // 0: step 0 and the last step only
  double saturation_scale = 1000;  // c of the saturated model
  float tie_tolerance = 0;         // of the saturated-attention kernel
  // Where theta at `step` of run `run` is kept; empty: not kept.
  std::function<std::string(const std::string& run, int64_t step)>
      snapshot_path;
};

// Whether `step` is a trajectory step of a run of `steps` steps.
bool IsTrajectoryStep(int64_t step, int64_t steps, int64_t every);

// The trajectory steps of a run probed every `probe_every` steps, rising.
std::vector<int64_t> TrajectorySteps(int64_t steps, int64_t probe_every,
                                     int64_t every);

// The sum of the scheduled learning rates of optimiser steps 0 .. step - 1.
double CumulativeLearningRate(const OptimConfig& optim, int64_t step,
                              int64_t total_steps);

class NormGrowthTracker : public TrainingCallback {
 public:
  // Records into record->norm_growth() (its groups set here).
  NormGrowthTracker(const Model& model, const RunConfig& config,
                    NormTrackingOptions options, TrainingRecord* record);

  // The probe at `step`: appends a NormPoint.
  absl::StatusOr<ProbeSummary> Probe(int64_t step, Model& model,
                                     const Batch& probe_batch);

  absl::Status AfterBackward(int64_t step, Model& model) override;
  absl::Status AfterStep(int64_t step, Model& model) override;

 private:
  absl::Status Trajectory(int64_t step, Model& model, const Batch& probe_batch,
                          NormPoint* point);

  std::vector<std::string> groups_;
  const RunConfig& config_;
  NormTrackingOptions options_;
  TrainingRecord* record_;
  torch::Tensor before_;  // theta_t of a probe step, until its update
};

// The RunHook: the tracker as the run's probe and callback.
RunHook TrackNormGrowth(NormTrackingOptions options);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_NORM_TRACKER_H_
