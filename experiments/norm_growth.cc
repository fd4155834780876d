// Experiment 3 (docs/method.md, "Norm growth and saturation"): parameter
// norm growth during training and the saturated network it leads towards
// (Merrill et al. 2021, [M]).
//
// Method: train the decoder-only ReLU LM on the Brown corpus under every run
// of the preset's sweep: the reference (AdamW with the project's weight
// decay) under several seeds, AdamW without weight decay and SGD (when does
// growth stop?), and post-norm and bias-free models (the similarity-vs-c
// curves). On the probe schedule record rho(t) and the per-group norms, and
// the geometry of the next update (train/norm_tracker.h). After the sweep,
// per run: fit rho against t, sqrt(t) and t^alpha; measure, on the held-out
// probe batch, how similar each layer's hidden states are under theta and
// c * theta, at c = saturation_scale with saturated attention (the kernel)
// for the trained and the freshly initialised model, and over
// similarity_scales with softmax for the trained one; and count, per head of
// the saturated trained model, the keys each query attends to.
//
//   bazel run //experiments:norm_growth                  # default preset
//   bazel run //experiments:norm_growth -- --preset=smoke
#include "metrics/norm_growth.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "data/lm_data.h"
#include "experiments/runner.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/norm_tracker.h"
#include "train/saturation.h"
#include "train/sweep.h"
#include "train/train_one.h"

