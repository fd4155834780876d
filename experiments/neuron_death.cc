// Experiment 2 (docs/method.md, "Neuron death"): which ReLU units turn off,
// when, and whether training dynamics or outliers cause it (Wild & Anderson
// 2024, [W]).
//
// Method: train the decoder-only ReLU LM on the Brown corpus under every run
// of the preset's sweep: the reference model under several init seeds x data
// orders, and the controls (learning rates, warmups, no learning from
// initialisation, no learning from the trained weights). On every training
// step, record for every MLP unit how many tokens of the batch it fired on,
// the largest MLP-input norm of each layer, and each unit's weight update
// (train/neuron_death_tracker.h); after the run, turn them into deaths,
// revivals, fade-out curves, firing histograms and outlier ranks
// (metrics/neuron_death.h). After steps frozen_from of every reference
// run, the weights as they are run over the next dead_window batches of
// the same stream without learning: units silent there are silenced by
// the data alone. The held-out probe batch is measured on the
// probe schedule as in experiment 1 (its dead units: the probe-set count).
// Finally, for every reference run, remove (zero) the units dead on the
// training stream, then those firing below each threshold, and measure the
// held-out loss.
//
//   bazel run //experiments:neuron_death                  # default preset
//   bazel run //experiments:neuron_death -- --preset=smoke
#include "metrics/neuron_death.h"

#include <cstdio>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/cli.h"
#include "data/lm_data.h"
#include "experiments/runner.h"
#include "models/unit_removal.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/neuron_death_tracker.h"
#include "train/sparsity_probe.h"
#include "train/sweep.h"
#include "train/train_one.h"

namespace sparsity {
namespace {

DeathOptions OptionsOf(const NeuronDeathConfig& c) {
  DeathOptions o;
  o.dead_window = c.dead_window();
  o.outlier_window = c.outlier_window();
  o.fade_steps = c.fade_steps();
  o.fade_bin = c.fade_bin();
  return o;
}

// The frozen continuations: the reference runs, and the no-learning
// control (learning rate 0 from initialisation, role "no_learning"), whose
// frozen and own silences must agree.
FrozenOptions FrozenOf(const NeuronDeathConfig& c) {
  FrozenOptions f;
  f.steps.assign(c.frozen_from().begin(), c.frozen_from().end());
  f.window = c.dead_window();
  f.variants.push_back(c.reference());
  for (const Variant& v : c.sweep().variants()) {
    if (v.role() == "no_learning") f.variants.push_back(v.name());
  }
  return f;
}

absl::Status ValidateExperiment(const NeuronDeathConfig& c,
                                const std::vector<SweepRun>& runs) {
  if (absl::Status s = ValidateDeathOptions(OptionsOf(c)); !s.ok()) return s;
  if (absl::Status s = RequireReferenceVariant(runs, c.reference()); !s.ok()) {
    return s;
  }
  // The tracker keeps each step's counts and updates in the run record
  // (8 bytes per unit and step), which checkpoints serialise: protobuf caps
  // a message at 2 GiB.
  for (const SweepRun& r : runs) {
    const double bytes = 8.0 * r.config.train().steps() *
                         r.config.model().n_layers() * r.config.model().d_ff();
    if (bytes > 1.0e9) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "run %s: the per-step death history would take %.1f GB (steps x "
          "layers x d_ff x 8 bytes), over the 1 GB the run record can carry; "
          "use fewer steps or a narrower model",
          r.name, bytes / 1e9));
    }
  }
  for (int32_t step : c.frozen_from()) {
    for (const SweepRun& r : runs) {
      if (step < 1 || step + c.dead_window() > r.config.train().steps()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "frozen_from step %d: the frozen continuation needs 1 <= step "
            "and step + dead_window (%d) <= train.steps (%d in run %s)",
            step, c.dead_window(), r.config.train().steps(), r.name));
      }
    }
  }
  float previous = 0;
  for (float t : c.prune_thresholds()) {
    if (!(t > previous && t <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("prune_thresholds must rise within (0, 1], got ", t,
                       " after ", previous));
    }
    previous = t;
  }
  return absl::OkStatus();
}

