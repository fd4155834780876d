// Shared mechanics of every experiment binary: flags, presets, overrides,
// output folders, the sweep, results writing and error reporting. An
// experiment's main() reads like this:
//
//   int main(int argc, char** argv) {
//     InitExperiment({"layerwise_sparsity", "what it measures",
//                     /*committed_presets=*/{"default"}}, &argc, &argv);
//     return RunMain("layerwise_sparsity", [] { return Run(); });
//   }
//   absl::Status Run() {
//     LayerwiseSparsityConfig config;
//     ... LoadExperimentConfig(&config) ...
//     ... ExpandSweep(config.base(), config.sweep()) ... PrepareOutput() ...
//     ... RunExperimentSweep(runs, config.base(), hooks, paths) ...
//     ... WriteExperimentResults(results, paths) ...
//   }
//
// Command-line contract (all experiments):
//   --preset=NAME     the embedded preset to start from (default: default)
//   --steps=N --d_model=N ...   override single fields of the base config
//   --override='base { train { steps: 10 } }'   any fields, as textproto;
//                     zeros, false and enum defaults are applied too; a
//                     repeated field (sweep seeds, variants) is appended to
//                     (use --seeds / --variants to replace or select)
//   --seeds=1,2,3     run these seeds (init = data = s) instead of the
//                     preset's (every variant's own seeds too)
//   --variants=a,b    run only these variants of the preset's sweep
//   --out_dir=DIR     results go to DIR/NAME.pb, NAME = <experiment> (or
//                     <experiment>_<preset> for a committed preset other
//                     than default, e.g. layerwise_sparsity_ablation). Without
//                     it, a committed preset run as-is writes to results/ in
//                     the workspace; anything else to runs/<preset>/
//                     (git-ignored)
//   --resume          continue an interrupted sweep in the same output folder
//   --json            also write DIR/NAME.json
//   --quiet           no progress lines
#ifndef SPARSITY_EXPERIMENTS_RUNNER_H_
#define SPARSITY_EXPERIMENTS_RUNNER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/sweep.h"

namespace sparsity {

struct ExperimentSpec {
  std::string name;     // e.g. "layerwise_sparsity"
  std::string summary;  // one paragraph for --help
  // Presets whose results are committed to results/ (and rendered into
  // reports/); only these, run without changes, write there by default.
  std::vector<std::string> committed_presets;
};

// Records the command line, handles --help (the project's flags and the
// presets, exit 0) and parses the flags. Call first in main().
void InitExperiment(const ExperimentSpec& spec, int* argc, char*** argv);

// Fills `config` from the preset named by --preset, then applies the
// single-field flags that were given, --override, --seeds and --variants.
// Unknown presets, flags that do not apply to this config and malformed
// values are errors.
absl::Status LoadExperimentConfig(google::protobuf::Message* config);

struct OutputPaths {
  std::string name;      // the results file is out_dir/NAME.pb
  std::string out_dir;   // the results file's folder
  std::string work_dir;  // run records and checkpoints of the sweep
};

// The output folders (see the contract above), created and checked
// writable before any work starts; prints where results will go.
absl::StatusOr<OutputPaths> PrepareOutput();

// Runs the sweep (ExpandSweep's runs: validated before PrepareOutput, so a
// bad config creates no folder) with the CPU settings of the base config,
// resuming when --resume was given.
absl::StatusOr<std::vector<TrainingRecord>> RunExperimentSweep(
    const std::vector<SweepRun>& runs, const RunConfig& base,
    const std::vector<RunHook>& hooks, const OutputPaths& paths);

// Provenance for the results file: preset, whether the config was changed
// from it, the full command line, machine, versions, threads, device, and
// the wall time since InitExperiment.
RunInfo ExperimentRunInfo(const RunConfig& base);

// Writes `results` atomically to DIR/NAME.pb (and .json with --json)
// and prints where it went.
absl::Status WriteExperimentResults(const Results& results,
                                    const OutputPaths& paths);

// The usual ending of an experiment: its results message `out` (a field of
// `results`, e.g. results.mutable_topk_thresholding()) gets the config and
// the runs (any analyses may already be in it), `results` the run info, and
// WriteExperimentResults writes it.
template <typename Config, typename ExperimentResults>
absl::Status WriteSweepResults(const Config& config,
                               std::vector<TrainingRecord> runs,
                               ExperimentResults* out, Results* results,
                               const OutputPaths& paths) {
  *out->mutable_config() = config;
  for (TrainingRecord& record : runs) *out->add_runs() = std::move(record);
  *results->mutable_run() = ExperimentRunInfo(config.base());
  return WriteExperimentResults(*results, paths);
}

}  // namespace sparsity

#endif  // SPARSITY_EXPERIMENTS_RUNNER_H_
