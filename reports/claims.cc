#include "reports/claims.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/report.h"

namespace sparsity {

const std::vector<ClaimSpec>& PaperClaims() {
  static const auto* claims = new std::vector<ClaimSpec>{
      {"W1", "[W] token density falls over training", "layerwise_sparsity"},
      {"W2",
       "[W] first and last layers inverted: the first uses fewer of its "
       "units per batch than the last (about 13% against 96%)",
       "layerwise_sparsity"},
      {"W3",
       "[W] union density differs from token density: different tokens use "
       "different units",
       "layerwise_sparsity"},
      {"W4", "[W] neuron death from training dynamics rather than outliers",
       "neuron_death"},
      {"W5", "[W] dead units can be pruned without loss", "neuron_death"},
      {"L1", "[L] few MLP units nonzero per token", "topk_thresholding"},
      {"L2", "[L] as sparse on training as on held-out data",
       "topk_thresholding"},
      {"L3", "[L] wider is sparser", "topk_thresholding"},
      {"L4", "[L] deeper is sparser", "topk_thresholding"},
      {"L5", "[L] sparse with random labels, random inputs, infinite data",
       "topk_thresholding"},
      {"L6", "[L] sparsity not from dead neurons", "topk_thresholding"},
      {"L7", "[L] Top-k more robust to label noise", "topk_thresholding"},
      {"L8", "[L] Top-k more robust to input corruptions", "topk_thresholding"},
      {"L9", "[L] Top-k better calibrated", "topk_thresholding"},
      {"L10", "[L] sparsity saves FLOPs", "topk_thresholding"},
      {"M1", "[M] parameter norm grows like sqrt(t)", "norm_growth"},
      {"M2", "[M] the parameter direction converges", "norm_growth"},
      {"M3", "[M] networks approach their saturated version over training",
       "norm_growth"},
      {"M4", "[M] saturated heads split into argmax and mean heads",
       "norm_growth"},
      {"P1", "[P] J-SquaredReLU gives sparser activations",
       "gradient_sparsity"},
      {"P2", "[P] zeroth bias + restricted LayerNorm give sparser activations",
       "gradient_sparsity"},
      {"P3", "[P] the modules help in finetuning", "gradient_sparsity"},
      {"P4", "[P] gradient sparsity beyond the activation zeros",
       "gradient_sparsity"},
      {"P5", "[P] spectral concentration of the MLP weights",
       "gradient_sparsity"},
      {"P6", "[P] sparser at equal accuracy", "gradient_sparsity"},
      {"P7", "[P] sparser models are flatter", "gradient_sparsity"},
  };
  return *claims;
}

namespace {

// The mean difference, its interval bounds and the unit, as shown.
struct EffectNumbers {
  std::string mean, low, high, unit;
  bool interval = false;
};

EffectNumbers NumbersOf(const ComparisonResult& r) {
  const PairedStats& s = r.stats;
  const double k = r.comparison.scale;
  // Percentage points and percentages with one decimal, losses (nats) with four
  // significant digits (their differences can be tiny), calibration errors
  // (ECE) with three decimals, anything else with two.
  const std::string& u = r.comparison.unit;
  auto num = [&](double x) {
    if (u == "nats") return absl::StrFormat("%+.4g", k * x);
    if (u == "ECE") return absl::StrFormat("%+.3f", k * x);
    return absl::StrFormat(u == "points" || u == "%" ? "%+.1f" : "%+.2f",
                           k * x);
  };
  return {num(s.mean), num(s.ci_low), num(s.ci_high),
          u.empty() ? "" : (u == "%" ? u : " " + u), s.n >= 2};
}

}  // namespace

std::string EffectText(const ComparisonResult& r) {
  if (r.stats.n == 0) return "-";
  const EffectNumbers e = NumbersOf(r);
  if (!e.interval) return absl::StrCat(e.mean, e.unit, " (one seed)");
  return absl::StrCat(e.mean, e.unit, " (", e.low, " to ", e.high, ")");
}

std::string EffectProse(const ComparisonResult& r) {
  if (r.stats.n == 0) return "no seeds";
  const EffectNumbers e = NumbersOf(r);
  return absl::StrCat(
      e.mean, e.unit,
      e.interval ? absl::StrCat(", 95% interval ", e.low, " to ", e.high)
                 : " (one seed)",
      ": **", VerdictName(r.verdict), "**");
}

namespace {

std::string VerdictCell(const ComparisonResult& r) {
  return absl::StrCat("**", VerdictName(r.verdict), "** (", r.reason, ")");
}

std::string ClaimedSign(const Comparison& c) {
  switch (c.claimed) {
    case Claimed::kPositive:
      return "> 0";
    case Claimed::kNegative:
      return "< 0";
    case Claimed::kEquivalent:
      return absl::StrFormat("within ±%g", c.scale * c.equivalence_margin);
    case Claimed::kAtMost:
      return absl::StrFormat("< +%g", c.scale * c.equivalence_margin);
  }
  return "";
}

// The t-test's p-value, shown only for tests the family counted.
// The p-value that decided the verdict: a claim of no effect shows its
// equivalence test's (TOST), a claim of at most a margin its one-sided
// test's, unless the test beyond the margin contradicted it.
std::string PCell(const ComparisonResult& r, bool adjusted) {
  if (!Counted(r)) return "-";
  const double t = adjusted ? r.p_adjusted : r.p_decisive;
  const double e = adjusted ? r.p_equivalence_adjusted : r.p_equivalence;
  const bool contradicted = r.verdict == Verdict::kContradicts;
  switch (r.comparison.claimed) {
    case Claimed::kEquivalent:
      return contradicted
                 ? absl::StrFormat("%.2g (beyond-margin test; TOST %.2g)", t, e)
                 : absl::StrFormat("%.2g (TOST; beyond-margin test %.2g)", e,
                                   t);
    case Claimed::kAtMost:
      return contradicted
                 ? absl::StrFormat(
                       "%.2g (above-margin test; below-margin test %.2g)", t, e)
                 : absl::StrFormat(
                       "%.2g (below-margin test; above-margin test %.2g)", e,
                       t);
    default:
      return absl::StrFormat("%.2g", t);
  }
}

}  // namespace

std::string VerdictTable(const std::vector<ComparisonResult>& results) {
  const int untested = static_cast<int>(
      std::count_if(results.begin(), results.end(),
                    [](const ComparisonResult& r) { return !Counted(r); }));
  std::vector<std::vector<std::string>> rows;
  for (const ComparisonResult& r : results) {
    rows.push_back({absl::StrCat("`", r.comparison.id, "`"), r.comparison.claim,
                    ClaimedSign(r.comparison), absl::StrCat(r.stats.n),
                    EffectText(r), PCell(r, false), PCell(r, true),
                    VerdictCell(r)});
  }
  return absl::StrCat(
      MarkdownTable({"id", "claim (paired difference)", "claimed sign", "seeds",
                     "mean difference (95% interval)",
                     "p (deciding test first)", "Holm p", "verdict (rule)"},
                    rows),
      absl::StrFormat(
          "\nTests in this report's family: %d (%d comparisons and their "
          "equivalence tests, fixed in advance; %s, and p-values are "
          "shown only for tests that ran); Holm's adjustment "
          "keeps the chance of any false \"supports\" or \"contradicts\" "
          "among them at or below %g (docs/method.md, \"Verdicts\").\n",
          CountedTests(results), static_cast<int>(results.size()),
          untested == 0
              ? std::string("every one ran")
              : absl::StrCat("the ", untested, " that cannot be run here ",
                             untested == 1 ? "enters" : "enter", " with p = 1"),
          kFamilyAlpha));
}

std::string ScorecardMarkdown(const std::vector<ClaimRow>& rows) {
  for (const ClaimRow& row : rows) {
    bool known = false;
    for (const ClaimSpec& c : PaperClaims()) known |= c.id == row.id;
    if (!known) std::abort();  // a report names a claim that does not exist
  }
  std::vector<std::vector<std::string>> table;
  for (const ClaimSpec& c : PaperClaims()) {
    bool any = false;
    for (const ClaimRow& row : rows) {
      if (row.id != c.id) continue;
      any = true;
      const ComparisonResult& r = row.result;
      table.push_back({c.id, c.claim, absl::StrCat("`", c.experiment, "`"),
                       row.measure, EffectText(r), PCell(r, true),
                       VerdictCell(r), row.caveat});
    }
    if (!any) {
      table.push_back({c.id, c.claim, absl::StrCat("`", c.experiment, "`"), "-",
                       "-", "-", "pending", "not yet on the verdict layer"});
    }
  }
  return MarkdownTable(
      {"claim", "what the paper says", "experiment",
       "measure (paired over seeds)", "mean difference (95% interval)",
       "Holm p", "verdict", "caveat"},
      table);
}

}  // namespace sparsity
