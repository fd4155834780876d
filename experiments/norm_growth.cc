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

#include <cmath>
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
#include "proto/results_io.h"
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
  if (!(c.saturation_scale() > 1 && c.saturation_scale() <= 1e6)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "saturation_scale must be in (1, 1e6], got ", c.saturation_scale()));
  }
  if (c.similarity_scales().empty()) {
    return absl::InvalidArgumentError("similarity_scales is empty");
  }
  float previous = 0;
  for (float s : c.similarity_scales()) {
    if (!(s > previous && s <= 1e6)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "similarity_scales must be positive, rising and at most 1e6, got ", s,
          " after ", previous));
    }
    previous = s;
  }
  if (!(c.attended_threshold() > 0 && c.attended_threshold() < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attended_threshold must be in (0, 1), got ", c.attended_threshold()));
  }
  if (!(c.tie_tolerance() >= 0 && std::isfinite(c.tie_tolerance()))) {
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
    if (c.trajectory_every() < 0 || c.trajectory_every() % every != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trajectory_every must be 0 or a multiple of probe.every (", every,
          "), got ", c.trajectory_every()));
    }
  }
  return absl::OkStatus();
}

std::string SnapshotPath(const std::string& work_dir, const std::string& run,
                         int64_t step) {
  return absl::StrCat(RunCheckpointPath(work_dir, run), ".theta-", step, ".pb");
}

// The squared norms of rho, the body and every group fitted against steps
// and against the cumulative learning rate: rho grows like sqrt(t) when
// rho^2 = a + b * t (exponent 1), whatever the initial norm a.
void FitGroups(NormGrowthRecord& r) {
  const std::vector<std::string> groups(r.groups().begin(), r.groups().end());
  std::vector<std::string> names = {"all", "body"};
  names.insert(names.end(), groups.begin(), groups.end());
  r.clear_group_fits();
  for (const char* clock : {"steps", "cumulative_lr"}) {
    for (size_t g = 0; g < names.size(); ++g) {
      std::vector<double> t, y;
      for (const NormPoint& p : r.points()) {
        t.push_back(std::string(clock) == "steps"
                        ? static_cast<double>(p.step())
                        : p.cumulative_lr());
        const std::vector<double> group_rho(p.group_rho().begin(),
                                            p.group_rho().end());
        const double norm = g == 0   ? p.rho()
                            : g == 1 ? BodyNorm(p.rho(), groups, group_rho)
                                     : group_rho[g - 2];
        y.push_back(norm * norm);
      }
      GroupFits& fits = *r.add_group_fits();
      fits.set_group(names[g]);
      fits.set_clock(clock);
      for (NormFit& fit : FitNormGrowth(t, y)) *fits.add_fits() = fit;
    }
  }
}

void SetParameterNorms(const Model& init, const Model& trained,
                       NormGrowthRecord& r) {
  r.clear_parameter_norms();
  const auto before = init.named_parameters();
  for (const auto& p : trained.named_parameters()) {
    if (!p.value().requires_grad() || p.value().dim() == 0) continue;
    ParameterNorm& n = *r.add_parameter_norms();
    n.set_name(p.key());
    n.set_init(before[p.key()].norm().item<double>());
    n.set_final(p.value().norm().item<double>());
  }
}

// The direction matrix from the run's snapshots at its trajectory steps.
absl::Status SetDirection(const NormGrowthConfig& config, const RunConfig& c,
                          const std::string& work_dir, TrainingRecord* run) {
  const std::vector<int64_t> steps = TrajectorySteps(
      c.train().steps(), c.probe().every(), config.trajectory_every());
  std::vector<torch::Tensor> thetas;
  for (int64_t step : steps) {
    ParameterSnapshot snapshot;
    if (absl::Status s =
            ReadProto(SnapshotPath(work_dir, run->name(), step), &snapshot);
        !s.ok()) {
      return s;
    }
    thetas.push_back(torch::tensor(std::vector<float>(snapshot.theta().begin(),
                                                      snapshot.theta().end()))
                         .to(torch::kDouble));
  }
  *run->mutable_norm_growth()->mutable_direction() =
      CosineMatrix(steps, thetas);
  return absl::OkStatus();
}

