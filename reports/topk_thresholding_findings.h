// Findings of experiment 5 (topk_thresholding, [L]): every verdict the
// lazy-neuron reports cite, and the numbers their summaries quote, computed
// from the results alone (docs/method.md, "Lazy neurons / Top-k: the claims
// as tested" and "Verdicts"); the reports only format them. Variants are
// picked by their declared roles: "reference" (the ViT), "lm_reference",
// "width", "depth", "random_labels", "random_inputs", "infinite", "topk"
// (Top-k ViTs on clean labels), "noisy" (ReLU ViTs on flipped labels),
// "noisy_topk" and "lm_topk". The same analysis reads the default preset and
// the memorise preset (ViTs only, no "lm_reference"), each as its own
// family of tests.
//
//   LazyFindings f = AnalyzeLazyNeurons(results.topk_thresholding());
//   FindResult(f.verdicts, "L1.vit").verdict;
#ifndef SPARSITY_REPORTS_TOPK_THRESHOLDING_FINDINGS_H_
#define SPARSITY_REPORTS_TOPK_THRESHOLDING_FINDINGS_H_

#include <string>
#include <vector>

#include "metrics/flops.h"
#include "proto/results.pb.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

// docs/method.md, "Lazy neurons / Top-k: the claims as tested".
// L1: "a few percent nonzero" is a mean token density below this.
inline constexpr double kFewNonzero = 0.10;
// L2: held-out and training density are "the same" within this margin.
inline constexpr double kSameDensityMargin = 0.01;
// L6: a live unit "fires rarely" below this firing frequency (this
// project's reading of [L]'s lazy neurons: less often than their few-percent
// density, kFewNonzero); "most" of the zero entries is more than kMostZeros
// of them.
inline constexpr double kRareFiring = kFewNonzero;
inline constexpr double kMostZeros = 0.5;
// L9: [L]'s calibration claim is about overconfident models: testable only
// where the ReLU arm's mean confidence exceeds its accuracy by at least
// this in some seed; otherwise "not testable here".
inline constexpr double kOverconfident = 0.05;

// Per run, from its final probe: mean over layers of the held-out and the
// training token density, and one layer's held-out density; the density at
// step 0.
double HeldOutDensity(const TrainingRecord& r);
double TrainDensity(const TrainingRecord& r);
double InitDensity(const TrainingRecord& r);
double LayerDensity(const TrainingRecord& r, int layer);
// Mean held-out density of the layers between the first and the last (0
// for a model of two blocks or fewer).
double MiddleDensity(const TrainingRecord& r);
// The final calibration's mean confidence minus its accuracy (from the
// reliability bins): > 0 overconfident.
double Overconfidence(const TrainingRecord& r);
// The final calibration's accuracy (ViT: test images; LM: next bytes) and
// its expected calibration error.
double Accuracy(const TrainingRecord& r);
double Ece(const TrainingRecord& r);
// Training accuracy on the run's own training labels (noisy or random
// where they are).
double TrainAccuracy(const TrainingRecord& r);

// Per-unit firing frequencies (held-out, every layer): the fraction of units
// that never fire (dead) or fire on fewer than kRareFiring of tokens
// (rare); of all zero entries, the share from dead units and from rare
// live units; the density of the units that fire at all.
struct UnitShares {
  double dead = 0, rare = 0;
  double dead_zeros = 0, rare_zeros = 0;
  double live_density = 0;
};
UnitShares SharesOf(const TrainingRecord& r);

// Severities 1..5 of data/corruptions.h (0: the clean images).
inline constexpr int kSeverities = 5;
// Mean accuracy over the corruptions named (all when empty) at severities
// lo..hi; and the mean over every corruption at severities 1-5 over the
// accuracy of the same images uncorrupted (severity 0).
double CorruptedAccuracy(const TrainingRecord& r, int lo, int hi,
                         const std::string& corruption = "");
double CorruptedOverClean(const TrainingRecord& r);

// A run's k (0: plain ReLU).
int KOf(const TrainingRecord& r);

// MLP FLOPs per token, every layer, from the final held-out densities
// (metrics/flops.h); and the second matrix computed only for the nonzero
// units over the dense FLOPs.
MlpFlops RunFlops(const TrainingRecord& r);
double SparseFc2Share(const TrainingRecord& r);

// One arm of the Top-k comparisons.
struct TopkArm {
  std::string name, role;
  int k = 0;         // 0: plain ReLU
  double noise = 0;  // fraction of training labels flipped
  Runs runs;
  std::string Label() const;  // "ReLU", "Top-4"
};

struct LazyFindings {
  bool memorise = false;           // no LM reference: the memorise preset
  TopkArm vit, lm;                 // the references (lm.runs empty in memorise)
  std::vector<Runs> width, depth;  // by d_ff / n_layers, reference included
  std::vector<TopkArm> synthetic;  // random_labels, random_inputs, infinite
  std::vector<TopkArm> topk, noisy, noisy_topk, lm_topk;  // by k / noise
  // Per synthetic stream: its final held-out density minus the reference's,
  // paired by seed (shown, not tested: no margin was fixed in advance).
  std::vector<Spread> synthetic_vs_reference;
  // The ids of the comparisons, for the prose.
  std::vector<std::string> l1, l2, l3, l4, l5, l6, l7, l8, l9, l10;
  int chance_classes = 10;
  std::vector<ComparisonResult> verdicts;
  std::vector<ClaimRow> claims;
};

LazyFindings AnalyzeLazyNeurons(const TopkThresholdingResults& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_TOPK_THRESHOLDING_FINDINGS_H_
