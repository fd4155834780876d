// Experiment 4 (docs/method.md, "gradient_sparsity"): gradient sparsity and
// the plug-in modules of Peng et al. 2023 ([P]), which are reported to make
// ReLU transformers' activations sparser.
//
// Method: train ViTs on Fashion-MNIST and LMs on Brown, each variant under
// at least three seed pairs. From scratch: the plain-ReLU baseline;
// J-SquaredReLU; the zeroth bias (at the MLP's input, and at its output)
// with the restricted LayerNorm; and both together. Finetuning: from each
// seed's final baseline checkpoint (init_from), the ReLU -> JSReLU mix with
// the zeroth bias and the finetuning restricted LayerNorm, against a
// control that continues training the baseline unchanged. At step 0, every
// probe.every steps and at the end, measure every MLP layer's token density
// on the held-out probe (train/sparsity_probe.h) and, on a fixed batch of
// training examples, gradient sparsity (eta = dL/d(activation output) *
// f'(pre)), activation density and the spectral concentration of fc1
// (train/gradient_probe.h); after the last step, the held-out loss under
// Gaussian weight noise (train/flatness.h). The report compares each
// variant's final density with its baseline's (by declared roles), beside
// its accuracy or held-out loss, and tests [P]'s claims over paired seeds.
//
//   bazel run //experiments:gradient_sparsity -- --preset=default
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "experiments/runner.h"
#include "proto/config.pb.h"
#include "proto/plugins.h"
#include "proto/results.pb.h"
#include "train/flatness.h"
#include "train/gradient_probe.h"
#include "train/sparsity_probe.h"
#include "train/sweep.h"

namespace sparsity {
namespace {

// Each family among the runs has exactly one baseline variant (from
// scratch, plain ReLU, no plug-ins), and every finetuning run starts from
// its family's baseline.
absl::Status ValidateExperiment(const std::vector<SweepRun>& runs) {
  std::map<ModelConfig::Family, std::set<std::string>> baselines;
  for (const SweepRun& run : runs) {
    if (run.config.init_from().empty() && !HasPlugIns(run.config.model())) {
      baselines[run.config.model().family()].insert(run.variant);
    }
  }
  for (const auto& [family, names] : baselines) {
    if (names.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variants ", *names.begin(), " and ", *std::next(names.begin()),
          " are both from-scratch plain-ReLU baselines of one model family: "
          "keep one"));
    }
  }
  for (const SweepRun& run : runs) {
    const auto found = baselines.find(run.config.model().family());
    if (found == baselines.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variant ", run.variant,
          " has no baseline of its model family (a from-scratch plain-ReLU "
          "variant without plug-ins) among the runs"));
    }
    const std::string& from = run.config.init_from();
    const std::string baseline = *found->second.begin();
    if (!from.empty() && from.substr(0, from.find('/')) != baseline) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variant ", run.variant, " finetunes from '", from,
          "': it must start from its family's baseline '", baseline, "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFlatness(const GradientSparsityConfig& c) {
  float previous = 0;
  for (float sigma : c.flatness_sigmas()) {
    if (!(sigma > previous && sigma <= 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("flatness_sigmas must be rising, in (0, 1], got ", sigma,
                       " after ", previous));
    }
    previous = sigma;
  }
  if (!c.flatness_sigmas().empty() &&
      !(c.flatness_draws() >= 1 && c.flatness_draws() <= 1000)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "flatness_draws must be in [1, 1000], got ", c.flatness_draws()));
  }
  return absl::OkStatus();
}

absl::Status Run() {
  GradientSparsityConfig config;
  if (absl::Status s = LoadExperimentConfig(&config); !s.ok()) return s;
  absl::StatusOr<std::vector<SweepRun>> sweep =
      ExpandSweep(config.base(), config.sweep());
  if (!sweep.ok()) return sweep.status();
  if (absl::Status s = ValidateExperiment(*sweep); !s.ok()) return s;
  if (absl::Status s = ValidateFlatness(config); !s.ok()) return s;
  absl::StatusOr<OutputPaths> paths = PrepareOutput();
  if (!paths.ok()) return paths.status();

  std::vector<RunHook> hooks = {AddSparsityProbe, AddGradientProbe};
  if (!config.flatness_sigmas().empty()) {
    hooks.push_back(MeasureFlatness(
        {config.flatness_sigmas().begin(), config.flatness_sigmas().end()},
        config.flatness_draws()));
  }
  absl::StatusOr<std::vector<TrainingRecord>> runs =
      RunExperimentSweep(*sweep, config.base(), hooks, *paths);
  if (!runs.ok()) return runs.status();

  Results results;
  return WriteSweepResults(config, *std::move(runs),
                           results.mutable_gradient_sparsity(), &results,
                           *paths);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      {"gradient_sparsity",
       "Gradient sparsity and the plug-in modules of Peng et al. 2023: "
       "ViTs (Fashion-MNIST) and LMs (Brown) trained from scratch as ReLU "
       "baselines, with J-SquaredReLU, with the zeroth bias (MLP input or "
       "output) and restricted LayerNorm, and with both; and finetuned from "
       "the baseline with the ReLU->JSReLU mix, zeroth bias and restricted "
       "LayerNorm against an unchanged control. Per layer over training: "
       "activation density, gradient sparsity (|eta| below 1e-9, 1e-6, "
       "1e-3; l1, l2) and the spectral concentration of the first MLP "
       "weight; the change in density against the baseline beside accuracy "
       "or held-out loss, over seeds.",
       /*committed_presets=*/{"default"}},
      &argc, &argv);
  return sparsity::RunMain("gradient_sparsity", sparsity::Run);
}
