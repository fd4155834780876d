#include "reports/gradient_sparsity_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/claims.h"
#include "reports/gradient_sparsity_findings.h"

namespace sparsity {
namespace {

std::string Key(const FamilyFindings& f) { return f.vit ? "vit" : "lm"; }

std::string QualityName(const FamilyFindings& f) {
  return f.vit ? "test accuracy" : "held-out loss (nats/byte)";
}

std::string QualityCell(const Spread& s, bool vit) {
  return vit ? PctSpread(s) : NumSpread(s, "%.3f");
}

std::string Verdict(const GradientSparsityFindings& g, const std::string& id) {
  return id.empty() ? "-" : EffectProse(FindResult(g.verdicts, id));
}

void Intro(std::string* md, const std::string& title) {
  absl::StrAppend(
      md, "# ", title, "\n\n",
      "Experiment 4 (docs/method.md, \"gradient_sparsity\" and \"Gradient "
      "sparsity: the claims as tested\"; Peng et al. 2023, [P]). [P] explain "
      "activation sparsity through gradient sparsity and flatness, and "
      "propose plug-in modules — J-SquaredReLU, a zeroth bias clipped "
      "against the LayerNorm's gain, a restricted LayerNorm, and for "
      "finetuning a ReLU → JSReLU mix — reported to raise activation "
      "sparsity by about half on ImageNet-1k and C4. This report measures "
      "that at CPU scale on a ViT (Fashion-MNIST) and a byte-level LM "
      "(Brown). Every number is a mean over seeds with the min–max over "
      "seeds in brackets; changes against a baseline are paired by seed, "
      "and every verdict is a paired test over seeds, Holm-adjusted over "
      "the report. **Held-out density** is the fraction of a layer's d_ff "
      "units nonzero per token on the held-out probe, averaged over layers "
      "(lower is sparser). **η** = dL/d(activation output) × f′(pre-"
      "activation) on one fixed training batch. Where f′ is 0 (ReLU and "
      "JSReLU below 0) η is 0 whatever the gradient, so the fraction of all "
      "entries with small |η| contains the activation zeros by "
      "construction; the non-trivial part is **|η| among active entries** "
      "of the tokens that reach the loss (a ViT's last block: the class "
      "token only).\n\n");
}

void ArmBullet(const GradientSparsityFindings& g, const FamilyFindings& f,
               const ArmFindings& a, const ArmFindings& ref, std::string* md) {
  absl::StrAppend(md, "  - `", a.name, "` (", a.label, "): density ",
                  PctSpread(a.density), ", ", Verdict(g, a.density_id), "; ",
                  QualityName(f), " ", QualityCell(a.quality, f.vit),
                  " against ", QualityCell(ref.quality, f.vit));
  if (!a.quality_id.empty()) {
    absl::StrAppend(md, " (equal quality: ", Verdict(g, a.quality_id),
                    "; sparser at equal quality, P6: **",
                    VerdictName(a.joint.verdict), "**)");
  }
  absl::StrAppend(md, ".\n");
}

std::string WithReason(const GradientSparsityFindings& g,
                       const std::string& id) {
  const ComparisonResult& r = FindResult(g.verdicts, id);
  return absl::StrCat(EffectProse(r), " (", r.reason, ")");
}

void MechanismBullets(const GradientSparsityFindings& g,
                      const FamilyFindings& f, std::string* md) {
  const ArmFindings& base = f.scratch[0];
  absl::StrAppend(
      md, "- **", f.name, ": gradient sparsity beyond the activation zeros.** ",
      "Baseline: |η| < 1e-6 on ", PctSpread(base.eta_full),
      " of all entries, of which the activation zeros are ",
      PctSpread(base.zeros),
      "; among active entries of the tokens that "
      "reach the loss ",
      PctSpread(base.eta_active), " (below 1e-9: ", PctSpread(base.eta_active9),
      "): ", WithReason(g, f.p4_id), ".\n");
  absl::StrAppend(
      md, "- **", f.name,
      ": spectral concentration.** fc1 eigenvalues above "
      "10 × their mean: ",
      NumSpread(base.top_eigen_init, "%.1f"), " at initialisation, ",
      NumSpread(base.top_eigen, "%.1f"),
      " at the end in the baseline (10 × the mean sits just above where a "
      "random matrix of this shape ends, so any learned direction crosses "
      "it). Is the more concentrated variant the sparser one? Per seed, the "
      "correlation over the from-scratch variants of density with that "
      "count is ",
      NumSpread(f.p5_correlation, "%+.2f"), ": ", Verdict(g, f.p5_id), ".\n");
  absl::StrAppend(md, "- **", f.name, ": are the sparser models flatter?** ");
  if (base.flatness.n == 0) {
    absl::StrAppend(md, "no flatness was measured.\n");
    return;
  }
  absl::StrAppend(md, "Baseline loss rise under 5% weight noise ",
                  NumSpread(base.flatness, "%.4f"),
                  " nats; per seed, the correlation over the from-scratch "
                  "variants of density with that rise is ",
                  NumSpread(f.p7_correlation, "%+.2f"), ": ",
                  Verdict(g, f.p7_id),
                  ". The noise is relative to each tensor's rms, which the "
                  "modules change (JSReLU is quadratic, the restricted "
                  "LayerNorm bounds gains), so the variants differ in more "
                  "than sparsity.\n");
}

void FamilySummary(const GradientSparsityFindings& g, const FamilyFindings& f,
                   std::string* md) {
  const ArmFindings& base = f.scratch[0];
  absl::StrAppend(md, "- **", f.name,
                  " from scratch.** The ReLU baseline ends at ",
                  PctSpread(base.density), " held-out density (",
                  QualityName(f), " ", QualityCell(base.quality, f.vit),
                  "). Every variant against it (density change, 95% "
                  "interval, verdict):\n");
  for (size_t i = 1; i < f.scratch.size(); ++i) {
    ArmBullet(g, f, f.scratch[i], base, md);
  }
  if (f.finetune.size() > 1) {
    absl::StrAppend(md, "- **", f.name,
                    " finetuned** from the baseline's "
                    "checkpoint, against the control trained as long without "
                    "the modules (density ",
                    PctSpread(f.finetune[0].density), "):\n");
    for (size_t i = 1; i < f.finetune.size(); ++i) {
      ArmBullet(g, f, f.finetune[i], f.finetune[0], md);
    }
  }
  MechanismBullets(g, f, md);
}

void Summary(const GradientSparsityFindings& g, std::string* md) {
  absl::StrAppend(md, "## Summary (computed from the results)\n\n");
  std::vector<std::string> sizes;
  for (const FamilyFindings& f : g.families) {
    FamilySummary(g, f, md);
    sizes.push_back(
        absl::StrFormat("%.2fM (%s)", f.scratch[0].parameters / 1e6, f.name));
  }
  absl::StrAppend(
      md,
      absl::StrFormat(
          "- **Against [P].** [P] report that the modules raise activation "
          "sparsity by about half (a density change near %+.0f%%) on "
          "ImageNet-1k and C4, with models of 86M–220M parameters trained "
          "for days. Here, at CPU scale (baselines of %s parameters, at "
          "most %.1f minutes a run), of %d plug-in variants: significantly "
          "sparser than their baseline (or control) %d, significantly "
          "denser %d, neither %d; sparser by at least half of [P]'s change "
          "(%+.0f%% or further) %d.\n",
          100 * kPaperChange, absl::StrJoin(sizes, " and "), g.longest_minutes,
          g.compared, g.sparser, g.denser, g.compared - g.sparser - g.denser,
          50 * kPaperChange, g.half_of_paper),
      "- **Columns that cannot move** are left out of the tables: |η| < "
      "1e-3 holds for ",
      PctSpread(g.eta3),
      " of entries over every run, and the count of fc1 "
      "eigenvalues above 0.1 × their mean is ",
      NumSpread(g.count01, "%.1f"),
      " in every run: the rank of K Kᵀ (d_model).\n\n");
}

std::vector<std::string> Header(const FamilyFindings& f, const char* against) {
  return {"variant",
          "modules",
          "held-out density",
          absl::StrCat("density vs ", against, " (paired)"),
          QualityName(f),
          "\\|η\\| < 1e-6, all entries",
          "activation zeros",
          "\\|η\\| < 1e-6, active entries",
          "fc1 eigenvalues > 10 × mean",
          "loss rise, 5% weight noise"};
}

std::vector<std::string> Row(const ArmFindings& a) {
  return {absl::StrCat("`", a.name, "`"),
          a.label,
          PctSpread(a.density),
          a.change.n == 0
              ? "-"
              : absl::StrFormat("%+.1f%% (%+.1f to %+.1f)", 100 * a.change.mean,
                                100 * a.change.min, 100 * a.change.max),
          QualityCell(a.quality, a.vit),
          PctSpread(a.eta_full),
          PctSpread(a.zeros),
          PctSpread(a.eta_active),
          NumSpread(a.top_eigen, "%.1f"),
          a.flatness.n > 0 ? NumSpread(a.flatness, "%.4f") : "-"};
}

// A curve over probe steps per variant, band over seeds.
template <typename Points, typename F>
LinePlot CurvePlot(const std::string& title, const std::string& y_label,
                   const std::vector<Runs>& variants, Points points, F f) {
  LinePlot plot{title, "training step", y_label};
  for (const Runs& v : variants) {
    std::vector<double> x;
    std::vector<std::vector<double>> rows;
    for (const TrainingRecord* r : v) {
      rows.emplace_back();
      std::vector<double> steps;
      for (const auto& p : points(*r)) {
        steps.push_back(static_cast<double>(p.step()));
        rows.back().push_back(f(p));
      }
      if (x.empty()) x = steps;
      if (steps != x) return plot;
    }
    if (!x.empty()) plot.series.push_back(BandSeries(v[0]->variant(), x, rows));
  }
  return plot;
}

double ActiveEta(const GradientProbe& g) { return EtaActiveAt(g, kEta6); }

const auto kProbes = [](const TrainingRecord& r) -> const auto& {
  return r.probes();
};
const auto kGradients = [](const TrainingRecord& r) -> const auto& {
  return r.gradient_probes();
};

std::vector<Runs> VariantsOf(const std::vector<Runs>& all,
                             const std::vector<ArmFindings>& arms) {
  std::vector<Runs> out;
  for (const ArmFindings& a : arms) {
    for (const Runs& v : all) {
      if (v[0]->variant() == a.name) out.push_back(v);
    }
  }
  return out;
}

void ScratchSection(const FamilyFindings& f, const std::vector<Runs>& all,
                    Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const ArmFindings& a : f.scratch) rows.push_back(Row(a));
  const std::vector<Runs> v = VariantsOf(all, f.scratch);
  absl::StrAppend(&report.markdown, "## ", f.name, ": from scratch\n\n",
                  MarkdownTable(Header(f, "baseline"), rows), "\n");
  for (auto& [suffix, alt, plot] :
       std::vector<std::tuple<std::string, std::string, LinePlot>>{
           {"density", "activation density",
            CurvePlot(absl::StrCat(f.name,
                                   ": held-out density over training (band: "
                                   "min-max over seeds)"),
                      "token density (mean over layers)", v, kProbes,
                      MeanDensity)},
           {"gradient", "gradient sparsity among active entries",
            CurvePlot(
                absl::StrCat(f.name, ": |eta| < 1e-6 among active entries"),
                "fraction (mean over layers)", v, kGradients, ActiveEta)},
           {"spectral", "spectral concentration",
            CurvePlot(absl::StrCat(f.name, ": fc1 eigenvalues above 10 x mean"),
                      "count (mean over layers)", v, kGradients, TopEigen)}}) {
    if (plot.series.empty()) continue;
    absl::StrAppend(
        &report.markdown,
        report.AddPlot(absl::StrCat(Key(f), "_", suffix), alt, plot), "\n\n");
  }
}

void FinetuneSection(const FamilyFindings& f, const std::vector<Runs>& all,
                     Report& report) {
  if (f.finetune.size() < 2) return;
  std::vector<std::vector<std::string>> rows;
  for (const ArmFindings& a : f.finetune) rows.push_back(Row(a));
  LinePlot curve = CurvePlot(absl::StrCat(f.name,
                                          ": density while finetuning (band: "
                                          "min-max over seeds)"),
                             "token density (mean over layers)",
                             VariantsOf(all, f.finetune), kProbes, MeanDensity);
  curve.x_label = "finetuning step";
  absl::StrAppend(
      &report.markdown, "## ", f.name, ": finetuning from the baseline\n\n",
      "Each finetuning run starts from the final checkpoint of the baseline "
      "run with the same seeds (its step-0 probe is the baseline's final "
      "model); the control trains as long with the same schedule and no "
      "modules.\n\n",
      MarkdownTable(Header(f, "control"), rows), "\n",
      curve.series.empty()
          ? ""
          : absl::StrCat(report.AddPlot(absl::StrCat(Key(f), "_finetune"),
                                        "finetuning", curve),
                         "\n\n"));
}

void LayersSection(const GradientSparsityFindings& g, Report& report) {
  absl::StrAppend(&report.markdown,
                  "## What the gradient sparsity is made of\n\n",
                  "The baselines' final gradient probe per layer: the "
                  "fraction of all entries with |η| < 1e-6, the activation "
                  "zeros among them by construction, the tokens that reach "
                  "the loss, and |η| among the active entries of those "
                  "tokens.\n\n");
  for (const FamilyFindings& f : g.families) {
    std::vector<std::vector<std::string>> rows;
    for (const LayerGradientRow& l : f.layers) {
      rows.push_back({absl::StrCat(l.layer), PctSpread(l.eta_full),
                      PctSpread(l.zeros), PctSpread(l.loss_tokens),
                      PctSpread(l.eta_active), PctSpread(l.eta_active9)});
    }
    absl::StrAppend(
        &report.markdown, "**", f.name, "** (`", f.scratch[0].name, "`):\n\n",
        MarkdownTable(
            {"layer", "\\|η\\| < 1e-6, all entries", "activation zeros",
             "tokens that reach the loss", "\\|η\\| < 1e-6, active entries",
             "\\|η\\| < 1e-9, active entries"},
            rows),
        "\n");
  }
}

LinePlot FlatnessPlot(const FamilyFindings& f, const std::vector<Runs>& all) {
  LinePlot plot{absl::StrCat(f.name, ": sparser is flatter? One point per run"),
                "held-out density (mean over layers)",
                "loss rise under 5% weight noise (nats)"};
  for (const Runs& v : VariantsOf(all, f.scratch)) {
    Series s{v[0]->variant(), {}, {}};
    s.scatter = true;
    for (const TrainingRecord* r : v) {
      for (const FlatnessRecord& fl : r->flatness()) {
        if (std::abs(fl.sigma() - kFlatnessSigma) > 1e-6) continue;
        s.x.push_back(MeanDensity(FinalProbe(*r)));
        s.y.push_back(fl.increase());
      }
    }
    if (!s.x.empty()) plot.series.push_back(s);
  }
  return plot;
}

void FlatnessSection(const GradientSparsityFindings& g,
                     const std::vector<Runs>& all, Report& report) {
  std::string plots;
  for (const FamilyFindings& f : g.families) {
    const LinePlot plot = FlatnessPlot(f, all);
    if (plot.series.empty()) continue;
    absl::StrAppend(&plots,
                    report.AddPlot(absl::StrCat(Key(f), "_flatness"),
                                   "density against flatness", plot),
                    "\n\n");
  }
  if (plots.empty()) return;
  absl::StrAppend(
      &report.markdown, "## Flatness\n\n",
      "[P] explain sparsity by flatness. The proxy: the held-out loss rise "
      "when every weight tensor gets Gaussian noise of 5% of its own rms "
      "(docs/method.md, \"Flatness\"); lower is flatter. P7 asks whether, "
      "within each seed, the sparser variants are the flatter ones.\n\n",
      plots);
}

void CostSection(const GradientSparsityFindings& g, std::string* md) {
  std::vector<std::string> costs;
  for (const FamilyFindings& f : g.families) {
    for (const ArmFindings& a : f.scratch) {
      if (a.role != "jsrelu" && a.role != "both") continue;
      costs.push_back(absl::StrFormat(
          "%s `%s`%s %+.1f%% (%+.1f to %+.1f)", f.name, a.name,
          a.role == "jsrelu" ? " (JSReLU alone)" : "", 100 * a.throughput.mean,
          100 * a.throughput.min, 100 * a.throughput.max));
    }
  }
  if (costs.empty()) return;
  absl::StrAppend(
      md,
      "## What does the activation cost?\n\n"
      "J-SquaredReLU runs as one fused kernel pass forward and one backward "
      "(`kernels/jsrelu.h` through the autograd op `models/jsrelu_op.h`); "
      "its cost is measured by `bazel run //bench:jsrelu_benchmark` against "
      "the LibTorch expression and against plain ReLU. The runs' own "
      "throughput (tokens/s over whole steps) against their ReLU baseline, "
      "paired by seed, is shown for the record only: whole-run timings "
      "include whatever else ran on the machine, so no conclusion is drawn "
      "from them: ",
      absl::StrJoin(costs, "; "), ".\n\n");
}

}  // namespace

