// Experiment 5 (docs/method.md, "Lazy neurons"): the lazy-neuron phenomenon
// in plain ReLU transformers (Li et al., ICLR 2023, [L]), parts (a)-(d) and
// (f), and part (e): Top-k models against plain ReLU.
//
// Method: train ViTs on Fashion-MNIST and LMs on Brown, each variant under
// at least three seed pairs. At step 0, every probe.every steps and at the
// end, measure every MLP layer's token density (metrics/sparsity.h) on a
// fixed held-out probe (test images; held-out Brown documents), with the
// probe's loss and accuracy; the final probe also measures a fixed batch of
// the run's own training data of the same size, and stores each unit's
// firing frequency on both. The variants:
//   (a) the reference ViT and LM (held-out vs training data);
//   (b) ViTs of other widths (d_ff) and depths (n_layers);
//   (c) ViTs trained on random labels, on Gaussian images, and on an
//       endless stream of fresh augmented images (data/image_data.h);
//   (d) the firing frequencies of every run (dead vs rarely firing units);
//   (e) Top-k ViTs and LMs (models/topk_relu_op.h; k from the variants'
//       model.mlp) against the ReLU references, and ViTs trained with a
//       fraction of labels flipped (data.label_noise): every run's final
//       model is calibrated on its probe (ECE, NLL, reliability bins;
//       train/robustness_probe.h), and the corruption variants' ViTs are
//       measured under four corruptions at severities 0-5;
//   (f) MLP FLOPs per token, dense vs only the firing units, computed from
//       the measured densities when the report is drawn (metrics/flops.h).
//
//   bazel run //experiments:topk_thresholding -- --preset=default
#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "data/run_data.h"
#include "experiments/runner.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/robustness_probe.h"
#include "train/sparsity_probe.h"
#include "train/sweep.h"

namespace sparsity {
namespace {

// Both references exist (a preset of ViTs only leaves lm_reference empty),
// and each is of its family; every corruption
// variant among the runs (--variants may leave some out) is a ViT whose probe
// holds corruption_examples images.
absl::Status ValidateExperiment(const TopkThresholdingConfig& c,
                                const std::vector<SweepRun>& runs) {
  for (const std::string& name : c.corruption_variants()) {
    for (const SweepRun& run : runs) {
      if (run.variant != name) continue;
      if (run.config.model().family() != ModelConfig::VIT) {
        return absl::InvalidArgumentError(
            absl::StrCat("corruption variant '", name,
                         "' must be a ViT (model.family VIT)"));
      }
      const int64_t images =
          run.config.probe().batch_tokens() / TokensPerExample(run.config);
      if (c.corruption_examples() < 1 || c.corruption_examples() > images) {
        return absl::InvalidArgumentError(absl::StrCat(
            "corruption_examples must be in [1, ", images,
            "] (the probe's images), got ", c.corruption_examples()));
      }
    }
  }
  const std::pair<const std::string*, ModelConfig::Family> refs[] = {
      {&c.vit_reference(), ModelConfig::VIT},
      {&c.lm_reference(), ModelConfig::LM}};
  for (const auto& [name, family] : refs) {
    if (name->empty() && family == ModelConfig::LM) continue;  // ViTs only
    if (absl::Status s = RequireReferenceVariant(runs, *name); !s.ok()) {
      return s;
    }
    for (const SweepRun& run : runs) {
      if (run.variant == *name && run.config.model().family() != family) {
        return absl::InvalidArgumentError(absl::StrCat(
            "reference variant '", *name, "' must be a ",
            family == ModelConfig::VIT ? "ViT (model.family VIT)"
                                       : "language model (model.family LM)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Run() {
  TopkThresholdingConfig config;
  if (absl::Status s = LoadExperimentConfig(&config); !s.ok()) return s;
  absl::StatusOr<std::vector<SweepRun>> sweep =
      ExpandSweep(config.base(), config.sweep());
  if (!sweep.ok()) return sweep.status();
  if (absl::Status s = ValidateExperiment(config, *sweep); !s.ok()) return s;
  absl::StatusOr<OutputPaths> paths = PrepareOutput();
  if (!paths.ok()) return paths.status();

  const RunHook corruptions = AddCorruptionProbe(config.corruption_examples(),
                                                 config.corruption_seed());
  const auto& measured = config.corruption_variants();
  const RunHook corruption_variants_only =
      [&corruptions, &measured](RunContext& ctx) -> absl::Status {
    if (std::find(measured.begin(), measured.end(), ctx.record.variant()) ==
        measured.end()) {
      return absl::OkStatus();
    }
    return corruptions(ctx);
  };
  absl::StatusOr<std::vector<TrainingRecord>> runs =
      RunExperimentSweep(*sweep, config.base(),
                         {AddSparsityProbeWithTrainingData, AddCalibrationProbe,
                          corruption_variants_only},
                         *paths);
  if (!runs.ok()) return runs.status();

  Results results;
  return WriteSweepResults(config, *std::move(runs),
                           results.mutable_topk_thresholding(), &results,
                           *paths);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      {"topk_thresholding",
       "The lazy-neuron phenomenon in ReLU transformers (Li et al. 2023): "
       "token density per MLP layer of trained ViTs (Fashion-MNIST) and LMs "
       "(Brown) on held-out and training data, against width and depth, "
       "with random labels, random inputs and an endless stream, per-unit "
       "firing histograms, and MLP FLOPs saved by the measured sparsity; "
       "and Top-k models against ReLU: calibration (ECE, NLL, reliability), "
       "accuracy under four input corruptions at severities 1-5 and after "
       "training on 20%/40% flipped labels, and their token density; each "
       "beside its accuracy or loss, over seeds.",
       /*committed_presets=*/{"default", "memorise"}},
      &argc, &argv);
  return sparsity::RunMain("topk_thresholding", sparsity::Run);
}
