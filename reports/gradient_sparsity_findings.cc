#include "reports/gradient_sparsity_findings.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "proto/plugins.h"
#include "reports/claims.h"
#include "reports/layer_stats.h"

namespace sparsity {
namespace {

double OverLayers(const GradientProbe& g,
                  const std::function<double(const LayerGradient&)>& f) {
  double sum = 0;
  for (const LayerGradient& l : g.layers()) sum += f(l);
  return g.layers_size() > 0 ? sum / g.layers_size() : 0;
}

}  // namespace

double MeanDensity(const Probe& p) { return MeanTokenDensity(p.layers()); }

double EtaActiveAt(const GradientProbe& g, int t) {
  return OverLayers(g, [t](const LayerGradient& l) {
    return l.active_eta_below_size() > t ? l.active_eta_below(t) : 0.0;
  });
}

double TopEigen(const GradientProbe& g) {
  return OverLayers(g, [](const LayerGradient& l) {
    return l.spectral(kSpectral10).nonzero();
  });
}

namespace {

using RunValue = std::function<double(const TrainingRecord&)>;

bool IsVit(const TrainingRecord& r) {
  return r.config().model().family() == ModelConfig::VIT;
}

const GradientProbe& FinalGradient(const TrainingRecord& r) {
  return r.gradient_probes(r.gradient_probes_size() - 1);
}

double Density(const TrainingRecord& r) { return MeanDensity(FinalProbe(r)); }

// Test accuracy (ViT) or held-out loss (LM).
double Quality(const TrainingRecord& r) {
  return IsVit(r) ? FinalProbe(r).probe_accuracy() : FinalProbe(r).probe_loss();
}

double EtaFull(const TrainingRecord& r) {
  return OverLayers(FinalGradient(r),
                    [](const LayerGradient& l) { return l.eta_below(kEta6); });
}

double EtaActive(const TrainingRecord& r, int t) {
  return EtaActiveAt(FinalGradient(r), t);
}

double Flatness(const TrainingRecord& r) {
  for (const FlatnessRecord& f : r.flatness()) {
    if (std::abs(f.sigma() - kFlatnessSigma) < 1e-6) return f.increase();
  }
  return std::nan("");
}

bool HasFlatness(const Runs& runs) {
  for (const TrainingRecord* r : runs) {
    if (std::isnan(Flatness(*r))) return false;
  }
  return !runs.empty();
}

// Per seed pair: f(a) - f(b), or f(a) / f(b) - 1 when `relative`.
std::vector<double> Paired(const Runs& a, const Runs& b, const RunValue& f,
                           bool relative) {
  const SeedPairs pairs = PairBySeeds(a, b);
  std::vector<double> d;
  for (size_t i = 0; i < pairs.a.size(); ++i) {
    const double x = f(*pairs.a[i]), y = f(*pairs.b[i]);
    if (relative && y == 0) continue;
    d.push_back(relative ? x / y - 1 : x - y);
  }
  return d;
}

ArmFindings ArmOf(const Runs& runs, const Runs* reference) {
  const TrainingRecord& first = *runs[0];
  ArmFindings a;
  a.name = first.variant();
  a.role = first.role();
  a.label = PlugInLabel(first.config().model());
  a.vit = IsVit(first);
  a.runs = static_cast<int>(runs.size());
  a.parameters = first.parameters();
  a.density = Over(runs, Density);
  a.quality = Over(runs, Quality);
  a.eta_full = Over(runs, EtaFull);
  a.zeros = Over(runs, [](const TrainingRecord& r) {
    return 1 - OverLayers(FinalGradient(r),
                          [](const LayerGradient& l) { return l.density(); });
  });
  a.eta_active =
      Over(runs, [](const TrainingRecord& r) { return EtaActive(r, kEta6); });
  a.eta_active9 =
      Over(runs, [](const TrainingRecord& r) { return EtaActive(r, kEta9); });
  a.top_eigen = Over(
      runs, [](const TrainingRecord& r) { return TopEigen(FinalGradient(r)); });
  a.top_eigen_init = Over(runs, [](const TrainingRecord& r) {
    return TopEigen(r.gradient_probes(0));
  });
  if (HasFlatness(runs)) a.flatness = Over(runs, Flatness);
  if (reference != nullptr) {
    a.change = SpreadOf(Paired(runs, *reference, Density, true));
    a.quality_change = SpreadOf(Paired(runs, *reference, Quality, false));
    a.throughput = SpreadOf(Paired(
        runs, *reference,
        [](const TrainingRecord& r) { return r.timings().tokens_per_second(); },
        true));
  }
  return a;
}

std::vector<LayerGradientRow> LayersOf(const Runs& baseline) {
  std::vector<LayerGradientRow> rows;
  const int layers = FinalGradient(*baseline[0]).layers_size();
  for (int l = 0; l < layers; ++l) {
    auto at = [l](const std::function<double(const LayerGradient&)>& f) {
      return [l, f](const TrainingRecord& r) {
        return f(FinalGradient(r).layers(l));
      };
    };
    LayerGradientRow row;
    row.layer = l;
    row.eta_full =
        Over(baseline,
             at([](const LayerGradient& g) { return g.eta_below(kEta6); }));
    row.zeros = Over(
        baseline, at([](const LayerGradient& g) { return 1 - g.density(); }));
    row.loss_tokens = Over(baseline, at([](const LayerGradient& g) {
                             return g.loss_token_fraction();
                           }));
    row.eta_active = Over(baseline, at([](const LayerGradient& g) {
                            return g.active_eta_below_size() > kEta6
                                       ? g.active_eta_below(kEta6)
                                       : 0.0;
                          }));
    row.eta_active9 = Over(baseline, at([](const LayerGradient& g) {
                             return g.active_eta_below_size() > kEta9
                                        ? g.active_eta_below(kEta9)
                                        : 0.0;
                           }));
    rows.push_back(row);
  }
  return rows;
}

// The runs of `role` in one family.
Runs WithRole(const std::vector<Runs>& variants, bool vit,
              const std::string& role, std::vector<Runs>* all = nullptr) {
  Runs first;
  for (const Runs& v : variants) {
    if (IsVit(*v[0]) != vit || v[0]->role() != role) continue;
    if (first.empty()) first = v;
    if (all != nullptr) all->push_back(v);
  }
  return first;
}

std::string ClaimOfRole(const std::string& role) {
  if (role == "jsrelu") return "P1";
  if (role == "finetune") return "P3";
  return "P2";
}

Comparison DensityRow(const ArmFindings& a, const Runs& runs,
                      const Runs& reference, const std::string& against) {
  Comparison c{
      absl::StrCat(ClaimOfRole(a.role), ".", a.name),
      absl::StrCat(a.label, ": held-out density / ", against, "'s - 1"),
      Claimed::kNegative, Paired(runs, reference, Density, true)};
  c.scale = 100;
  c.unit = "%";
  return c;
}

Comparison QualityRow(const ArmFindings& a, const Runs& runs,
                      const Runs& reference, const std::string& against) {
  Comparison c{
      absl::StrCat("P6.", a.name),
      absl::StrCat(a.label, ": ", a.vit ? "test accuracy" : "held-out loss",
                   " - ", against, "'s (equal)"),
      Claimed::kEquivalent, Paired(runs, reference, Quality, false),
      a.vit ? kAccuracyMargin : kLossMargin};
  c.scale = a.vit ? 100 : 1;
  c.unit = a.vit ? "points" : "nats";
  return c;
}

// P4 has no valid test yet: its threshold is absolute (below).
Comparison ActiveRow(const std::string& id, const Runs& baseline) {
  Comparison c{
      id,
      "share of active entries with abs(eta) < 1e-6 (tokens that reach "
      "the loss), baseline, - 5%",
      Claimed::kPositive};
  double init = 0, tiny = 0;
  for (const TrainingRecord* r : baseline) {
    c.differences.push_back(EtaActive(*r, kEta6) - kP4MinActiveShare);
    init += EtaActiveAt(r->gradient_probes(0), kEta6) / baseline.size();
    tiny += EtaActive(*r, kEta9) / baseline.size();
  }
  c.no_valid_test = absl::StrFormat(
      "the 1e-6 threshold is absolute, so the share follows the gradient's "
      "scale (%.1f%% at initialisation, %.1f%% below 1e-9 at the end): a "
      "threshold relative to each layer's gradient needs a re-run",
      100 * init, 100 * tiny);
  c.scale = 100;
  c.unit = "points";
  return c;
}

// Per seed pair of the baseline: across the from-scratch variants, the
// Pearson correlation of density with value(run), Fisher-transformed
// (atanh); runs where value is NaN are left out.
Comparison CorrelationRow(const std::string& id, const std::string& claim,
                          Claimed claimed, const std::vector<Runs>& scratch,
                          const RunValue& value, Spread* correlation) {
  Comparison c{id, claim, claimed};
  std::vector<double> rs;
  for (const TrainingRecord* base : scratch[0]) {
    std::vector<double> density, y;
    for (const Runs& v : scratch) {
      for (const TrainingRecord* r : v) {
        if (r->init_seed() != base->init_seed() ||
            r->data_seed() != base->data_seed() || std::isnan(value(*r))) {
          continue;
        }
        density.push_back(Density(*r));
        y.push_back(value(*r));
      }
    }
    if (density.size() < 3) continue;
    const double r = std::clamp(Pearson(density, y), -0.999, 0.999);
    rs.push_back(r);
    c.differences.push_back(std::atanh(r));
  }
  *correlation = SpreadOf(rs);
  if (scratch.size() < 3) {
    c.not_testable = "fewer than 3 from-scratch variants to correlate";
  } else if (rs.empty()) {
    c.not_testable = "not measured";
  }
  return c;
}

// The arms of `roles` in one family against `reference`, with their
// density comparison and, for `quality_roles`, their P6 comparison.
void AddArms(const std::vector<Runs>& variants, bool vit, const Runs& reference,
             const std::vector<std::string>& roles,
             const std::vector<std::string>& quality_roles,
             const std::string& against, std::vector<ArmFindings>* arms,
             std::vector<Runs>* runs, std::vector<Comparison>* family) {
  for (const Runs& v : variants) {
    if (IsVit(*v[0]) != vit ||
        std::find(roles.begin(), roles.end(), v[0]->role()) == roles.end()) {
      continue;
    }
    ArmFindings a = ArmOf(v, &reference);
    family->push_back(DensityRow(a, v, reference, against));
    a.density_id = family->back().id;
    if (std::find(quality_roles.begin(), quality_roles.end(), a.role) !=
        quality_roles.end()) {
      family->push_back(QualityRow(a, v, reference, against));
      a.quality_id = family->back().id;
    }
    arms->push_back(a);
    runs->push_back(v);
  }
}

// One family's arms and comparisons (appended to `family`); false when it
// has no baseline.
bool FamilyOf(const std::vector<Runs>& variants, bool vit, FamilyFindings* f,
              std::vector<Comparison>* family) {
  const Runs baseline = WithRole(variants, vit, "baseline");
  if (baseline.empty()) return false;
  f->vit = vit;
  f->name = vit ? "ViT" : "LM";
  const std::string key = vit ? "vit" : "lm";
  f->scratch.push_back(ArmOf(baseline, nullptr));
  std::vector<Runs> scratch = {baseline};
  AddArms(variants, vit, baseline, {"jsrelu", "zeroth_bias", "both"}, {"both"},
          "the baseline", &f->scratch, &scratch, family);
  const Runs control = WithRole(variants, vit, "finetune_control");
  if (!control.empty()) {
    f->finetune.push_back(ArmOf(control, nullptr));
    std::vector<Runs> tuned;
    AddArms(variants, vit, control, {"finetune"}, {"finetune"}, "the control",
            &f->finetune, &tuned, family);
  }
  f->layers = LayersOf(baseline);
  family->push_back(ActiveRow(absl::StrCat("P4.", key), baseline));
  f->p4_id = family->back().id;
  family->push_back(CorrelationRow(
      absl::StrCat("P5.", key),
      "more concentrated is sparser: per seed, atanh of the correlation over "
      "the from-scratch variants of density with fc1's eigenvalues above 10 "
      "x their mean",
      Claimed::kNegative, scratch,
      [](const TrainingRecord& r) { return TopEigen(FinalGradient(r)); },
      &f->p5_correlation));
  f->p5_id = family->back().id;
  family->push_back(CorrelationRow(
      absl::StrCat("P7.", key),
      "sparser is flatter: per seed, atanh of the correlation over the "
      "from-scratch variants of density with the loss rise under 5% weight "
      "noise",
      Claimed::kPositive, scratch, Flatness, &f->p7_correlation));
  f->p7_id = family->back().id;
  return true;
}

std::vector<ClaimRow> ClaimRows(const GradientSparsityFindings& g) {
  std::vector<ClaimRow> rows;
  for (const FamilyFindings& f : g.families) {
    const std::string scale =
        f.vit ? "ViT on Fashion-MNIST, 0.2M parameters, 500 steps"
              : "byte-level LM on Brown, 0.2M parameters, 600 steps";
    for (const auto* arms : {&f.scratch, &f.finetune}) {
      for (const ArmFindings& a : *arms) {
        if (a.density_id.empty()) continue;
        rows.push_back(
            {ClaimOfRole(a.role),
             absl::StrCat(f.name, ": held-out density, ", a.label, " / ",
                          a.role == "finetune" ? "control" : "baseline",
                          " - 1"),
             FindResult(g.verdicts, a.density_id), scale});
        if (a.quality_id.empty()) continue;
        rows.push_back({"P6",
                        absl::StrCat(f.name, ", ", a.label,
                                     ": sparser (the density "
                                     "row) and of equal ",
                                     a.vit ? "test accuracy" : "held-out loss",
                                     " (shown: the difference, equal within ",
                                     a.vit ? "0.5 points" : "0.02 nats",
                                     "); both must hold"),
                        a.joint,
                        a.vit ? absl::StrCat(scale,
                                             "; accuracy on 2,000 test images, "
                                             "whose sampling error per run is "
                                             "near the margin")
                              : scale});
      }
    }
    rows.push_back({"P4",
                    absl::StrCat(f.name,
                                 ": share of active entries with "
                                 "abs(eta) < 1e-6 - 5% (baseline)"),
                    FindResult(g.verdicts, f.p4_id),
                    "tokens that reach the loss only; an absolute threshold"});
    rows.push_back({"P5",
                    absl::StrCat(f.name,
                                 ": per-seed correlation of density with "
                                 "fc1's eigenvalues above 10 x mean (atanh)"),
                    FindResult(g.verdicts, f.p5_id),
                    "every baseline goes from 0 such eigenvalues to about 6: "
                    "10 x mean sits just above the random-matrix edge (about "
                    "9 x for this shape)"});
    rows.push_back({"P7",
                    absl::StrCat(f.name,
                                 ": per-seed correlation of density "
                                 "with the loss rise under weight "
                                 "noise (atanh)"),
                    FindResult(g.verdicts, f.p7_id),
                    "a flatness proxy: 5% relative Gaussian weight noise"});
  }
  return rows;
}

// P6 holds where the variant is sparser and of equal quality: both tests
// must support it, and either one contradicting contradicts it.
ComparisonResult Joint(const ComparisonResult& sparser,
                       const ComparisonResult& equal) {
  ComparisonResult r = equal;
  r.comparison.id =
      absl::StrCat(equal.comparison.id, "+", sparser.comparison.id);
  const auto name = [](const ComparisonResult& x) {
    return VerdictName(x.verdict);
  };
  if (sparser.verdict == Verdict::kSupports &&
      equal.verdict == Verdict::kSupports) {
    r.verdict = Verdict::kSupports;
  } else if (sparser.verdict == Verdict::kContradicts ||
             equal.verdict == Verdict::kContradicts) {
    r.verdict = Verdict::kContradicts;
  } else {
    r.verdict = Verdict::kInconclusive;
  }
  r.reason = absl::StrCat("sparser: ", name(sparser),
                          "; equal quality: ", name(equal));
  // The p shown: an intersection-union test's is the larger of its two
  // (Holm-adjusted) p-values; a contradiction shows the test that made it.
  const double p_sparser = sparser.p_adjusted;
  const double p_equal = equal.p_equivalence_adjusted;
  r.p_adjusted = std::max(p_sparser, p_equal);
  if (sparser.verdict == Verdict::kContradicts) r.p_adjusted = p_sparser;
  if (equal.verdict == Verdict::kContradicts) r.p_adjusted = equal.p_adjusted;
  r.p_decisive = r.p_adjusted;
  r.comparison.claimed = Claimed::kPositive;  // shown as one plain p-value
  return r;
}

void SetJoint(GradientSparsityFindings* g) {
  for (FamilyFindings& f : g->families) {
    for (auto* arms : {&f.scratch, &f.finetune}) {
      for (ArmFindings& a : *arms) {
        if (a.quality_id.empty()) continue;
        a.joint = Joint(FindResult(g->verdicts, a.density_id),
                        FindResult(g->verdicts, a.quality_id));
      }
    }
  }
}

void Tally(GradientSparsityFindings* g) {
  for (const FamilyFindings& f : g->families) {
    for (const auto* arms : {&f.scratch, &f.finetune}) {
      for (const ArmFindings& a : *arms) {
        if (a.density_id.empty()) continue;
        ++g->compared;
        const Verdict v = FindResult(g->verdicts, a.density_id).verdict;
        if (v == Verdict::kSupports) {
          ++g->sparser;
          if (a.change.mean <= kPaperChange / 2) ++g->half_of_paper;
        }
        if (v == Verdict::kContradicts) ++g->denser;
      }
    }
  }
}

}  // namespace

GradientSparsityFindings AnalyzeGradientSparsity(
    const GradientSparsityResults& results) {
  GradientSparsityFindings g;
  const std::vector<Runs> variants = ByVariant(results.runs());
  std::vector<Comparison> family;
  for (bool vit : {true, false}) {
    FamilyFindings f;
    if (FamilyOf(variants, vit, &f, &family)) g.families.push_back(f);
  }
  std::vector<double> eta3, count01;
  for (const TrainingRecord& r : results.runs()) {
    if (r.gradient_probes_size() == 0) continue;
    eta3.push_back(OverLayers(FinalGradient(r), [](const LayerGradient& l) {
      return l.eta_below(kEta3);
    }));
    count01.push_back(OverLayers(FinalGradient(r), [](const LayerGradient& l) {
      return l.spectral(kSpectral01).nonzero();
    }));
    g.longest_minutes =
        std::max(g.longest_minutes, r.timings().wall_seconds() / 60);
  }
  g.eta3 = SpreadOf(eta3);
  g.count01 = SpreadOf(count01);
  g.verdicts = Decide(family);
  SetJoint(&g);
  Tally(&g);
  g.claims = ClaimRows(g);
  return g;
}

}  // namespace sparsity
