// Findings of experiment 4 (gradient_sparsity, [P]): every number and
// verdict the gradient-sparsity report cites, computed from the results
// alone (docs/method.md, "Gradient sparsity: the claims as tested" and
// "Verdicts"); the report only formats them. Variants are picked by their
// declared roles ("baseline", "jsrelu", "zeroth_bias", "both",
// "finetune_control", "finetune") within each model family (ViT, LM).
//
//   GradientSparsityFindings f = AnalyzeGradientSparsity(results);
//   FindResult(f.verdicts, "P1.vit_jsrelu").verdict;
#ifndef SPARSITY_REPORTS_GRADIENT_SPARSITY_FINDINGS_H_
#define SPARSITY_REPORTS_GRADIENT_SPARSITY_FINDINGS_H_

#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

// docs/method.md, "Gradient sparsity: the claims as tested".
// P4: gradient sparsity beyond the activation zeros is "there" when at
// least this share of the active entries (on the tokens that reach the
// loss) have |eta| < 1e-6.
inline constexpr double kP4MinActiveShare = 0.05;
// P6: "equal accuracy" is a paired difference within these margins: test
// accuracy (ViT, a fraction) and held-out loss (LM, nats per byte).
inline constexpr double kAccuracyMargin = 0.005;
inline constexpr double kLossMargin = 0.02;
// P7: the weight-noise scale whose loss increase is the flatness proxy.
inline constexpr double kFlatnessSigma = 0.05;
// [P]'s headline: about half as many nonzero activations.
inline constexpr double kPaperChange = -0.5;
// The gradient thresholds (LayerGradient.eta_below) and spectral r
// (LayerGradient.spectral) in the order the records list them.
inline constexpr int kEta9 = 0, kEta6 = 1, kEta3 = 2;
inline constexpr int kSpectral01 = 0, kSpectral10 = 1;

// One variant's final measurements, means over layers, over its runs.
struct ArmFindings {
  std::string name, role, label;  // label: the modules (PlugInLabel)
  bool vit = false;
  int runs = 0;
  int64_t parameters = 0;
  Spread density;          // held-out token density
  Spread quality;          // test accuracy (ViT) or held-out loss (LM)
  Spread change;           // density / the reference's - 1, paired (not for
                           // the reference itself: n = 0)
  Spread quality_change;   // paired difference
  Spread eta_full;         // |eta| < 1e-6 over every entry
  Spread zeros;            // 1 - the gradient batch's activation density
  Spread eta_active;       // |eta| < 1e-6 among active entries
  Spread eta_active9;      // |eta| < 1e-9 among active entries
  Spread top_eigen;        // fc1 eigenvalues above 10 x mean
  Spread top_eigen_init;   // the same at step 0
  Spread flatness;         // loss increase at kFlatnessSigma (none: n = 0)
  Spread throughput;       // tokens/s / the reference's - 1, paired
  std::string density_id;  // its density comparison ("" for a reference)
  std::string quality_id;  // its quality comparison, if any
  // P6, "sparser at equal quality": both the density and the quality
  // comparison must support it (an intersection-union test); set where
  // quality_id is.
  ComparisonResult joint;
};

// The baseline's gradient per layer: what the full fraction is made of.
struct LayerGradientRow {
  int layer = 0;
  Spread eta_full, zeros, loss_tokens, eta_active, eta_active9;
};

struct FamilyFindings {
  bool vit = false;
  std::string name;                      // "ViT", "LM"
  std::vector<ArmFindings> scratch;      // the baseline first
  std::vector<ArmFindings> finetune;     // the control first (may be empty)
  std::vector<LayerGradientRow> layers;  // the baseline's
  std::string p4_id, p5_id, p7_id;
  Spread p5_correlation;  // per seed, density against fc1's top eigenvalues
  Spread p7_correlation;  // per seed, density against flatness
};

struct GradientSparsityFindings {
  std::vector<FamilyFindings> families;
  // Columns that cannot move: |eta| < 1e-3 and the count at r = 0.1 over
  // every run's final probe (min..max), and d_model.
  Spread eta3, count01;
  double longest_minutes = 0;  // of training, over runs
  int compared = 0, sparser = 0, denser = 0, half_of_paper = 0;
  std::vector<ComparisonResult> verdicts;
  std::vector<ClaimRow> claims;
};

// Means over a probe's layers: token density; the share of active entries
// with |eta| below kGradientThresholds[t] (t = kEta9, kEta6); fc1's
// eigenvalues above 10 x their mean.
double MeanDensity(const Probe& p);
double EtaActiveAt(const GradientProbe& g, int t);
double TopEigen(const GradientProbe& g);

GradientSparsityFindings AnalyzeGradientSparsity(
    const GradientSparsityResults& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_GRADIENT_SPARSITY_FINDINGS_H_