void SetSaturation(const NormGrowthConfig& config, Model& trained, Model& init,
                   const Batch& probe, NormGrowthRecord& r) {
  const double big = config.saturation_scale();
  const float tol = config.tie_tolerance();
  const std::vector<torch::Tensor> trained_h = BlockOutputs(trained, probe);
  *r.mutable_saturated_trained() =
      SaturationSimilarity(trained, trained_h, probe, big, true, tol);
  *r.mutable_saturated_init() = SaturationSimilarity(
      init, BlockOutputs(init, probe), probe, big, true, tol);
  r.clear_curve();
  for (float scale : config.similarity_scales()) {
    *r.add_curve() =
        SaturationSimilarity(trained, trained_h, probe, scale, false);
  }
  const SaturatedHeads heads = MeasureSaturatedHeads(
      trained, probe, {big, config.attended_threshold(), tol});
  const std::vector<HeadSpread> at_one =
      MeasureHeadSpread(trained, probe, kMinVisibleKeys);
  r.clear_heads();
  for (size_t i = 0; i < heads.heads.size(); ++i) {
    HeadPositions& h = *r.add_heads() = heads.heads[i];
    h.set_c1_effective_keys(static_cast<float>(at_one[i].effective_keys));
    h.set_c1_spread(static_cast<float>(at_one[i].spread));
  }
  r.set_mean_visible_keys(static_cast<float>(heads.mean_visible_keys));
  r.set_kernel_softmax_agreement(
      static_cast<float>(heads.kernel_softmax_agreement));
}

// Fits, growth stop, direction, saturation and heads of one finished run.
absl::Status Analyse(const NormGrowthConfig& config,
                     const std::string& work_dir, TrainingRecord* run) {
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
  FitGroups(r);
  const GrowthStop stop = FindGrowthStop(steps, rho);
  r.set_growth_95_step(stop.growth_95_step);
  r.set_late_growth_fraction(stop.late_growth_fraction);

  const RunConfig& c = run->config();
  if (absl::Status s = SetDirection(config, c, work_dir, run); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<Model>> trained =
      LoadTrainedModel(c, RunCheckpointPath(work_dir, run->name()));
  if (!trained.ok()) return trained.status();
  std::shared_ptr<Model> init = BuildModel(c);
  SetParameterNorms(*init, **trained, r);
  absl::StatusOr<LmData> data =
      MakeLmData(c.data(), c.probe(), c.model().vocab_size(), c.data_seed());
  if (!data.ok()) return data.status();
  SetSaturation(config, **trained, *init, data->probe, r);
  std::printf(
      "analysed %s: rho %.2f -> %.2f, alpha %.2f (R^2 %.3f), body rho^2 beta "
      "%.2f\n",
      run->name().c_str(), rho.front(), rho.back(), r.fits(2).alpha(),
      r.fits(2).r2(), r.group_fits(1).fits(2).alpha());
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

  NormTrackingOptions options;
  options.trajectory_every = config.trajectory_every();
  options.saturation_scale = config.saturation_scale();
  options.tie_tolerance = config.tie_tolerance();
  options.snapshot_path = [work_dir = paths->work_dir](const std::string& run,
                                                       int64_t step) {
    return SnapshotPath(work_dir, run, step);
  };
  absl::StatusOr<std::vector<TrainingRecord>> runs = RunExperimentSweep(
      *sweep, config.base(), {TrackNormGrowth(options)}, *paths);
  if (!runs.ok()) return runs.status();

  for (TrainingRecord& run : *runs) {
    if (absl::Status s = Analyse(config, paths->work_dir, &run); !s.ok()) {
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