Report GradientSparsityReport(const Results& results,
                              const std::string& results_file) {
  const GradientSparsityResults& r = results.gradient_sparsity();
  const GradientSparsityFindings g = AnalyzeGradientSparsity(r);
  Report report("gradient_sparsity",
                "Gradient sparsity and the plug-in modules of Peng et al.");
  const std::vector<Runs> all = ByVariant(r.runs());
  std::vector<std::string> headline;
  for (const FamilyFindings& f : g.families) {
    for (const ArmFindings& a : f.scratch) {
      if (a.density_id.empty()) continue;
      headline.push_back(absl::StrFormat(
          "%s %s %+.1f%% (%s)", f.name, a.name, 100 * a.change.mean,
          VerdictName(FindResult(g.verdicts, a.density_id).verdict)));
    }
  }
  report.headline = absl::StrCat(
      "density against the ReLU baseline, every from-scratch variant: ",
      absl::StrJoin(headline, "; "), ".");
  Intro(&report.markdown, report.title);
  Summary(g, &report.markdown);
  for (const FamilyFindings& f : g.families) {
    ScratchSection(f, all, report);
    FinetuneSection(f, all, report);
  }
  LayersSection(g, report);
  FlatnessSection(g, all, report);
  CostSection(g, &report.markdown);
  absl::StrAppend(&report.markdown, "## Verdicts\n\n",
                  "[P]'s claims on the verdict layer (docs/method.md, "
                  "\"Verdicts\" and \"Gradient sparsity: the claims as "
                  "tested\").\n\n",
                  VerdictTable(g.verdicts), "\n");
  report.claims = g.claims;
  absl::StrAppend(&report.markdown,
                  SweepHowMeasured(results.run(), results_file, r.runs(),
                                   "gradient_sparsity"));
  return report;
}

}  // namespace sparsity
