#include "reports/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sparsity {
namespace {

// Continued fraction of the regularised incomplete beta function (modified
// Lentz), valid for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  auto guard = [](double v) { return std::abs(v) < kTiny ? kTiny : v; };
  double c = 1, d = 1 / guard(1 - (a + b) * x / (a + 1)), h = d;
  for (int m = 1; m <= 500; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < kEps) break;
  }
  return h;
}

// I_x(a, b), the regularised incomplete beta function.
double IncompleteBeta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
               a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) {
    return front * BetaContinuedFraction(x, a, b) / a;
  }
  return 1 - front * BetaContinuedFraction(1 - x, b, a) / b;
}

double Mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

double SampleSd(const std::vector<double>& v, double mean) {
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / (v.size() - 1));
}

// Equal differences (up to rounding): a constant effect, or none; the
// t-statistic is then undefined.
bool ConstantDifferences(double se, double mean) {
  return se == 0 || se <= 1e-12 * std::abs(mean);
}

bool ClaimedSide(const ComparisonResult& r) {
  return r.comparison.claimed == Claimed::kPositive ? r.stats.mean > 0
                                                    : r.stats.mean < 0;
}

// The comparison's margin as its report shows it: "0.01 nats", "5 points".
std::string ShownMargin(const Comparison& c) {
  return absl::StrCat(absl::StrFormat("%g", c.scale * c.equivalence_margin),
                      c.unit.empty() ? "" : " ", c.unit);
}

// A claim of no effect (kEquivalent) or of at most an effect (kAtMost):
// its margin test (TOST, or one-sided) supports it; a test that the mean
// lies beyond the margin (either side, or above) contradicts it.
void ApplyMarginRule(ComparisonResult& r) {
  const bool at_most = r.comparison.claimed == Claimed::kAtMost;
  const std::string bound =
      absl::StrCat(at_most ? "+" : "±", ShownMargin(r.comparison));
  const double effect = at_most ? r.stats.mean : std::abs(r.stats.mean);
  if (r.p_equivalence_adjusted < kFamilyAlpha) {
    r.verdict = Verdict::kSupports;
    r.reason = at_most ? absl::StrCat("below ", bound, " (one-sided test)")
                       : absl::StrCat("within ", bound, " (equivalence test)");
  } else if (r.p_adjusted < kFamilyAlpha &&
             effect >= r.comparison.equivalence_margin) {
    r.verdict = Verdict::kContradicts;
    r.reason =
        absl::StrCat("significantly ", at_most ? "above " : "beyond ", bound);
  } else {
    r.verdict = Verdict::kInconclusive;
    r.reason = at_most
                   ? "neither below the margin nor above it after adjustment"
                   : "neither equivalent nor different after adjustment";
  }
}

void ApplyRule(ComparisonResult& r) {
  if (!r.comparison.not_testable.empty()) {
    r.verdict = Verdict::kNotTestable;
    r.reason = r.comparison.not_testable;
  } else if (!r.comparison.no_valid_test.empty()) {
    r.verdict = Verdict::kInconclusive;
    r.reason = r.comparison.no_valid_test;
  } else if (r.stats.n < kMinPairedSeeds) {
    r.verdict = Verdict::kInconclusive;
    r.reason = absl::StrFormat("%d paired seeds, fewer than %d", r.stats.n,
                               kMinPairedSeeds);
  } else if (r.comparison.claimed == Claimed::kEquivalent ||
             r.comparison.claimed == Claimed::kAtMost) {
    ApplyMarginRule(r);
  } else if (r.p_adjusted < kFamilyAlpha) {
    const bool claimed = ClaimedSide(r);
    r.verdict = claimed ? Verdict::kSupports : Verdict::kContradicts;
    r.reason = absl::StrFormat("significant on the %s side",
                               claimed ? "claimed" : "opposite");
  } else if (r.p_equivalence_adjusted < kFamilyAlpha) {
    r.verdict = Verdict::kContradicts;
    r.reason = absl::StrCat("within ±", ShownMargin(r.comparison),
                            " (equivalence test)");
  } else {
    r.verdict = Verdict::kInconclusive;
    r.reason = "not significant after adjustment";
  }
}

}  // namespace

std::string VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kSupports:
      return "supports";
    case Verdict::kContradicts:
      return "contradicts";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kNotTestable:
      return "not testable here";
  }
  return "inconclusive";
}

