// Verdicts from paired comparisons over seeds (docs/method.md, "Verdicts").
// A claim is tested on its per-seed paired differences d_i = a_i - b_i
// (same init and data seeds in both arms, or two layers of the same run):
// the mean difference, its 95% Student-t interval and a two-sided paired
// t-test; within one report every test is adjusted together (Holm).
//
//   std::vector<Comparison> family = {
//       {"W1", "token density falls over training", Claimed::kNegative,
//        final_minus_init}};
//   std::vector<ComparisonResult> r = Decide(family);
//   r[0].verdict;  // Verdict::kSupports, ...
//
// Why a t-test and not an exact sign-flip permutation test: with 5 seeds the
// sign-flip test's smallest two-sided p-value is 2/32 = 0.0625, so it can
// never reject at 5% (let alone after Holm); the t-test is exact for normal
// differences, and verdict_test.cc shows by simulation that its rate stays
// at or below 5% for heavy- and light-tailed symmetric nulls as well.
#ifndef SPARSITY_REPORTS_VERDICT_H_
#define SPARSITY_REPORTS_VERDICT_H_

#include <string>
#include <vector>

namespace sparsity {

// docs/method.md, "Verdicts": the family-wise false-positive rate of one
// report's verdicts (Holm), the interval's coverage, and the fewest paired
// seeds that may give more than "inconclusive".
inline constexpr double kFamilyAlpha = 0.05;
inline constexpr double kIntervalLevel = 0.95;
inline constexpr int kMinPairedSeeds = 5;

enum class Verdict { kSupports, kContradicts, kInconclusive, kNotTestable };

// "supports", "contradicts", "inconclusive", "not testable here".
std::string VerdictName(Verdict v);

// The sign a claim predicts for the mean paired difference, or no effect
// (kEquivalent: the difference lies within the comparison's
// equivalence_margin, e.g. "pruning dead units costs no loss").
// kAtMost: the difference is at most equivalence_margin (no meaningful
// increase; a decrease is in line with the claim), e.g. "deaths follow no
// more outliers than chance".
enum class Claimed { kPositive, kNegative, kEquivalent, kAtMost };

struct PairedStats {
  int n = 0;
  double mean = 0;                 // mean paired difference
  double sd = 0;                   // its sample standard deviation (n - 1)
  double ci_low = 0, ci_high = 0;  // kIntervalLevel Student-t interval
  double p = 1;                    // two-sided paired t-test of mean 0
};

// The paired t-test on the differences (n >= 2; with n < 2 only mean is
// set and p = 1). Differences that are all equal give p = 0 when their mean
// is non-zero and p = 1 when it is zero.
PairedStats PairedTTest(const std::vector<double>& differences);

// Two one-sided t-tests (TOST) on the paired differences summarised by s
// (PairedTTest): the p-value for "the mean lies within (-margin, margin)".
// margin > 0.
double EquivalenceP(const PairedStats& s, double margin);

// One-sided t-test on the differences summarised by s: the p-value for
// "the mean lies below margin" (H0: mean >= margin).
double AtMostP(const PairedStats& s, double margin);

// The p-value for "the mean lies above +margin" (above_only) or "beyond
// ±margin" (either side, Bonferroni over the two one-sided tests): what
// contradicts a claim of at most, or of no, effect.
double BeyondMarginP(const PairedStats& s, double margin, bool above_only);

// Student's t distribution with df > 0 degrees of freedom.
double StudentTCdf(double t, double df);
double StudentTQuantile(double probability, double df);

// Holm's step-down adjustment: adjusted[i] for p[i], same order.
std::vector<double> HolmAdjust(const std::vector<double>& p);

// One claim of a report, as paired differences in the claim's metric.
struct Comparison {
  std::string id;     // short and unique within the report, e.g. "W2.window"
  std::string claim;  // what the paper says, in a few words
  Claimed claimed = Claimed::kPositive;
  std::vector<double> differences;  // one per seed
  // > 0: an effect within (-margin, margin), shown by TOST, "contradicts".
  // Stated in advance in docs/method.md; 0: no equivalence test.
  double equivalence_margin = 0;
  // Non-empty: why the metric cannot move here (e.g. at its ceiling); the
  // verdict is then "not testable here" and no test is counted.
  std::string not_testable;
  // Non-empty: no valid test exists yet (e.g. its null is known to be
  // wrong); the verdict is "inconclusive" with this reason, not counted.
  std::string no_valid_test;
  // How a report shows the differences: value = scale * difference, then
  // the unit ("points" for fractions shown as percentage points).
  double scale = 1;
  std::string unit;
};

struct ComparisonResult {
  Comparison comparison;
  PairedStats stats;
  // The p-value of the test that enters the family first: the two-sided
  // t-test of mean 0, or for a kEquivalent / kAtMost claim the test that
  // the mean lies beyond its margin (BeyondMarginP); p_adjusted is its Holm
  // adjustment.
  double p_decisive = 1;
  double p_adjusted = 1;     // Holm, within the report's family
  double p_equivalence = 1;  // TOST (1 without a margin)
  double p_equivalence_adjusted = 1;
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;  // the rule that gave the verdict, in a few words
};

// docs/method.md, "Verdicts": a value this close to its bound is "at" it.
inline constexpr double kBoundTolerance = 1e-6;

// Whether x sits at `bound` (within kBoundTolerance).
bool AtBound(double x, double bound);

// For a fraction bounded to [lower, upper] (bounds shown as percentages):
// why the claim that a - b has the
// claimed sign cannot be shown, or "" if it can. It cannot when, in every
// pair, the arm the claim needs lower sits at the upper bound or the arm it
// needs higher at the lower bound (e.g. layer 0 < last layer when layer 0's
// batch union is 100% in every seed). Names are for the reason text.
std::string BoundBlocksClaim(const std::vector<double>& a,
                             const std::vector<double>& b, Claimed claimed,
                             double lower, double upper,
                             const std::string& a_name,
                             const std::string& b_name);

// One measured row for a claim. A claim may have several rows, one per
// measure (e.g. batch union, and a window union that is not at its ceiling).
struct ClaimRow {
  std::string id;       // a claim id of reports/claims.h
  std::string measure;  // what the paired difference is, e.g. "layer 0 -
                        // last layer, 512-token window union"
  ComparisonResult result;
  std::string caveat;  // the scale, steps or data that limit it
};

// Tests one report's comparisons as one family. Holm counts every declared
// comparison's t-test, and its TOST where it has a margin, fixed before the
// data are seen: a comparison that cannot be tested (not testable, no valid
// test, fewer than kMinPairedSeeds seeds) enters with p = 1. "supports":
// adjusted p < kFamilyAlpha with the mean on the claimed side; "contradicts":
// the same on the other side, or the adjusted TOST p < kFamilyAlpha; otherwise
// "inconclusive"; fewer than kMinPairedSeeds seeds: "inconclusive". For a
// kEquivalent claim: "supports" when the adjusted TOST p < kFamilyAlpha,
// "contradicts" when the adjusted t-test p < kFamilyAlpha with |mean| at
// least the margin: shown by the test that the mean lies beyond ±margin
// (BeyondMarginP). For a kAtMost claim the same with the one-sided AtMostP
// in place of TOST and "contradicts" only for a mean shown above +margin.
std::vector<ComparisonResult> Decide(const std::vector<Comparison>& family);

// The result with this comparison id; aborts if there is none (a bug in
// the caller: ids are the report's own constants).
const ComparisonResult& FindResult(const std::vector<ComparisonResult>& r,
                                   const std::string& id);

// Whether r was tested (testable, a valid test, enough seeds); its
// p-values are shown only then.
bool Counted(const ComparisonResult& r);

// The number of tests in the Holm family (every comparison, and every TOST).
int CountedTests(const std::vector<ComparisonResult>& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_VERDICT_H_
