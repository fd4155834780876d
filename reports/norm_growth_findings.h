// Findings of experiment 3 (norm_growth, [M]): every number and verdict the
// norm-growth report cites, computed from the results alone (docs/method.md,
// "Norm growth: the claims as tested" and "Verdicts"); the report only
// formats them. Runs are picked by their declared variant roles
// ("reference", "constant_lr", "optimizer", "architecture"), never by
// comparing configs.
//
//   NormGrowthFindings f = AnalyzeNormGrowth(results.norm_growth());
//   FindResult(f.verdicts, kM1BodyConstant).verdict;
#ifndef SPARSITY_REPORTS_NORM_GROWTH_FINDINGS_H_
#define SPARSITY_REPORTS_NORM_GROWTH_FINDINGS_H_

#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

// docs/method.md, "Norm growth: the claims as tested".
// M1: "like sqrt(t)" is rho^2 = a + b * x^beta with beta within
// kExponentMargin of 1 (TOST; rho^2 - rho(0)^2 proportional to t), where the
// power form explains at least kMinPowerR2 of rho^2's variance in every run
// (otherwise no growth law is fitted: no valid test).
inline constexpr double kSqrtLawExponent = 1.0;
inline constexpr double kExponentMargin = 0.3;
inline constexpr double kMinPowerR2 = 0.98;
// Growth "has stopped" when the last quarter of training adds at most this
// fraction of rho's rise (one-sided test).
inline constexpr double kStopMargin = 0.05;
// A variant trains "comparably" to the reference when its held-out loss is
// at most this much above the reference's (mean paired difference, nats);
// otherwise its growth says nothing about the optimiser.
inline constexpr double kComparableLoss = 0.05;
// Heads of the trained model at c = 1: argmax-like when their effective
// keys average at most kArgmaxKeys, mean-like when their spread (effective
// keys over visible keys) averages at least kMeanSpread. M4: the share of
// heads that are neither is at most kBetweenMargin (one-sided test).
inline constexpr double kArgmaxKeys = 1.5;
inline constexpr double kMeanSpread = 0.5;
inline constexpr double kBetweenMargin = 0.25;
// The saturated heads (c = saturation_scale): argmax when a query attends
// to at most kArgmaxKeys keys on average, mean at half the visible keys.
inline constexpr double kSaturatedMeanShare = 0.5;

inline constexpr char kM1BodyConstant[] = "M1.body_constant_lr";
inline constexpr char kM1BodySchedule[] = "M1.body_cumulative_lr";
inline constexpr char kM1AllReference[] = "M1.all_steps";
inline constexpr char kM2Constant[] = "M2.constant_lr";
inline constexpr char kM2Reference[] = "M2.reference";
inline constexpr char kM3Layer[] = "M3.layer";  // + the layer: "M3.layer2"
inline constexpr char kM4Saturated[] = "M4.saturated";
inline constexpr char kM4AtOne[] = "M4.at_c1";
inline constexpr char kStop[] = "stop.";  // + the variant: "stop.sgd"

// The power fit of a squared norm, rho^2 = a + b * x^beta, over a
// variant's runs (beta 1: growth like sqrt(x)).
struct PowerFit {
  Spread alpha, r2;  // alpha: the exponent beta
};

// One run's squared body norm against steps with its fits (the primary M1
// test's data, drawn in the report).
struct ExampleFit {
  std::string run;
  std::vector<double> x, y;   // steps, rho_body^2
  std::vector<NormFit> fits;  // beta 1, 1/2, free
};

struct VariantGrowth {
  std::string name, role, optimiser, architecture;
  int runs = 0;
  Spread rho0, rho_end, rise, loss;  // rise: rho(end) / rho(0) - 1
  Spread r2_t, r2_sqrt;              // whole vector against steps
  PowerFit all_steps, body_steps, all_lr, body_lr;
  Spread late, at95;  // late-growth fraction, step at 95%
  // Held-out loss minus the reference's, paired over seeds (mean; NaN
  // without pairs); comparable: within kComparableLoss.
  double loss_excess = 0;
  bool comparable = true;
};

struct GroupGrowth {
  std::string group;  // "all", "body", "embeddings", "block 0", ...
  Spread init, end, growth, share;  // share of rho^2's rise
  PowerFit steps, lr;               // against steps, cumulative lr
};

// What rho^2 is made of: one kind of parameter (e.g. "LayerNorm gains").
struct KindShare {
  std::string kind;
  Spread init_share;  // of rho^2 at initialisation
  Spread rise_share;  // of rho^2's rise over training
};

// 1 - cos between parameter vectors at the trajectory steps of a variant.
struct DirectionSummary {
  std::string variant;
  std::vector<double> steps;                // trajectory steps
  std::vector<std::vector<double>> to_end;  // [run][step]: 1 - cos(t, T)
  // The two windows of M2: [half, three quarters] and [three quarters,
  // end] of the run, at the nearest trajectory steps.
  int64_t half = 0, three_quarters = 0, end = 0;
  Spread early, late;  // 1 - cos over each window
};

// The body's norm against the cumulative learning rate, one variant.
struct BodyCurve {
  std::string variant;
  std::vector<double> cumulative_lr;      // per probe point
  std::vector<std::vector<double>> body;  // [run][point]
};

struct HeadCounts {
  int argmax = 0, mean = 0, between = 0;
};

struct HeadFindings {
  HeadCounts saturated, at_one;  // reference runs pooled
  int heads = 0;                 // pooled
  double visible = 0;            // mean visible keys of a query
  Spread agreement;              // kernel against softmax at c
  Spread between_share;          // at c = 1, per run
  std::vector<double> saturated_keys, at_one_keys, at_one_spread;  // pooled
  std::vector<HeadPositions> first_run;  // every head of the first run
};

// Similarity to c * theta over training and against c.
struct SaturationFindings {
  std::vector<double> steps;                          // trajectory steps
  std::vector<std::vector<std::vector<double>>> per;  // [run][step][layer]
  std::vector<Spread> init, end;                      // per layer
  // Per layer, the trajectory step where the mean over runs is highest,
  // and that mean (a layer may peak early and fall back).
  std::vector<double> peak_step, peak;
};

struct CurveRow {
  std::string variant, architecture;
  int runs = 0;
  std::vector<double> scales;
  std::vector<std::vector<double>> last_layer;  // [run][scale]
  Spread trained, init;  // mean over layers at c = saturation_scale
};

struct NormGrowthFindings {
  std::string reference;  // the reference variant's name
  int reference_runs = 0;
  double saturation_scale = 0, tie_tolerance = 0, attended_threshold = 0;
  std::vector<VariantGrowth> variants;       // every variant, sweep order
  std::vector<GroupGrowth> groups;           // reference: all, body, each group
  std::vector<KindShare> kinds;              // reference
  std::vector<DirectionSummary> directions;  // reference, constant_lr
  std::vector<BodyCurve> body_curves;        // reference, constant_lr
  ExampleFit example;  // the first constant_lr run (or reference run)
  SaturationFindings saturation;  // reference
  std::vector<CurveRow> curves;   // reference and architecture variants
  HeadFindings heads;             // reference
  std::vector<ComparisonResult> verdicts;
  std::vector<ClaimRow> claims;
};

// The kind of a parameter by its name: "LayerNorm gains", "LayerNorm
// biases", "embeddings", "output head", "attention weights", "MLP weights",
// "other biases", "other".
std::string ParameterKind(const std::string& name);

NormGrowthFindings AnalyzeNormGrowth(const NormGrowthResults& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_NORM_GROWTH_FINDINGS_H_
