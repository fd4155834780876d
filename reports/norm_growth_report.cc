#include "reports/norm_growth_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "metrics/norm_growth.h"
#include "reports/claims.h"
#include "reports/norm_growth_findings.h"

namespace sparsity {
namespace {

std::string Fmt(double v, const char* format) {
  return absl::StrFormat(absl::FormatSpec<double>(format), v);
}

std::string FitText(const PowerFit& f) {
  return absl::StrCat(NumSpread(f.alpha, "%.2f"), " (R^2 ",
                      NumSpread(f.r2, "%.4f"), ")");
}

std::vector<double> Steps(const TrainingRecord& r) {
  std::vector<double> x;
  for (const NormPoint& p : r.norm_growth().points()) x.push_back(p.step());
  return x;
}

// rows[run][point] of f(point) over the points with a next step (or all).
std::vector<std::vector<double>> PointRows(
    const Runs& runs, const std::function<double(const NormPoint&)>& f,
    bool with_next_only) {
  std::vector<std::vector<double>> rows;
  for (const TrainingRecord* r : runs) {
    rows.emplace_back();
    for (const NormPoint& p : r->norm_growth().points()) {
      if (!with_next_only || p.has_next()) rows.back().push_back(f(p));
    }
  }
  return rows;
}

struct Context {
  const NormGrowthResults& r;
  const NormGrowthFindings& f;
  Runs ref;
  std::vector<Runs> variants;
  const TrainingRecord& first() const { return *ref[0]; }
};

const VariantGrowth* VariantWithRole(const NormGrowthFindings& f,
                                     const std::string& role) {
  for (const VariantGrowth& v : f.variants) {
    if (v.role == role) return &v;
  }
  return nullptr;
}

void Intro(const Context& c, std::string* md) {
  const RunConfig& rc = c.first().config();
  absl::StrAppend(
      md, "# Parameter norm growth and saturation\n\n",
      "Does the l2 norm rho of a ReLU transformer LM's parameters grow like "
      "sqrt(t) during training, when does that stop, does its direction "
      "converge, and does the network approach its saturated version c·theta "
      "(c → ∞), whose attention heads split into argmax and mean heads "
      "(Merrill et al. 2021, [M])? The reference model: ",
      rc.model().n_layers(), " layers, d_model ", rc.model().d_model(), ", ",
      rc.model().n_heads(), " heads, d_ff ", rc.model().d_ff(),
      ", bytes of the Brown corpus, ", rc.data().batch_size(), " sequences of ",
      rc.data().seq_len(), " per step for ", rc.train().steps(), " steps, ",
      c.f.variants[0].optimiser, " with ", rc.optim().warmup_steps(),
      " warmup steps; ", c.f.variants[0].architecture,
      ". Norms are measured every ", rc.probe().every(),
      " steps; saturation and the direction at the trajectory steps (every ",
      c.r.config().trajectory_every(), " steps) on the ",
      rc.probe().batch_tokens(),
      "-token held-out probe batch. Definitions: "
      "[docs/method.md](../docs/method.md), \"Norm growth and saturation\" "
      "and \"Norm growth: the claims as tested\". [M]'s own language-model "
      "figures come from code whose causal mask lets tokens see the future; "
      "this model masks with -inf, and nothing here is compared with those "
      "figures.\n\n");
}

void GrowthBullets(const Context& c, std::string* md) {
  const NormGrowthFindings& f = c.f;
  const GroupGrowth& all = f.groups[0];
  const GroupGrowth& body = f.groups[1];
  const GroupGrowth& last = f.groups.back();
  const KindShare* gains = nullptr;
  for (const KindShare& k : f.kinds) {
    if (k.kind == "LayerNorm gains") gains = &k;
  }
  absl::StrAppend(
      md, "- **What rho measures here.** rho^2 at initialisation is ",
      Fmt(all.init.mean * all.init.mean, "%.0f"), "; ",
      gains ? absl::StrCat(PctSpread(gains->init_share),
                           " of it is LayerNorm gains (ones), ")
            : "",
      "and the group \"", last.group,
      "\" (the last LayerNorm and the untied "
      "output head) carries ",
      PctSpread(last.share),
      " of rho^2's rise. The body (every other parameter) grows ",
      PctSpread(body.growth), " against ", PctSpread(all.growth),
      " for the whole vector, so the verdict rests on fits per group.\n");
  std::vector<std::string> all_variants;
  for (const VariantGrowth& v : f.variants) {
    all_variants.push_back(absl::StrCat(
        v.name, " ", FitText(v.body_steps), " against steps, ",
        FitText(v.body_lr), " against the cumulative learning rate",
        v.comparable ? "" : " (did not train comparably)"));
  }
  absl::StrAppend(
      md,
      "- **Does rho grow like sqrt(t)?** That is rho^2 = a + b·t: the "
      "exponent beta of a power fit to rho^2 is 1, whatever the initial "
      "norm a. Every variant's beta for the body (R^2): ",
      absl::StrJoin(all_variants, "; "), ". Verdicts (beta - 1, equal within ±",
      Fmt(kExponentMargin, "%g"), "): body at a constant rate, the test: ",
      EffectProse(FindResult(f.verdicts, kM1BodyConstant)),
      "; body under the schedule, against the cumulative learning rate: ",
      EffectProse(FindResult(f.verdicts, kM1BodySchedule)),
      "; whole vector against steps (the head included): ",
      EffectProse(FindResult(f.verdicts, kM1AllReference)),
      ". Every run uses weight decay 0.1 and the fits include the warmup.\n");
}

void StopBullet(const Context& c, std::string* md) {
  absl::StrAppend(md,
                  "- **When does growth stop?** (the share of rho's rise "
                  "that the last quarter of training adds; \"stopped\" is at "
                  "most ",
                  Pct(kStopMargin), ")\n");
  for (const VariantGrowth& v : c.f.variants) {
    if (v.role == "architecture") continue;
    const ComparisonResult& r =
        FindResult(c.f.verdicts, absl::StrCat(kStop, v.name));
    absl::StrAppend(
        md, "  - **", v.name, "** (", v.optimiser, ", ", v.runs,
        " runs): rho +", PctSpread(v.rise), ", the last quarter adds ",
        PctSpread(v.late), " of the rise: ", VerdictName(r.verdict), " (",
        r.reason, "); held-out loss ", NumSpread(v.loss, "%.3f"), " nats/byte",
        v.role == "reference"
            ? ""
            : absl::StrFormat(" (%+.3f against the reference)", v.loss_excess),
        ".\n");
  }
}

void DirectionBullet(const NormGrowthFindings& f, std::string* md) {
  const DirectionSummary& d = f.directions.back();
  absl::StrAppend(
      md, "- **Does the direction converge?** 1 - cos between theta at steps ",
      d.half, " and ", d.three_quarters, ": ", NumSpread(d.early, "%.2e"),
      "; between ", d.three_quarters, " and ", d.end, ": ",
      NumSpread(d.late, "%.2e"), " (", d.variant,
      "). Verdict at a constant rate, the test: ",
      f.directions.size() > 1 ? EffectProse(FindResult(f.verdicts, kM2Constant))
                              : "no constant-rate runs",
      ". Under the schedule (its steps shrink late, so this row shows the "
      "schedule's share): ",
      EffectProse(FindResult(f.verdicts, kM2Reference)),
      ". Measured on the whole vector, which the head dominates.\n");
}

void SaturationBullet(const NormGrowthFindings& f, std::string* md) {
  absl::StrAppend(md,
                  "- **Does each layer approach its saturated version?** "
                  "Cosine similarity between block outputs under theta and "
                  "c·theta at c = ",
                  Fmt(f.saturation_scale, "%g"), ", end against init:");
  const SaturationFindings& s = f.saturation;
  for (size_t l = 0; l < s.init.size(); ++l) {
    absl::StrAppend(
        md, l ? ";" : "", " layer ", l, " ", NumSpread(s.end[l], "%.3f"),
        " vs ", NumSpread(s.init[l], "%.3f"), " (highest ",
        Fmt(s.peak[l], "%.3f"), " at step ", Fmt(s.peak_step[l], "%.0f"), "), ",
        EffectProse(FindResult(f.verdicts, absl::StrCat(kM3Layer, l))));
  }
  absl::StrAppend(md,
                  ". Scaling every parameter by c also reweights the "
                  "residual stream's terms (embeddings and biases against "
                  "products of several weights), so a rise is not attention "
                  "saturating alone; the architecture variants (one seed "
                  "each) are in \"Similarity against c\".\n");
}

void Summary(const Context& c, std::string* md) {
  const NormGrowthFindings& f = c.f;
  absl::StrAppend(md, "## Summary (computed from the results)\n\n");
  GrowthBullets(c, md);
  StopBullet(c, md);
  DirectionBullet(f, md);
  SaturationBullet(f, md);
  const HeadFindings& h = f.heads;
  absl::StrAppend(
      md, "- **Are the heads argmax and mean heads?** Saturated (c = ",
      Fmt(f.saturation_scale, "%g"), ", exact ties): ", h.saturated.argmax,
      " argmax, ", h.saturated.mean, " mean, ", h.saturated.between,
      " neither of ", h.heads, " (", f.reference_runs,
      " runs pooled): **not testable here** (",
      FindResult(f.verdicts, kM4Saturated).reason,
      "). The trained model at c = 1 (not the saturated limit [M] speaks "
      "of): ",
      h.at_one.argmax, " argmax-like, ", h.at_one.mean, " mean-like, ",
      h.at_one.between, " neither; share neither per run ",
      EffectProse(FindResult(f.verdicts, kM4AtOne)), ".\n\n");
}

void FitsSection(const Context& c, Report& report) {
  const ExampleFit& e = c.f.example;
  LinePlot plot{
      absl::StrCat("The body's rho^2 of ", e.run, " and fits a + b t^beta"),
      "step", "rho^2 of every parameter but the head and last LN"};
  Series data{"measured", e.x, e.y};
  data.points = true;
  plot.series.push_back(data);
  for (const NormFit& fit : e.fits) {
    Series s{absl::StrFormat("beta %.2f, R^2 %.4f%s", fit.alpha(), fit.r2(),
                             fit.form() == "t" ? " (sqrt(t))" : ""),
             {},
             {}};
    for (int i = 0; i <= 200; ++i) {
      const double t = e.x.back() * i / 200.0;
      s.x.push_back(t);
      s.y.push_back(fit.a() + fit.b() * std::pow(t, fit.alpha()));
    }
    plot.series.push_back(s);
  }
  std::vector<std::vector<std::string>> rows;
  for (const VariantGrowth& v : c.f.variants) {
    rows.push_back({v.name, v.role, v.optimiser, v.architecture,
                    absl::StrCat(v.runs), NumSpread(v.rho0, "%.2f"),
                    NumSpread(v.rho_end, "%.2f"), NumSpread(v.r2_t, "%.4f"),
                    NumSpread(v.r2_sqrt, "%.4f"), FitText(v.all_steps),
                    FitText(v.body_steps), FitText(v.body_lr),
                    NumSpread(v.loss, "%.3f")});
  }
  absl::StrAppend(
      &report.markdown, "## Norm growth\n\n",
      report.AddPlot("rho_fits", "the body's rho^2 with fits", plot), "\n\n",
      "Least-squares fits of rho^2 = a + b·x^beta over every probe step, "
      "beta free (the power form; beta = 1 is growth like sqrt(x)); x is "
      "the step, or the cumulative learning rate (the sum of the learning "
      "rates of the steps so far). \"body\": every parameter but the last "
      "LayerNorm and the output head. The R^2 columns fit rho itself to a + "
      "b·t and a + b·sqrt(t). Every variant, mean (min–max) over its "
      "runs.\n\n",
      MarkdownTable(
          {"variant", "role", "optimiser", "model", "runs", "rho(0)",
           "rho(end)", "R^2 t", "R^2 sqrt(t)", "beta, all, steps",
           "beta, body, steps", "beta, body, cumulative lr", "held-out loss"},
          rows),
      "\n");
  LinePlot variants{"rho(t) per variant (line: mean, band: min-max over runs)",
                    "step", "rho"};
  for (const Runs& v : c.variants) {
    variants.series.push_back(
        BandSeries(v[0]->variant(), Steps(*v[0]),
                   PointRows(
                       v, [](const NormPoint& p) { return p.rho(); }, false)));
  }
  absl::StrAppend(&report.markdown,
                  report.AddPlot("rho_variants", "rho per variant", variants),
                  "\n\n");
}

void GroupsSection(const Context& c, Report& report) {
  const NormGrowthFindings& f = c.f;
  std::vector<std::vector<std::string>> kinds;
  for (const KindShare& k : f.kinds) {
    kinds.push_back({k.kind, PctSpread(k.init_share), PctSpread(k.rise_share)});
  }
  std::vector<std::vector<std::string>> rows;
  for (const GroupGrowth& g : f.groups) {
    rows.push_back({g.group, NumSpread(g.init, "%.2f"),
                    NumSpread(g.end, "%.2f"), PctSpread(g.growth),
                    PctSpread(g.share), FitText(g.steps), FitText(g.lr)});
  }
  const auto& groups = c.first().norm_growth().groups();
  LinePlot plot{absl::StrCat("Norm per parameter group, ", f.reference), "step",
                "l2 norm of the group"};
  for (int g = 0; g < groups.size(); ++g) {
    plot.series.push_back(BandSeries(
        groups[g], Steps(c.first()),
        PointRows(
            c.ref, [g](const NormPoint& p) { return p.group_rho(g); }, false)));
  }
  LinePlot body{"The body's norm against the cumulative learning rate",
                "cumulative learning rate (sum of the rates so far)",
                "norm of every parameter but the head and last LayerNorm"};
  for (const BodyCurve& b : f.body_curves) {
    body.series.push_back(BandSeries(b.variant, b.cumulative_lr, b.body));
  }
  absl::StrAppend(
      &report.markdown, "### What rho is made of\n\n",
      "Per kind of parameter, its share of rho^2 at initialisation and of "
      "rho^2's rise over training (",
      f.reference, ", ", f.reference_runs, " runs):\n\n",
      MarkdownTable(
          {"parameters", "share of rho^2 at init", "share of the rise"}, kinds),
      "\nPer group: \"embeddings\" (token and position), \"block i\" (every "
      "parameter of block i), \"final\" (the last LayerNorm and the untied "
      "output head), with the exponent beta of the group's squared norm "
      "against steps and against the cumulative learning rate:\n\n",
      MarkdownTable({"group", "norm at step 0", "norm at the end", "growth",
                     "share of rho^2's rise", "beta of rho^2 (R^2), steps",
                     "beta (R^2), cumulative lr"},
                    rows),
      "\n", report.AddPlot("group_norms", "norm per group", plot), "\n\n",
      "Against the cumulative learning rate the two schedules share one "
      "clock: where their curves part, the schedule (or the weight decay, "
      "which acts through the same rate) does more than set the pace.\n\n",
      report.AddPlot("body_lr",
                     "body norm against the cumulative learning "
                     "rate",
                     body),
      "\n\n");
}

void DirectionSection(const Context& c, Report& report) {
  LinePlot lag{"Direction: 1 - cos(theta_t, theta_end)", "step",
               "1 - cos (log scale)"};
  lag.log_y = true;
  std::vector<std::vector<std::string>> rows;
  for (const DirectionSummary& d : c.f.directions) {
    std::vector<std::vector<double>> clipped = d.to_end;
    for (auto& run : clipped) {
      for (double& v : run) v = std::max(v, 1e-12);
    }
    std::vector<double> x = d.steps;
    for (auto& run : clipped) run.pop_back();  // 0 at the end itself
    x.pop_back();
    lag.series.push_back(BandSeries(d.variant, x, clipped));
    rows.push_back(
        {d.variant, NumSpread(d.early, "%.2e"), NumSpread(d.late, "%.2e")});
  }
  const DirectionSummary& d0 = c.f.directions[0];
  LinePlot align{"Alignment: cos(theta_t, theta_t+1 - theta_t)", "step",
                 "cosine"};
  LinePlot size{"Step size |theta_t+1 - theta_t|", "step", "l2 norm"};
  size.log_y = true;
  for (const Runs& v : c.variants) {
    if (v[0]->role() == "architecture") continue;
    std::vector<double> xs;
    for (const NormPoint& p : v[0]->norm_growth().points()) {
      if (p.has_next()) xs.push_back(p.step());
    }
    align.series.push_back(BandSeries(
        v[0]->variant(), xs,
        PointRows(
            v, [](const NormPoint& p) { return p.alignment_cos(); }, true)));
    size.series.push_back(BandSeries(
        v[0]->variant(), xs,
        PointRows(
            v, [](const NormPoint& p) { return p.step_size(); }, true)));
  }
  absl::StrAppend(
      &report.markdown, "### Direction\n\n",
      "1 - cos between theta at a trajectory step and theta at the end "
      "(long lags; between consecutive steps the cosine is 1 within 1e-5 "
      "by construction). A converging direction changes less over the last "
      "quarter than over the third (M2: the ratio, on a log scale).\n\n",
      report.AddPlot("direction", "direction against the final one", lag),
      "\n\n",
      MarkdownTable(
          {"variant",
           absl::StrCat("1 - cos, steps ", d0.half, " → ", d0.three_quarters),
           absl::StrCat("1 - cos, steps ", d0.three_quarters, " → ", d0.end)},
          rows),
      "\nThe geometry of single updates (every probe step but the last; the "
      "variants that share the reference's model): a positive alignment "
      "means the update points away from the origin (the norm grows).\n\n",
      report.AddPlot("alignment", "alignment", align), "\n\n",
      report.AddPlot("step_size", "step size", size), "\n\n");
}

void SaturationSection(const Context& c, Report& report) {
  const NormGrowthFindings& f = c.f;
  const SaturationFindings& s = f.saturation;
  LinePlot plot = PerLayerBandPlot(
      absl::StrCat("Similarity to the saturated model (c = ",
                   Fmt(f.saturation_scale, "%g"), "), ", f.reference),
      "step", "mean cosine over tokens", s.steps, s.per);
  std::vector<std::vector<std::string>> rows;
  for (size_t l = 0; l < s.init.size(); ++l) {
    const ComparisonResult& r =
        FindResult(f.verdicts, absl::StrCat(kM3Layer, l));
    rows.push_back({absl::StrCat(l), NumSpread(s.init[l], "%.3f"),
                    NumSpread(s.end[l], "%.3f"), EffectText(r),
                    VerdictName(r.verdict)});
  }
  absl::StrAppend(
      &report.markdown, "## Saturation\n\n",
      "Per layer, the mean over the probe tokens of the cosine similarity "
      "between the block's output under theta and under c·theta (every "
      "parameter scaled), with the saturated model's attention computed by "
      "the saturated-attention kernel, at every trajectory step; ",
      f.reference, ", ", f.reference_runs,
      " runs (line: mean, band: "
      "min–max).\n\n",
      report.AddPlot("saturation", "saturation per layer over training", plot),
      "\n\n",
      MarkdownTable(
          {"layer", "initialisation", "end", "end - init (95% CI)", "verdict"},
          rows),
      "\n");
}

void CurveSection(const Context& c, Report& report) {
  const NormGrowthFindings& f = c.f;
  LinePlot plot{"Similarity of the last layer's hidden states vs c",
                "c (every parameter scaled by c)", "mean cosine over tokens"};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"variant", "model", "runs"};
  for (const CurveRow& row : f.curves) {
    Series s = BandSeries(row.variant, row.scales, row.last_layer);
    s.points = true;
    plot.series.push_back(s);
    std::vector<std::string> cells = {row.variant, row.architecture,
                                      absl::StrCat(row.runs)};
    for (size_t i = 0; i < row.scales.size(); ++i) {
      const double scale = row.scales[i];
      if (scale != 2 && scale != 5 && scale != 10) continue;
      std::vector<double> v;
      for (const auto& run : row.last_layer) v.push_back(run[i]);
      cells.push_back(NumSpread(SpreadOf(v), "%.3f"));
      if (&row == &f.curves[0]) {
        header.push_back(absl::StrCat("last layer, c = ", Fmt(scale, "%g")));
      }
    }
    cells.push_back(NumSpread(row.trained, "%.3f"));
    cells.push_back(NumSpread(row.init, "%.3f"));
    rows.push_back(cells);
  }
  const std::string big = Fmt(f.saturation_scale, "%g");
  header.push_back(absl::StrCat("all layers, c = ", big, " (trained)"));
  header.push_back(absl::StrCat("all layers, c = ", big, " (init)"));
  absl::StrAppend(
      &report.markdown, "### Similarity against c\n\n",
      "The trained models of the reference and the architecture variants, "
      "c from 1 to 10 with softmax attention; the last block's output. "
      "Descriptive: the architecture variants have too few runs for a "
      "verdict.\n\n",
      report.AddPlot("similarity_vs_c", "similarity against c", plot), "\n\n",
      MarkdownTable(header, rows), "\n");
}

std::string HeadKind(double keys, double spread_or_share, double mean_at) {
  return keys <= kArgmaxKeys          ? "argmax"
         : spread_or_share >= mean_at ? "mean"
                                      : "neither";
}

void HeadsSection(const Context& c, Report& report) {
  const NormGrowthFindings& f = c.f;
  const HeadFindings& h = f.heads;
  LinePlot plot{absl::StrCat("Heads, ", f.reference_runs, " runs pooled"),
                "keys per query (log scale): exp(entropy) at c = 1, keys "
                "attended at c = 1000",
                "heads"};
  plot.log_x = true;
  const double hi = c.first().config().probe().seq_len();
  plot.series.push_back(
      HistogramSeries("c = 1: exp(entropy)", h.at_one_keys, 24, 0.8, hi, true));
  plot.series.push_back(HistogramSeries(
      absl::StrCat("c = ", Fmt(f.saturation_scale, "%g"), ": keys attended"),
      h.saturated_keys, 24, 0.8, hi, true));
  std::vector<std::vector<std::string>> rows;
  for (const HeadPositions& p : h.first_run) {
    rows.push_back(
        {absl::StrCat(p.layer()), absl::StrCat(p.head()),
         Fmt(p.c1_effective_keys(), "%.2f"), Pct(p.c1_spread()),
         HeadKind(p.c1_effective_keys(), p.c1_spread(), kMeanSpread),
         Fmt(p.mean(), "%.2f"), Pct(p.p_more_than_one()),
         HeadKind(p.mean(), p.mean() / h.visible, kSaturatedMeanShare)});
  }
  absl::StrAppend(
      &report.markdown, "## Heads\n\n",
      "At c = 1 (the trained model as it is): a head's effective keys are "
      "exp(entropy) of a query's attention, averaged over the queries that "
      "see at least ",
      kMinVisibleKeys,
      " keys; its spread divides them by the visible keys. "
      "Argmax-like: at most ",
      Fmt(kArgmaxKeys, "%.1f"), " effective keys; mean-like: spread at least ",
      Pct(kMeanSpread), ". Saturated (c = ", Fmt(f.saturation_scale, "%g"),
      ", the kernel with tolerance ", Fmt(f.tie_tolerance, "%g"),
      "): n = keys with weight above ", Fmt(f.attended_threshold, "%g"),
      "; the kernel agrees with softmax at that c on ", PctSpread(h.agreement),
      " of (layer, head, query) rows. Scaling every parameter by c scales a "
      "pre-norm block's attention scores by about c^4, so with exact ties a "
      "query attends to more than one key only where float32 scores tie: "
      "the measure cannot find a mean head.\n\n",
      report.AddPlot("heads", "heads histogram", plot), "\n\n",
      "Every head of ", c.first().name(), ":\n\n",
      MarkdownTable({"layer", "head", "effective keys (c = 1)",
                     "spread (c = 1)", "kind (c = 1)", "mean n (saturated)",
                     "P(n > 1)", "kind (saturated)"},
                    rows),
      "\n");
}

}  // namespace