// Held-out loss of the run's final model with the units removed that fired
// on no training token over the last dead_window steps (threshold 0), then
// below each threshold.
absl::StatusOr<PruneCurve> MeasurePruning(const TrainingRecord& run,
                                          const std::string& checkpoint,
                                          const NeuronDeathConfig& config) {
  const RunConfig& c = run.config();
  absl::StatusOr<std::shared_ptr<Model>> model =
      LoadTrainedModel(c, checkpoint);
  if (!model.ok()) return model.status();
  absl::StatusOr<LmData> data =
      MakeLmData(c.data(), c.probe(), c.model().vocab_size(), c.data_seed());
  if (!data.ok()) return data.status();
  const Batch probe = data->probe.To((*model)->device());
  torch::NoGradGuard no_grad;
  PruneCurve curve;
  curve.set_run(run.name());
  curve.set_loss((*model)->Loss(probe, nullptr).item<float>());
  std::vector<float> thresholds = {0};
  thresholds.insert(thresholds.end(), config.prune_thresholds().begin(),
                    config.prune_thresholds().end());
  for (float t : thresholds) {
    PruneLevel& level = *curve.add_levels();
    level.set_threshold(t);
    std::vector<std::vector<int64_t>> units;
    for (const LayerDeath& layer : run.neuron_death().layers()) {
      units.emplace_back();
      for (int j = 0; j < layer.final_frequency_size(); ++j) {
        const float f = layer.final_frequency(j);
        if (t == 0 ? f == 0 : f < t) units.back().push_back(j);
      }
      level.add_removed(static_cast<int32_t>(units.back().size()));
    }
    RemovedUnits removed(**model, units);
    level.set_loss((*model)->Loss(probe, nullptr).item<float>());
  }
  return curve;
}

absl::Status Run() {
  NeuronDeathConfig config;
  if (absl::Status s = LoadExperimentConfig(&config); !s.ok()) return s;
  absl::StatusOr<std::vector<SweepRun>> sweep =
      ExpandSweep(config.base(), config.sweep());
  if (!sweep.ok()) return sweep.status();
  if (absl::Status s = ValidateExperiment(config, *sweep); !s.ok()) return s;
  absl::StatusOr<OutputPaths> paths = PrepareOutput();
  if (!paths.ok()) return paths.status();

  absl::StatusOr<std::vector<TrainingRecord>> runs = RunExperimentSweep(
      *sweep, config.base(),
      {AddSparsityProbe, TrackNeuronDeath(OptionsOf(config), FrozenOf(config))},
      *paths);
  if (!runs.ok()) return runs.status();

  Results results;
  NeuronDeathResults& out = *results.mutable_neuron_death();
  for (const TrainingRecord& run : *runs) {
    if (run.variant() != config.reference()) continue;
    absl::StatusOr<PruneCurve> curve = MeasurePruning(
        run, RunCheckpointPath(paths->work_dir, run.name()), config);
    if (!curve.ok()) return curve.status();
    std::printf(
        "pruning %s: held-out loss %.4f intact, %.4f without its "
        "dead units\n",
        run.name().c_str(), curve->loss(), curve->levels(0).loss());
    *out.add_pruning() = *std::move(curve);
  }
  return WriteSweepResults(config, *std::move(runs), &out, &results, *paths);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      {"neuron_death",
       "Neuron death in a ReLU transformer LM (Wild & Anderson 2024): which "
       "MLP units stop firing on the training stream, when, whether they "
       "revive, and whether training dynamics (seeds, learning rate, warmup, "
       "no learning) or outlier inputs and updates explain it; plus the "
       "held-out loss with dead and rarely firing units removed.",
       /*committed_presets=*/{"default"}},
      &argc, &argv);
  return sparsity::RunMain("neuron_death", sparsity::Run);
}