double StudentTCdf(double t, double df) {
  if (std::isinf(t)) return t > 0 ? 1 : 0;
  const double tail = 0.5 * IncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

double StudentTQuantile(double probability, double df) {
  double lo = -1e6, hi = 1e6;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (StudentTCdf(mid, df) < probability ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

PairedStats PairedTTest(const std::vector<double>& differences) {
  PairedStats s;
  s.n = static_cast<int>(differences.size());
  if (s.n == 0) return s;
  s.mean = Mean(differences);
  s.ci_low = s.ci_high = s.mean;
  if (s.n < 2) return s;
  s.sd = SampleSd(differences, s.mean);
  const double df = s.n - 1;
  const double se = s.sd / std::sqrt(static_cast<double>(s.n));
  if (ConstantDifferences(se, s.mean)) {
    s.p = s.mean == 0 ? 1 : 0;
    return s;
  }
  const double half = StudentTQuantile(0.5 + kIntervalLevel / 2, df) * se;
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  s.p = 2 * StudentTCdf(-std::abs(s.mean / se), df);
  return s;
}

double EquivalenceP(const PairedStats& s, double margin) {
  if (s.n < 2 || margin <= 0) return 1;
  const double se = s.sd / std::sqrt(static_cast<double>(s.n));
  if (ConstantDifferences(se, s.mean)) return std::abs(s.mean) < margin ? 0 : 1;
  // H0: mean <= -margin (upper tail) and H0: mean >= margin (lower tail).
  const double p_low = 1 - StudentTCdf((s.mean + margin) / se, s.n - 1);
  const double p_high = StudentTCdf((s.mean - margin) / se, s.n - 1);
  return std::max(p_low, p_high);
}

double AtMostP(const PairedStats& s, double margin) {
  if (s.n < 2 || margin <= 0) return 1;
  const double se = s.sd / std::sqrt(static_cast<double>(s.n));
  if (ConstantDifferences(se, s.mean)) return s.mean < margin ? 0 : 1;
  return StudentTCdf((s.mean - margin) / se, s.n - 1);
}

double BeyondMarginP(const PairedStats& s, double margin, bool above_only) {
  if (s.n < 2 || margin <= 0) return 1;
  const double se = s.sd / std::sqrt(static_cast<double>(s.n));
  if (ConstantDifferences(se, s.mean)) {
    return s.mean > margin || (!above_only && s.mean < -margin) ? 0 : 1;
  }
  // H0: mean <= margin (upper tail); for two sides also H0: mean >= -margin,
  // Bonferroni over the two.
  const double above = 1 - StudentTCdf((s.mean - margin) / se, s.n - 1);
  if (above_only) return above;
  const double below = StudentTCdf((s.mean + margin) / se, s.n - 1);
  return std::min(1.0, 2 * std::min(above, below));
}

std::vector<double> HolmAdjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&p](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0;
  for (size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, (m - k) * p[order[k]]));
    adjusted[order[k]] = running;
  }
  return adjusted;
}

bool AtBound(double x, double bound) {
  return std::abs(x - bound) <= kBoundTolerance;
}

std::string BoundBlocksClaim(const std::vector<double>& a,
                             const std::vector<double>& b, Claimed claimed,
                             double lower, double upper,
                             const std::string& a_name,
                             const std::string& b_name) {
  if (a.empty() || b.empty()) return "";
  auto all_at = [](const std::vector<double>& v, double bound) {
    return std::all_of(v.begin(), v.end(),
                       [bound](double x) { return AtBound(x, bound); });
  };
  const bool negative = claimed == Claimed::kNegative;
  // The arm the claim needs lower, and the one it needs higher.
  const std::vector<double>& low_arm = negative ? a : b;
  const std::vector<double>& high_arm = negative ? b : a;
  const std::string& low_name = negative ? a_name : b_name;
  const std::string& high_name = negative ? b_name : a_name;
  const size_t n = std::min(a.size(), b.size());
  if (all_at(low_arm, upper)) {
    return absl::StrFormat("%s at its ceiling (%g%%) in all %d seeds", low_name,
                           100 * upper, n);
  }
  if (all_at(high_arm, lower)) {
    return absl::StrFormat("%s at its floor (%g%%) in all %d seeds", high_name,
                           100 * lower, n);
  }
  return "";
}

std::vector<ComparisonResult> Decide(const std::vector<Comparison>& family) {
  std::vector<ComparisonResult> results;
  std::vector<double> p;
  std::vector<double*> slots;  // where each adjusted p-value goes
  results.reserve(family.size());
  for (const Comparison& c : family) {
    ComparisonResult r;
    r.comparison = c;
    r.stats = PairedTTest(c.differences);
    const bool at_most = c.claimed == Claimed::kAtMost;
    r.p_equivalence = at_most ? AtMostP(r.stats, c.equivalence_margin)
                              : EquivalenceP(r.stats, c.equivalence_margin);
    // A claim of no effect (or of at most an effect) is contradicted by a
    // mean beyond its margin, not merely away from 0.
    r.p_decisive = at_most || c.claimed == Claimed::kEquivalent
                       ? BeyondMarginP(r.stats, c.equivalence_margin, at_most)
                       : r.stats.p;
    results.push_back(std::move(r));
  }
  // The family is every declared comparison, fixed before the data are
  // seen: one that cannot be tested here enters with p = 1, so whether a
  // measure sits at its bound never shrinks the family.
  for (ComparisonResult& r : results) {
    const bool tested = Counted(r);
    p.push_back(tested ? r.p_decisive : 1.0);
    slots.push_back(&r.p_adjusted);
    if (r.comparison.equivalence_margin > 0) {
      p.push_back(tested ? r.p_equivalence : 1.0);
      slots.push_back(&r.p_equivalence_adjusted);
    }
  }
  const std::vector<double> adjusted = HolmAdjust(p);
  for (size_t i = 0; i < adjusted.size(); ++i) *slots[i] = adjusted[i];
  for (ComparisonResult& r : results) ApplyRule(r);
  return results;
}

const ComparisonResult& FindResult(const std::vector<ComparisonResult>& r,
                                   const std::string& id) {
  for (const ComparisonResult& x : r) {
    if (x.comparison.id == id) return x;
  }
  std::fprintf(stderr, "no comparison '%s' in this report\n", id.c_str());
  std::abort();
}

bool Counted(const ComparisonResult& r) {
  return r.comparison.not_testable.empty() &&
         r.comparison.no_valid_test.empty() && r.stats.n >= kMinPairedSeeds;
}

int CountedTests(const std::vector<ComparisonResult>& results) {
  int n = 0;
  for (const ComparisonResult& r : results) {
    n += r.comparison.equivalence_margin > 0 ? 2 : 1;
  }
  return n;
}

}  // namespace sparsity
