// Sweeps: an experiment's runs are its variants (patches of a base
// RunConfig) under its seed pairs, run in order. Each finished run's record
// is kept in the work folder; a re-started sweep (resume) skips finished
// runs and continues the interrupted one from its checkpoint.
//
//   absl::StatusOr<std::vector<SweepRun>> runs =
//       ExpandSweep(config.base(), config.sweep());
//   absl::StatusOr<std::vector<TrainingRecord>> records =
//       RunSweep(*runs, {AddSparsityProbe},
//                SweepOptions{.work_dir = dir, .resume = FLAGS_resume});
//
// Work folder: NAME.record.pb per finished run and NAME.ckpt per run (kept:
// the last one holds the run's final weights)
// (NAME = the run name with '/' as '__'). Without resume, earlier records and
// checkpoints of this process's runs there are removed first (a shard never
// touches another shard's files).
#ifndef SPARSITY_TRAIN_SWEEP_H_
#define SPARSITY_TRAIN_SWEEP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/train_one.h"

namespace sparsity {

// Variants x seeds, variants outermost. A patch replaces only the fields it
// sets. With no variants, one run set "base" (role "reference"); a
// variant's own seeds, else the sweep's, else the base's. A run whose config
// names init_from starts from the final checkpoint of that earlier run (which
// must come before it). Every run's config is validated (ValidateRunConfig); an
// error names the variant. Variant names must be unique, non-empty and
// [A-Za-z0-9_.-].
absl::StatusOr<std::vector<SweepRun>> ExpandSweep(const RunConfig& base,
                                                  const SweepConfig& sweep);

// An experiment's reference variant must be among the runs (after
// --variants): "reference variant 'x' is not among the runs" otherwise.
absl::Status RequireReferenceVariant(const std::vector<SweepRun>& runs,
                                     const std::string& reference);

struct SweepOptions {
  std::string work_dir;
  bool resume = false;
  bool quiet = false;
  // Sharding (README.md, "Scaling up"): this process
  // trains only the runs of shard `shard` of `shards` (ShardOfRuns) into
  // the shared work folder; the records of the other shards' runs are read
  // from it. While any is missing, RunSweep ends with FinishedEarly
  // (common/cli.h): the shard is done, the sweep is not; the process that
  // finishes last finds every record and returns them all.
  int shard = 0;
  int shards = 1;
  // Train nothing: assemble the finished records (an error names a missing
  // one).
  bool merge_only = false;
  // Data-parallel (train/data_parallel.h): every rank runs the same sweep,
  // each run over all ranks; only rank 0 writes, the others end with
  // FinishedEarly.
  DataParallel* dp = nullptr;
  // Each run's TensorBoard event files go to DIR/<run file stem>/ (empty:
  // none).
  std::string tensorboard_dir;
};

// The shard of each run: runs are dealt round-robin in sweep order, except
// that a run starting from another's checkpoint (init_from) goes to that
// run's shard, so that a chain of runs stays in one process.
std::vector<int> ShardOfRuns(const std::vector<SweepRun>& runs, int shards);

// Where a sweep keeps run `run_name`'s checkpoint (its final weights once
// the run is done).
std::string RunCheckpointPath(const std::string& work_dir,
                              const std::string& run_name);

absl::StatusOr<std::vector<TrainingRecord>> RunSweep(
    const std::vector<SweepRun>& runs, const std::vector<RunHook>& hooks,
    const SweepOptions& options);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_SWEEP_H_