Report NormGrowthReport(const Results& results,
                        const std::string& results_file) {
  const NormGrowthResults& r = results.norm_growth();
  const NormGrowthFindings f = AnalyzeNormGrowth(r);
  Report report("norm_growth", "Parameter norm growth and saturation");
  Context c{r, f, WithRole(r.runs(), "reference"), ByVariant(r.runs())};
  const ComparisonResult& m1 = FindResult(f.verdicts, kM1BodyConstant);
  const VariantGrowth* constant = VariantWithRole(f, "constant_lr");
  report.headline = absl::StrCat(
      "at a constant learning rate rho's body grows with exponent ",
      constant ? NumSpread(constant->body_steps.alpha, "%.2f") : "(no run)",
      " for rho^2 (the output head carries ", PctSpread(f.groups.back().share),
      " of the rise); like sqrt(t) at a constant rate: ",
      VerdictName(m1.verdict), "; ", f.heads.at_one.argmax, " argmax-like and ",
      f.heads.at_one.mean, " mean-like heads of ", f.heads.heads, " at c = 1.");
  Intro(c, &report.markdown);
  Summary(c, &report.markdown);
  FitsSection(c, report);
  GroupsSection(c, report);
  DirectionSection(c, report);
  SaturationSection(c, report);
  CurveSection(c, report);
  HeadsSection(c, report);
  absl::StrAppend(&report.markdown, "## Verdicts\n\n",
                  "[M]'s claims and the growth-stop rule on the verdict layer "
                  "(docs/method.md, \"Verdicts\" and \"Norm growth: the "
                  "claims as tested\"); the rest of this report is "
                  "descriptive.\n\n",
                  VerdictTable(f.verdicts), "\n");
  report.claims = f.claims;
  absl::StrAppend(
      &report.markdown,
      SweepHowMeasured(results.run(), results_file, r.runs(), "norm_growth"));
  return report;
}

}  // namespace sparsity
