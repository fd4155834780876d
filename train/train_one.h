// One training run from its RunConfig: the glue every experiment would
// otherwise repeat. Seeds the initialisation, builds the data and the model
// on the configured device, lets the experiment's hooks attach probes and
// callbacks, resumes from a checkpoint when asked, trains, and returns the
// run's TrainingRecord.
//
//   absl::StatusOr<TrainingRecord> record =
//       TrainOne(run, {AddSparsityProbe}, RunOptions{.checkpoint_path = p});
//
// A hook sees the RunContext: it may add probes (writing into ctx.record),
// callbacks or a training observer, and keep objects alive for the run.
#ifndef SPARSITY_TRAIN_TRAIN_ONE_H_
#define SPARSITY_TRAIN_TRAIN_ONE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/run_data.h"
#include "models/model.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/trainer.h"

namespace sparsity {

// One run of a sweep: a variant under one seed pair.
struct SweepRun {
  std::string name;     // "<variant>/i<init>-d<data>"
  std::string variant;  // "base" when the sweep lists no variants
  std::string description;
  std::string role;  // Variant.role: "reference", "width", ...
  RunConfig config;  // base + patch + seeds, validated
};

struct RunContext {
  const RunConfig& config;
  std::shared_ptr<Model> model;
  RunData& data;
  Trainer& trainer;
  TrainingRecord& record;
  std::vector<std::shared_ptr<void>> keep_alive;
  // The run's data-parallel group (nullptr: one process). A callback that
  // sees the training batch reduces over it (TrainingCallback::EveryRank).
  DataParallel* dp = nullptr;
};

using RunHook = std::function<absl::Status(RunContext&)>;

struct RunOptions {
  std::string checkpoint_path;  // empty: no checkpoints
  bool resume = false;          // continue from checkpoint_path if it exists
  // Initialise the model's weights from this checkpoint (config.init_from's
  // final checkpoint) instead of init_seed; empty: fresh initialisation.
  std::string init_checkpoint_path;
  bool quiet = false;
  std::string progress_prefix;
  DataParallel* dp = nullptr;  // train as a rank of this group
  // TensorBoard event files of the run go here (train/tensorboard.h); empty:
  // none. Rank 0 only.
  std::string tensorboard_dir;
};

// Whether a run made with config `a` can stand for, or be resumed as, one
// with config `b`: equal but for settings that do not change results
// (train.log_every, train.checkpoint_every).
bool SameResultsConfig(const RunConfig& a, const RunConfig& b);

// The run's model on the config's device, initialised from init_seed (the
// global generator is seeded here).
std::shared_ptr<Model> BuildModel(const RunConfig& config);

// The model of a finished run with its weights from `checkpoint` (e.g.
// RunCheckpointPath of a sweep), in eval mode.
absl::StatusOr<std::shared_ptr<Model>> LoadTrainedModel(
    const RunConfig& config, const std::string& checkpoint);

absl::StatusOr<TrainingRecord> TrainOne(const SweepRun& run,
                                        const std::vector<RunHook>& hooks,
                                        const RunOptions& options);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_TRAIN_ONE_H_