namespace sparsity {
namespace {

absl::Status ValidateExperiment(const NormGrowthConfig& c,
                                const std::vector<SweepRun>& runs) {
  if (absl::Status s = RequireReferenceVariant(runs, c.reference()); !s.ok()) {
    return s;
  }
  if (!(c.saturation_scale() > 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "saturation_scale must be > 1, got ", c.saturation_scale()));
  }
  if (c.similarity_scales().empty()) {
    return absl::InvalidArgumentError("similarity_scales is empty");
  }
  float previous = 0;
  for (float s : c.similarity_scales()) {
    if (!(s > previous)) {
      return absl::InvalidArgumentError(
          absl::StrCat("similarity_scales must be positive and rising, got ", s,
                       " after ", previous));
    }
    previous = s;
  }
  if (!(c.attended_threshold() > 0 && c.attended_threshold() < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attended_threshold must be in (0, 1), got ", c.attended_threshold()));
  }
  if (!(c.tie_tolerance() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tie_tolerance must be >= 0, got ", c.tie_tolerance()));
  }
  for (const SweepRun& r : runs) {
    const int64_t every = r.config.probe().every();
    if (every <= 0 || r.config.train().steps() / every < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "run ", r.name, ": the norm fits need at least 3 probe points (",
          "step 0, every probe.every steps, the last); probe.every ", every,
          " with ", r.config.train().steps(), " steps gives fewer"));
    }
  }
  return absl::OkStatus();
}

// Fits, growth stop, saturation and heads of one finished run.
absl::Status Analyse(const NormGrowthConfig& config,
                     const std::string& checkpoint, TrainingRecord* run) {
  NormGrowthRecord& r = *run->mutable_norm_growth();
  std::vector<double> t, rho;
  std::vector<int64_t> steps;
  for (const NormPoint& p : r.points()) {
    steps.push_back(p.step());
    t.push_back(static_cast<double>(p.step()));
    rho.push_back(p.rho());
  }
  r.clear_fits();
  for (NormFit& fit : FitNormGrowth(t, rho)) *r.add_fits() = std::move(fit);
  const GrowthStop stop = FindGrowthStop(steps, rho);
  r.set_growth_95_step(stop.growth_95_step);
  r.set_late_growth_fraction(stop.late_growth_fraction);

  const RunConfig& c = run->config();
  absl::StatusOr<std::shared_ptr<Model>> trained =
      LoadTrainedModel(c, checkpoint);
  if (!trained.ok()) return trained.status();
  std::shared_ptr<Model> init = BuildModel(c);
  absl::StatusOr<LmData> data =
      MakeLmData(c.data(), c.probe(), c.model().vocab_size(), c.data_seed());
  if (!data.ok()) return data.status();
  const Batch& probe = data->probe;
  const double big = config.saturation_scale();
  const float tol = config.tie_tolerance();
  const std::vector<torch::Tensor> trained_h = BlockOutputs(**trained, probe);
  *r.mutable_saturated_trained() =
      SaturationSimilarity(**trained, trained_h, probe, big, true, tol);
  *r.mutable_saturated_init() = SaturationSimilarity(
      *init, BlockOutputs(*init, probe), probe, big, true, tol);
  r.clear_curve();
  for (float scale : config.similarity_scales()) {
    *r.add_curve() =
        SaturationSimilarity(**trained, trained_h, probe, scale, false);
  }
  const SaturatedHeads heads = MeasureSaturatedHeads(
      **trained, probe, {big, config.attended_threshold(), tol});
  r.clear_heads();
  for (const HeadPositions& h : heads.heads) *r.add_heads() = h;
  r.set_mean_visible_keys(static_cast<float>(heads.mean_visible_keys));
  r.set_kernel_softmax_agreement(
      static_cast<float>(heads.kernel_softmax_agreement));

  const NormFit& power = r.fits(2);
  double mean_n = 0;
  for (const HeadPositions& h : heads.heads) mean_n += h.mean();
  mean_n /= std::max<size_t>(heads.heads.size(), 1);
  const auto mean_layers = [](const SimilarityAtScale& s) {
    double sum = 0;
    for (float v : s.layers()) sum += v;
    return s.layers().empty() ? 0 : sum / s.layers_size();
  };
  std::printf(
      "analysed %s: rho %.2f -> %.2f, alpha %.2f (R^2 %.3f); similarity at "
      "c = %g: %.3f trained, %.3f init (mean over layers); heads attend %.1f "
      "keys on average (of %.1f visible)\n",
      run->name().c_str(), rho.front(), rho.back(), power.alpha(), power.r2(),
      big, mean_layers(r.saturated_trained()), mean_layers(r.saturated_init()),
      mean_n, heads.mean_visible_keys);
  return absl::OkStatus();
}

absl::Status Run() {
  NormGrowthConfig config;
  if (absl::Status s = LoadExperimentConfig(&config); !s.ok()) return s;
  absl::StatusOr<std::vector<SweepRun>> sweep =
      ExpandSweep(config.base(), config.sweep());
  if (!sweep.ok()) return sweep.status();
  if (absl::Status s = ValidateExperiment(config, *sweep); !s.ok()) return s;
  absl::StatusOr<OutputPaths> paths = PrepareOutput();
  if (!paths.ok()) return paths.status();

  absl::StatusOr<std::vector<TrainingRecord>> runs =
      RunExperimentSweep(*sweep, config.base(), {TrackNormGrowth}, *paths);
  if (!runs.ok()) return runs.status();

  for (TrainingRecord& run : *runs) {
    if (absl::Status s = Analyse(
            config, RunCheckpointPath(paths->work_dir, run.name()), &run);
        !s.ok()) {
      return s;
    }
  }
  Results results;
  return WriteSweepResults(config, *std::move(runs),
                           results.mutable_norm_growth(), &results, *paths);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      {"norm_growth",
       "Parameter norm growth and saturation in a ReLU transformer LM "
       "(Merrill et al. 2021): rho(t) with fits against t, sqrt(t) and "
       "t^alpha, per-layer norms, direction and alignment of updates, when "
       "growth stops (AdamW with and without weight decay, SGD), how close "
       "each layer is to the saturated network c * theta (trained vs "
       "initialised, pre- vs post-norm, with and without biases), and how "
       "many keys the saturated model's heads attend to.",
       /*committed_presets=*/{"default"}},
      &argc, &argv);
  return sparsity::RunMain("norm_growth", sparsity::Run);
}
