// The claims scorecard (docs/method.md, "The claims"): every claim of the
// four papers, one row each, with the experiment that tests it, the measured
// effect and its 95% interval, the verdict and the caveat that limits it.
// Reports contribute ClaimRows from their findings; claims no report has
// computed yet show "pending".
//
//   std::vector<ClaimRow> rows = report.claims;   // from each report
//   std::string md = ScorecardMarkdown(rows);     // the first table of
//                                                 // reports/README.md
#ifndef SPARSITY_REPORTS_CLAIMS_H_
#define SPARSITY_REPORTS_CLAIMS_H_

#include <string>
#include <vector>

#include "reports/verdict.h"

namespace sparsity {

struct ClaimSpec {
  std::string id;          // "W2": paper letter and number
  std::string claim;       // what the paper claims, in a few words
  std::string experiment;  // the experiment (and report) that tests it
};

// The claims, in the order of docs/method.md ("The claims").
const std::vector<ClaimSpec>& PaperClaims();

// The scorecard table: every claim of PaperClaims(), its rows or "pending".
// Rows whose id is not a known claim are an error in the caller (CHECK).
std::string ScorecardMarkdown(const std::vector<ClaimRow>& rows);

// "-12.3 points (-14.0 to -10.6)": the mean difference and its interval,
// in the comparison's scale and unit.
std::string EffectText(const ComparisonResult& r);

// The same for prose, with the verdict: "-17.6 points, 95% interval -21.0
// to -14.1: **supports**".
std::string EffectProse(const ComparisonResult& r);

// A report's "Verdicts" section body: one row per comparison (claim, mean
// difference with its interval, p, Holm-adjusted p, verdict and its rule)
// and a sentence saying how many tests the family counted.
std::string VerdictTable(const std::vector<ComparisonResult>& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_CLAIMS_H_
