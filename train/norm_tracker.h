// Tracks parameter norm growth over training (metrics/norm_growth.h): a
// RunHook whose probe records, on the probe schedule (step 0, every N steps,
// the last step), rho and the per-group norms with the held-out probe loss,
// and whose callback adds, for every probe step t before the last, the
// geometry of the next update: cos(theta_t, theta_{t+1}),
// cos(theta_t, theta_{t+1} - theta_t) and |theta_{t+1} - theta_t|.
//
//   TrainOne(run, {TrackNormGrowth}, run_options);
//   record.norm_growth().points(3).rho();
//
// theta_t is read after step t's backward pass (the optimiser has not moved
// it yet) and theta_{t+1} after its update, so no state crosses a
// checkpoint: a resumed run records what an uninterrupted one does.
#ifndef SPARSITY_TRAIN_NORM_TRACKER_H_
#define SPARSITY_TRAIN_NORM_TRACKER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batch.h"
#include "models/model.h"
#include "proto/results.pb.h"
#include "train/train_one.h"
#include "train/trainer.h"

namespace sparsity {

class NormGrowthTracker : public TrainingCallback {
 public:
  // Records into record->norm_growth() (its groups set here).
  NormGrowthTracker(const Model& model, int probe_every,
                    TrainingRecord* record);

  // The probe at `step`: appends a NormPoint.
  absl::StatusOr<ProbeSummary> Probe(int64_t step, Model& model,
                                     const Batch& probe_batch);

  absl::Status AfterBackward(int64_t step, Model& model) override;
  absl::Status AfterStep(int64_t step, Model& model) override;

 private:
  std::vector<std::string> groups_;
  int probe_every_;
  TrainingRecord* record_;
  torch::Tensor before_;  // theta_t of a probe step, until its update
};

// The RunHook: the tracker as the run's probe and callback.
absl::Status TrackNormGrowth(RunContext& ctx);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_NORM_TRACKER_H_
