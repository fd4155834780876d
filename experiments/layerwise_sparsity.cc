// Experiment 1 (docs/method.md): layer-wise activation sparsity over
// training (Wild & Anderson 2024, [W]).
//
// Method: train the decoder-only ReLU transformer LM on the Brown corpus
// (byte-level, held-out split by document), under every seed pair (and
// variant) of the preset's sweep. At step 0, every probe.every steps and at
// the end, run the model on one fixed held-out probe batch of
// probe.batch_tokens tokens and measure, per MLP layer, token density (mean,
// p10/p50/p90), sequence-union density and batch-union density
// (metrics/sparsity.h); the final probe also stores every unit's firing
// frequency. The runs' records land in one Results message; the report
// gives means over seeds with their spread.
//
//   bazel run //experiments:layerwise_sparsity -- --preset=default
//   bazel run //experiments:layerwise_sparsity -- --preset=ablation
//
// The ablation preset (docs/method.md, "Why layer 0 does not collapse")
// sweeps width, vocabulary, normalisation and training length as variants
// against a reference; its results render as their own report.
#include "absl/status/status.h"
#include "common/cli.h"
#include "experiments/runner.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/sparsity_probe.h"
#include "train/sweep.h"

namespace sparsity {
namespace {

absl::Status Run() {
  LayerwiseSparsityConfig config;
  if (absl::Status s = LoadExperimentConfig(&config); !s.ok()) return s;
  absl::StatusOr<std::vector<SweepRun>> sweep =
      ExpandSweep(config.base(), config.sweep());
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<OutputPaths> paths = PrepareOutput();
  if (!paths.ok()) return paths.status();

  absl::StatusOr<std::vector<TrainingRecord>> runs =
      RunExperimentSweep(*sweep, config.base(), {AddSparsityProbe}, *paths);
  if (!runs.ok()) return runs.status();

  Results results;
  return WriteSweepResults(config, *std::move(runs),
                           results.mutable_layerwise_sparsity(), &results,
                           *paths);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      {"layerwise_sparsity",
       "Layer-wise activation sparsity of a ReLU transformer LM over training "
       "(Wild & Anderson 2024): token, sequence-union and batch-union density "
       "per layer, over seeds.",
       /*committed_presets=*/{"default", "ablation"}},
      &argc, &argv);
  return sparsity::RunMain("layerwise_sparsity", sparsity::Run);
}
