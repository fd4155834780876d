#include "reports/neuron_death_report.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "metrics/neuron_death.h"
#include "reports/claims.h"
#include "reports/layer_stats.h"
#include "reports/neuron_death_findings.h"
#include "reports/verdict.h"

namespace sparsity {
namespace {

// Everything a section needs: the findings and the first reference run's
// settings.
struct Context {
  const NeuronDeathFindings& f;
  const TrainingRecord& first;
  const NeuronDeathRecord& nd;
  int64_t window_tokens;
  std::string seeds_note;  // "mean over the 7 reference runs (min–max)"
  std::string band;        // plot-title suffix
};

std::string SeedsOf(const TrainingRecord& r) {
  return absl::StrCat("i", r.init_seed(), "-d", r.data_seed());
}

std::string SeedList(const Runs& runs, const char* separator) {
  return absl::StrJoin(runs, separator,
                       [](std::string* out, const TrainingRecord* t) {
                         out->append(SeedsOf(*t));
                       });
}

std::string PctFine(double fraction) {
  return absl::StrFormat("%.3f%%", 100 * fraction);
}

std::vector<std::string> WithLayers(std::vector<std::string> header, int layers,
                                    const std::vector<std::string>& tail) {
  for (int l = 0; l < layers; ++l) header.push_back(absl::StrCat("layer ", l));
  header.insert(header.end(), tail.begin(), tail.end());
  return header;
}

// ---- Plots -----------------------------------------------------------------

// Per layer over training steps (every `stride` steps) of series(run)[layer]
// [step index].
LinePlot StepPlot(
    const Runs& runs, const std::string& title, const std::string& y_label,
    std::vector<std::vector<double>> (*series)(const TrainingRecord&)) {
  const int64_t steps = runs[0]->loss_size();
  const int64_t stride = std::max<int64_t>(1, steps / 200);
  std::vector<double> x;
  for (int64_t k = stride; k <= steps; k += stride) x.push_back(k);
  std::vector<std::vector<std::vector<double>>> values;
  for (const TrainingRecord* r : runs) {
    const auto s = series(*r);
    std::vector<std::vector<double>> points;
    for (int64_t k = stride; k <= steps; k += stride) {
      std::vector<double> layers;
      for (const auto& layer : s) layers.push_back(layer[k - 1]);
      points.push_back(std::move(layers));
    }
    values.push_back(std::move(points));
  }
  return PerLayerBandPlot(title, "training step", y_label, x, values);
}

std::vector<std::vector<double>> DeadFractionSeries(const TrainingRecord& r) {
  std::vector<std::vector<double>> out;
  for (const LayerDeath& l : r.neuron_death().layers()) {
    std::vector<double> v;
    for (int d : l.dead()) v.push_back(d / double(r.config().model().d_ff()));
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::vector<double>> CumulativeRevivals(const TrainingRecord& r) {
  std::vector<std::vector<double>> out;
  for (const LayerDeath& l : r.neuron_death().layers()) {
    std::vector<double> v;
    double sum = 0;
    for (int d : l.revived()) v.push_back(sum += d);
    out.push_back(std::move(v));
  }
  return out;
}

LinePlot ProbeDeadPlot(const Runs& runs, const std::string& title) {
  std::vector<std::vector<std::vector<double>>> values;
  for (const TrainingRecord* r : runs) {
    std::vector<std::vector<double>> points;
    for (const Probe& p : r->probes()) {
      std::vector<double> layers;
      for (const LayerSparsity& l : p.layers()) {
        layers.push_back(l.dead_units() / double(r->config().model().d_ff()));
      }
      points.push_back(std::move(layers));
    }
    values.push_back(std::move(points));
  }
  return PerLayerBandPlot(title, "training step",
                          "fraction of units firing on no probe token",
                          ProbeSteps(runs), values);
}

// One statistic's ranks per layer as a histogram of 10 bins over [0, 1]
// (fractions of the layer's ranked deaths), with the null's 10% per bin.
LinePlot RankHistogram(const RankSummary& k) {
  LinePlot plot{
      absl::StrCat("Death ranks per layer, ", k.name, " (runs pooled)"),
      "rank (fraction of the null's candidates below)",
      "fraction of the layer's deaths",
      {}};
  for (size_t l = 0; l < k.per_layer.size(); ++l) {
    if (k.per_layer[l].empty()) continue;
    plot.series.push_back(
        HistogramSeries(absl::StrCat("layer ", l), k.per_layer[l], 10, 0, 1,
                        /*log_bins=*/false, k.per_layer[l].size()));
  }
  plot.series.push_back({"uniform null", {0, 1}, {0.1, 0.1}, {}, {}});
  plot.x_min = 0;
  plot.x_max = 1;
  plot.y_min = 0;
  return plot;
}

LinePlot FadePlot(const FadeFindings& fade) {
  LinePlot plot{absl::StrFormat("Firing before death (%d first deaths, %d "
                                "matched; band: quartiles)",
                                fade.deaths, fade.matched),
                "steps before the death",
                "fraction of tokens fired on",
                {}};
  plot.series.push_back(
      {"dying", fade.x, fade.median, fade.p25, fade.p75, /*points=*/true});
  if (fade.matched > 0) {
    plot.series.push_back({"matched cohort", fade.x, fade.cohort_median,
                           fade.cohort_p25, fade.cohort_p75,
                           /*points=*/true});
  }
  return plot;
}

// ---- Sections ----------------------------------------------------------

void Setup(const Context& c, std::string* md) {
  const RunConfig& rc = c.first.config();
  const ModelConfig& m = rc.model();
  absl::StrAppend(
      md, "## Setup\n\n",
      absl::StrFormat(
          "- Model: %d-layer decoder-only ReLU transformer, d_model %d, %d "
          "heads, d_ff %d, %s, byte-level Brown corpus; %d steps of %lld "
          "training tokens (%d sequences of %d), AdamW, peak lr %g, %d "
          "warmup steps, cosine to %g.\n",
          m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
          m.post_norm() ? "post-norm" : "pre-norm", c.first.loss_size(),
          static_cast<long long>(c.nd.tokens_per_step()),
          rc.data().batch_size(), rc.data().seq_len(), rc.optim().lr(),
          rc.optim().warmup_steps(), rc.optim().min_lr()),
      absl::StrFormat(
          "- **Dead on the training stream** (docs/method.md, \"Neuron "
          "death\"): a unit is dead from step d when it fires on no token of "
          "any training batch from d on, for at least %d steps (%lld "
          "tokens). A silence of %d steps or more that ends is a death and a "
          "revival. A unit firing on a fraction p of tokens stays silent "
          "that long by chance with probability (1-p)^%lld: below e^-6 for "
          "p >= %.1e. A silence starting after step %d is too short to "
          "count by the end of training: late deaths are not seen "
          "(right-censored).\n",
          c.nd.dead_window(), static_cast<long long>(c.window_tokens),
          c.nd.dead_window(), static_cast<long long>(c.window_tokens),
          6.0 / c.window_tokens, c.first.loss_size() - c.nd.dead_window() + 1),
      absl::StrFormat(
          "- **Dead on the probe set**: fires on none of the %lld held-out "
          "probe tokens (measured every %d steps).\n",
          static_cast<long long>(c.first.data().probe_tokens()),
          rc.probe().every()),
      absl::StrFormat(
          "- Reference runs: %d (%s; %d init seeds, the verdicts' unit of "
          "replication: runs sharing an init seed are averaged). Values are "
          "%s.\n\n",
          static_cast<int>(c.f.reference.size()), SeedList(c.f.reference, ", "),
          c.f.init_seeds, c.seeds_note));
}

std::string SeedsBullet(const NeuronDeathFindings& f) {
  const std::string init =
      f.init_decides.empty()
          ? ""
          : absl::StrCat(" Descriptively (no test), the initialisation ",
                         f.init_decides == "not"
                             ? "does not decide which units die."
                             : absl::StrCat(f.init_decides,
                                            " decides which units die."));
  return absl::StrFormat(
      "- **Seeds.** Across %d runs the per-layer dead fractions correlate "
      "with r = %.2f (%.2f–%.2f) between runs (the rule of docs/method.md "
      "asks for a mean of %.1f: %s), and layer %d loses the most in %d of "
      "%d runs (the rule asks for every run): by the rule the layers that "
      "lose units are %s. Runs sharing the init seed (%d pairs) share a "
      "fraction %.2f of their dead units (Jaccard), runs with different "
      "init seeds %.2f; random sets of the same sizes would share %.2f.%s\n",
      static_cast<int>(f.reference.size()), f.correlation.mean,
      f.correlation.min, f.correlation.max, kReproducibleCorrelation,
      f.correlation.mean >= kReproducibleCorrelation ? "met" : "not met",
      f.most, f.same_most, static_cast<int>(f.reference.size()),
      f.reproducible ? "reproducible" : "not reproducible",
      f.jaccard_same_init.n, f.jaccard_same_init.mean,
      f.jaccard_other_init.mean, f.jaccard_chance, init);
}

std::string StepBullet(const char* name, const char* what,
                       const std::vector<StepPoint>& points,
                       const std::string& trend, const char* unit) {
  std::vector<std::string> parts;
  for (const StepPoint& p : points) {
    parts.push_back(
        absl::StrFormat("%g%s: %s", p.value, unit, Pct(p.dead.mean)));
  }
  return absl::StrFormat(
      "- **%s.** The dead fraction %s with %s (%s; means over %s at every "
      "point; descriptive: two seed pairs per point).\n",
      name, trend, what, absl::StrJoin(parts, ", "),
      SeedList(points[0].runs, " and "));
}

std::string RankText(const RankSummary& k) {
  return absl::StrFormat("%s: %.0f%% in the top decile, mean rank %.2f", k.name,
                         100 * k.top_share, k.mean);
}

std::string OutliersBullet(const NeuronDeathFindings& f,
                           const NeuronDeathRecord& nd) {
  if (f.update.deaths == 0) {
    return "- **Outliers.** No death in the reference runs has a window "
           "before it: nothing to test.\n";
  }
  return absl::StrFormat(
      "- **Outliers.** For %d deaths, the largest value in the %d steps "
      "before each, ranked under a null that is uniform when deaths are "
      "unrelated to it (10%% in the top decile, mean 0.50): %s; %s; %s; "
      "%s. Verdicts: %s (input), %s (residual), %s (update, among peers as "
      "rare). The top decile is what \"outlier\" means here; the matched "
      "update ranks are not uniform all the same: per-layer means from "
      "%.2f to %.2f (section 3). Only the last %d steps before each last "
      "firing are examined, and %.0f%% of the deaths end in a revival.\n",
      f.update.deaths, nd.outlier_window(), RankText(f.input),
      RankText(f.residual), RankText(f.update), RankText(f.update_matched),
      VerdictName(FindResult(f.verdicts, kW4Input).verdict),
      VerdictName(FindResult(f.verdicts, kW4Residual).verdict),
      VerdictName(FindResult(f.verdicts, kW4Update).verdict),
      f.update_matched.layer_min, f.update_matched.layer_max,
      nd.outlier_window(),
      f.deaths_total.mean > 0
          ? 100 * f.revivals_total.mean / f.deaths_total.mean
          : 0.0);
}

std::string FrozenBullet(const NeuronDeathFindings& f) {
  if (f.frozen.empty()) return "";
  const FrozenRow& a = f.frozen_all;
  std::vector<std::string> steps;
  for (const FrozenRow& r : f.frozen) steps.push_back(absl::StrCat(r.step));
  return absl::StrFormat(
      "- **Data or weights?** With the weights frozen after steps %s and "
      "the same stream continued for %d steps, per reference run (summed "
      "over those steps and the layers) %.1f units active at the step "
      "(firing on at least %s of the tokens of its last %d steps: not "
      "already fading) went silent with learning; of them %.1f go silent "
      "on the same data with frozen weights too (the data alone) and %.1f "
      "only with learning (the dynamics); %.1f go silent only with frozen "
      "weights (learning kept them firing). W4 (dynamics rather than "
      "data): %s. What started a fade before the step is not tested. "
      "Check: in the no-learning run the frozen and its own "
      "silences differ in %d units over %d frozen steps (0 expected).\n",
      absl::StrJoin(steps, ", "), f.frozen[0].steps, a.learning_silent.mean,
      Pct(kActiveFrequency), kActiveSteps, a.both.mean, a.learning_only.mean,
      a.frozen_only.mean, EffectProse(FindResult(f.verdicts, kW4Frozen)),
      f.no_learning_mismatches, f.no_learning_checks);
}

std::string FadeBullet(const NeuronDeathFindings& f,
                       const NeuronDeathRecord& nd) {
  const FadeFindings& fade = f.fade;
  if (fade.full == 0) return "";
  return absl::StrFormat(
      "- **How units die.** Aligned at the death step (%d first deaths with "
      "%d steps of history), the median dying unit fires on %s of tokens %d "
      "to %d steps before it dies and on %s in the last %d steps; %.0f%% "
      "already fire on fewer than 1%% of tokens %d steps before. The "
      "matched cohort (%d units of the same layers that fired as often in "
      "the first bin and never die, so selected for living) fires on %s "
      "and %s over the same bins (descriptive).\n",
      fade.full, nd.fade_steps(), Pct(fade.first), nd.fade_steps(),
      nd.fade_steps() - nd.fade_bin() + 1, PctFine(fade.last), nd.fade_bin(),
      100 * fade.quiet_first, nd.fade_steps(), fade.matched,
      Pct(fade.cohort_first), Pct(fade.cohort_last));
}

std::string NoLearningBullet(const NeuronDeathFindings& f) {
  std::string text;
  if (f.no_learning != nullptr) {
    absl::StrAppend(
        &text,
        absl::StrFormat("With learning rate 0 from initialisation, on the same "
                        "data stream, %d units end dead and %d silences of %d+ "
                        "steps occur. ",
                        f.no_learning_dead, f.no_learning_deaths,
                        f.reference[0]->neuron_death().dead_window()));
  }
  if (f.frozen_trained != nullptr) {
    absl::StrAppend(
        &text,
        absl::StrFormat(
            "With the weights frozen at %s's end, on data order %d from its "
            "start, %d units end dead (%d silences end in a revival)",
            f.frozen_trained->config().init_from(),
            f.frozen_trained->data_seed(), f.frozen_dead, f.frozen_revivals),
        f.frozen_source == nullptr
            ? "."
            : absl::StrFormat("; of the %d units dead when training ended, "
                              "%d are dead there too.",
                              f.source_dead, f.source_kept));
  }
  return text.empty() ? "" : absl::StrCat("- **No learning.** ", text, "\n");
}

std::string PruneBullet(const NeuronDeathFindings& f) {
  if (f.pruning.empty()) return "";
  std::string text = absl::StrFormat(
      "- **Does death matter?** Removing the dead units (%s of all) changes "
      "the held-out loss by %+.2g nats/byte",
      Pct(f.pruning[0].removed.mean), f.pruning[0].delta.mean);
  if (f.harmless > 0) {
    const PruneRow& h = f.pruning[f.harmless];
    absl::StrAppend(
        &text,
        absl::StrFormat("; removing every unit firing on fewer than "
                        "%s of the training tokens (%s of all) costs "
                        "%+.2g",
                        Pct(h.threshold), Pct(h.removed.mean), h.delta.mean));
  }
  const PruneRow& last = f.pruning.back();
  if (f.harmless != static_cast<int>(f.pruning.size()) - 1) {
    absl::StrAppend(&text,
                    absl::StrFormat(", and removing %s costs %+.3f",
                                    Pct(last.removed.mean), last.delta.mean));
  }
  return absl::StrCat(
      text, ". W5 (within ±", absl::StrFormat("%g", kW5PruneMargin),
      " nats): ", EffectProse(FindResult(f.verdicts, kW5Prune)),
      "; close to a tautology, since a unit silent on 100 steps of training "
      "text rarely fires on held-out text: the rows beyond the dead units "
      "are the informative part.\n");
}

void Summary(const Context& c, std::string* md) {
  const NeuronDeathFindings& f = c.f;
  absl::StrAppend(
      md, "## What the evidence says\n\n",
      absl::StrFormat(
          "- **Extent.** At step %d, %s of all MLP units are dead on the "
          "training stream; layer %d loses the most (%s). On the %lld-token "
          "probe set %s fire on no token.\n",
          c.first.loss_size(), PctSpread(f.dead_total), f.most,
          PctSpread(f.dead_layer[f.most]),
          static_cast<long long>(c.first.data().probe_tokens()),
          PctSpread(f.probe_dead_total)));
  if (f.reference.size() > 1) absl::StrAppend(md, SeedsBullet(f));
  if (!f.lr_points.empty()) {
    absl::StrAppend(md, StepBullet("Learning rate", "the peak learning rate",
                                   f.lr_points, f.lr_trend, ""));
  }
  if (!f.warmup_points.empty()) {
    absl::StrAppend(md, StepBullet("Warmup", "longer warmup", f.warmup_points,
                                   f.warmup_trend, " steps"));
  }
  absl::StrAppend(md, OutliersBullet(f, c.nd), FrozenBullet(f),
                  FadeBullet(f, c.nd), NoLearningBullet(f), PruneBullet(f),
                  "\n## Verdicts\n\n",
                  "[W]'s claims on the verdict layer (docs/method.md, "
                  "\"Verdicts\" and \"Neuron death: the claims as tested\"); "
                  "the rest of this report is descriptive.\n\n",
                  VerdictTable(f.verdicts), "\n");
}

void DeadUnits(const Context& c, Report& report) {
  const NeuronDeathFindings& f = c.f;
  std::vector<std::vector<std::string>> rows;
  for (int l = 0; l < f.layers; ++l) {
    rows.push_back({absl::StrCat(l), PctSpread(f.dead_layer[l]),
                    PctSpread(f.probe_dead_layer[l]),
                    PctSpread(f.rare_layer[l]),
                    NumSpread(f.deaths_layer[l], "%.1f"),
                    NumSpread(f.revivals_layer[l], "%.1f")});
  }
  rows.push_back({"all", PctSpread(f.dead_total), PctSpread(f.probe_dead_total),
                  "", NumSpread(f.deaths_total, "%.1f"),
                  NumSpread(f.revivals_total, "%.1f")});
  const long long probe_tokens = c.first.data().probe_tokens();
  absl::StrAppend(
      &report.markdown, "## Dead units per layer\n\n",
      absl::StrFormat(
          "At the end of training, %s. Dead (training): units dead on the "
          "training stream. Dead (probe): units firing on none of the %lld "
          "probe tokens. Rare: firing on fewer than %s of the training "
          "tokens of the last %d steps, but not dead. Deaths: silences of "
          "%d+ steps (revived or not); revivals: those that ended.\n\n",
          c.seeds_note, probe_tokens, Pct(kRareFrequency), c.nd.dead_window(),
          c.nd.dead_window()),
      MarkdownTable({"layer", "dead (training)", "dead (probe)", "rare",
                     "deaths", "revivals"},
                    rows),
      "\n",
      report.AddPlot(
          "dead_training", "dead units on the training stream",
          StepPlot(f.reference,
                   absl::StrCat("Units dead on the training stream", c.band),
                   "fraction of the layer's units", DeadFractionSeries)),
      "\n\n",
      report.AddPlot(
          "dead_probe", "dead units on the probe set",
          ProbeDeadPlot(f.reference,
                        absl::StrFormat("Units firing on none of %lld probe "
                                        "tokens%s",
                                        probe_tokens, c.band))),
      "\n\n",
      report.AddPlot(
          "revivals", "revivals over training",
          StepPlot(f.reference, absl::StrCat("Revivals so far", c.band),
                   "revivals (cumulative)", CumulativeRevivals)),
      "\n\n");
}

void Fade(const Context& c, Report& report) {
  const FadeFindings& fade = c.f.fade;
  if (fade.deaths == 0) {
    absl::StrAppend(&report.markdown,
                    "No death had enough history for a fade-out curve.\n\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t b = 0; b < fade.x.size(); ++b) {
    rows.push_back({absl::StrFormat("%.0f", fade.x[b]), absl::StrCat(fade.n[b]),
                    PctFine(fade.median[b]), PctFine(fade.p25[b]),
                    PctFine(fade.p75[b]), PctFine(fade.cohort_median[b])});
  }
  absl::StrAppend(
      &report.markdown,
      absl::StrFormat(
          "Each unit's first death (pooled over the reference runs and "
          "layers): its firing frequency over the %d steps before it, in "
          "%d-step bins, aligned at the death step; a death earlier than "
          "that has no data in the bins before step 1. The last bin includes "
          "the unit's last firing, so it is never 0. The matched cohort: for "
          "each death with the whole window, the unit of its layer that "
          "never dies and fired most nearly as often in the first bin; its "
          "frequency over the same steps (%d deaths matched).\n\n",
          c.nd.fade_steps(), c.nd.fade_bin(), fade.matched),
      report.AddPlot("fade", "aligned fade-out against the matched cohort",
                     FadePlot(fade)),
      "\n\n",
      MarkdownTable({"steps before death (bin centre)", "units with data",
                     "median", "p25", "p75", "matched cohort (median)"},
                    rows),
      "\n");
}

void FiringHistogramSection(const Context& c, Report& report) {
  static const char* kBins[] = {"never",      "(0, 0.01%)", "[0.01%, 0.1%)",
                                "[0.1%, 1%)", "[1%, 10%)",  "[10%, 50%)",
                                ">= 50%"};
  const Runs& ref = c.f.reference;
  std::vector<std::vector<std::string>> rows;
  for (int h = 0; h < c.nd.layers(0).histograms_size(); ++h) {
    for (int l = 0; l < c.f.layers; ++l) {
      std::vector<std::string> row = {
          absl::StrCat(c.nd.layers(0).histograms(h).step()), absl::StrCat(l)};
      for (int b = 0; b < 7; ++b) {
        double sum = 0;
        for (const TrainingRecord* t : ref) {
          const LayerDeath& ld = t->neuron_death().layers(l);
          if (h < ld.histograms_size()) sum += ld.histograms(h).counts(b);
        }
        row.push_back(absl::StrFormat("%.1f", sum / ref.size()));
      }
      rows.push_back(std::move(row));
    }
  }
  std::vector<std::string> header = {"window ending at step", "layer"};
  header.insert(header.end(), std::begin(kBins), std::end(kBins));
  LinePlot plot{
      absl::StrFormat("Units by firing frequency over the last %d training "
                      "steps (reference runs pooled; dead units not shown)",
                      c.nd.dead_window()),
      "fraction of training tokens the unit fires on (log)",
      "units per layer (mean over runs)",
      {}};
  plot.log_x = true;
  for (int l = 0; l < c.f.layers; ++l) {
    std::vector<double> values;
    for (const TrainingRecord* t : ref) {
      for (float v : t->neuron_death().layers(l).final_frequency()) {
        values.push_back(v);
      }
    }
    plot.series.push_back(HistogramSeries(
        absl::StrCat("layer ", l), values, 24, 1.0 / c.window_tokens, 1.0,
        /*log_bins=*/true, static_cast<double>(ref.size())));
  }
  absl::StrAppend(
      &report.markdown,
      "### Dead or lazy? Firing frequency on the training stream\n\n",
      absl::StrFormat(
          "Units per layer by the fraction of training tokens they fire on "
          "over a %d-step window (%lld tokens) early, midway and at the "
          "end; mean over the reference runs.\n\n",
          c.nd.dead_window(), static_cast<long long>(c.window_tokens)),
      MarkdownTable(header, rows), "\n",
      report.AddPlot("firing_histogram", "firing-frequency histogram", plot),
      "\n\n");
}

void SeedsControl(const Context& c, std::string* md) {
  const NeuronDeathFindings& f = c.f;
  std::vector<std::vector<std::string>> rows;
  for (const TrainingRecord* t : f.reference) {
    std::vector<std::string> row = {SeedsOf(*t), Pct(DeadTotal(*t))};
    for (double v : DeadAtEnd(*t)) row.push_back(Pct(v));
    row.push_back(absl::StrFormat("%.3f", FinalProbe(*t).probe_loss()));
    rows.push_back(std::move(row));
  }
  std::vector<std::string> row = {"mean (min–max)", PctSpread(f.dead_total)};
  for (const Spread& s : f.dead_layer) row.push_back(PctSpread(s));
  rows.push_back(std::move(row));
  absl::StrAppend(
      md, "## Controls\n\n### 1. Seeds and data orders\n\n",
      "Fraction of each layer's units dead on the training stream at the "
      "end, per reference run (iI-dD: init seed I, data order D).\n\n",
      MarkdownTable(
          WithLayers({"run", "dead (all layers)"}, f.layers, {"held-out loss"}),
          rows),
      "\n");
  if (f.reference.size() < 2) return;
  absl::StrAppend(
      md,
      MarkdownTable({"between runs", "value"},
                    {{"correlation of per-layer dead fractions (mean, min–max)",
                      NumSpread(f.correlation, "%.2f")},
                     {"runs where the same layer loses the most",
                      absl::StrCat(f.same_most, " of ", f.reference.size())},
                     {"shared dead units (Jaccard), same init seed",
                      NumSpread(f.jaccard_same_init, "%.2f")},
                     {"shared dead units (Jaccard), different init seeds",
                      NumSpread(f.jaccard_other_init, "%.2f")},
                     {"shared dead units expected by chance (same sizes)",
                      absl::StrFormat("%.2f", f.jaccard_chance)}}),
      "\n",
      absl::StrFormat(
          "The reading of the overlap is descriptive: \"largely\" decided "
          "by the initialisation when same-init pairs share more than %gx "
          "what other pairs or chance share, \"partly\" above %gx.\n\n",
          kInitLargely, kInitPartly));
}

std::string StepTable(const std::vector<StepPoint>& points, const char* what,
                      int layers) {
  std::vector<std::vector<std::string>> rows;
  for (const StepPoint& p : points) {
    std::vector<std::string> row = {
        absl::StrFormat("%g%s", p.value, p.reference ? " (reference)" : ""),
        absl::StrCat(p.runs.size()), PctSpread(p.dead)};
    for (double v : p.dead_layer) row.push_back(Pct(v));
    row.push_back(NumSpread(p.deaths, "%.0f"));
    row.push_back(NumSpread(p.revivals, "%.0f"));
    row.push_back(NumSpread(p.loss, "%.3f"));
    rows.push_back(std::move(row));
  }
  return MarkdownTable(WithLayers({what, "runs", "dead (all layers)"}, layers,
                                  {"deaths", "revivals", "held-out loss"}),
                       rows);
}

LinePlot LearningRatePlot(const std::vector<StepPoint>& points) {
  LinePlot plot{
      "Dead units at the end against the peak learning rate "
      "(mean over seeds; band: min..max)",
      "peak learning rate (log)",
      "fraction of all MLP units dead",
      {}};
  plot.log_x = true;
  Series s;
  s.title = "dead";
  s.points = true;
  for (const StepPoint& p : points) {
    plot.x_tics.push_back(p.value);
    s.x.push_back(p.value);
    s.y.push_back(p.dead.mean);
    s.lo.push_back(p.dead.min);
    s.hi.push_back(p.dead.max);
  }
  // Room around the end tics, so that both show.
  plot.x_min = points.front().value / 1.3;
  plot.x_max = points.back().value * 1.3;
  plot.series.push_back(s);
  return plot;
}

void StepSizeControl(const Context& c, Report& report) {
  const NeuronDeathFindings& f = c.f;
  if (f.lr_points.empty() && f.warmup_points.empty()) return;
  std::string& md = report.markdown;
  absl::StrAppend(
      &md, "### 2. Step size\n\n",
      "Each control changes one setting of the reference (role lr_control "
      "or warmup_control) and runs the seed pairs it lists; the reference "
      "row uses the same seed pairs. Per-layer columns: mean dead fraction. "
      "Descriptive: two seed pairs per point give no verdict.\n\n");
  if (!f.lr_points.empty()) {
    absl::StrAppend(
        &md, StepTable(f.lr_points, "peak learning rate", f.layers), "\n",
        report.AddPlot("learning_rate", "dead units against learning rate",
                       LearningRatePlot(f.lr_points)),
        "\n\n");
  }
  if (!f.warmup_points.empty()) {
    absl::StrAppend(&md, StepTable(f.warmup_points, "warmup steps", f.layers),
                    "\n");
  }
}

std::string RankRow(const RankSummary& k, int layer) {
  const std::vector<double>& v = k.per_layer[layer];
  if (v.empty()) return "-";
  double mean = 0, top = 0;
  for (double r : v) mean += r, top += r >= kTopDecile;
  return absl::StrFormat("%.2f / %.0f%%", mean / v.size(),
                         100 * top / v.size());
}

std::string StatTable(const NeuronDeathFindings& f) {
  std::vector<std::vector<std::string>> rows;
  for (int l = 0; l < f.layers; ++l) {
    rows.push_back(
        {absl::StrCat(l), absl::StrCat(f.update.per_layer[l].size()),
         RankRow(f.input, l), RankRow(f.residual, l), RankRow(f.update, l),
         RankRow(f.update_matched, l),
         absl::StrFormat("%.2f / %.2f / %.2f", f.input.death_median[l],
                         f.input.base_median[l], f.input.base_p99[l]),
         absl::StrFormat("%.2f / %.2f / %.2f", f.residual.death_median[l],
                         f.residual.base_median[l], f.residual.base_p99[l]),
         absl::StrFormat("%.1e / %.1e / %.1e", f.update.death_median[l],
                         f.update.base_median[l], f.update.base_p99[l])});
  }
  auto pooled = [](const RankSummary& k) {
    return absl::StrFormat("%.2f / %.0f%%", k.mean, 100 * k.top_share);
  };
  rows.push_back({"all", absl::StrCat(f.update.deaths), pooled(f.input),
                  pooled(f.residual), pooled(f.update),
                  pooled(f.update_matched), "", "", ""});
  return MarkdownTable(
      {"layer", "deaths", "input rank: mean / top decile",
       "residual rank: mean / top decile", "update rank: mean / top decile",
       "update rank, peers as rare: mean / top decile",
       "input norm: deaths / median / p99",
       "residual norm: deaths / median / p99", "update: deaths / median / p99"},
      rows);
}

std::string GroupTable(const NeuronDeathFindings& f) {
  std::vector<std::vector<std::string>> rows;
  for (const RankGroup& g : f.update_groups) {
    std::vector<std::string> per_layer;
    for (size_t l = 0; l < g.per_layer.size(); ++l) {
      per_layer.push_back(absl::StrCat(l, ": ", g.per_layer[l]));
    }
    rows.push_back({g.name,
                    absl::StrFormat("[%.1f, %.1f)", g.lo, std::min(g.hi, 1.0)),
                    absl::StrCat(g.deaths), absl::StrJoin(per_layer, ", "),
                    absl::StrFormat("%.0f", g.median_step),
                    PctFine(g.median_frequency), absl::StrCat(g.revived)});
  }
  return MarkdownTable(
      {"update rank", "range", "deaths", "per layer", "median death step",
       "median firing in the last fade bin", "revived later"},
      rows);
}

void OutliersControl(const Context& c, Report& report) {
  const NeuronDeathFindings& f = c.f;
  const int w = c.nd.outlier_window(), block = c.nd.dead_window();
  absl::StrAppend(
      &report.markdown, "### 3. Outliers\n\n",
      absl::StrFormat(
          "For each death in the reference runs (one at step 1 has no "
          "window), three statistics over the %d steps up to its last "
          "firing, each ranked under a null that gives uniform ranks when "
          "deaths are unrelated to it (docs/method.md, \"Neuron death: the "
          "claims as tested\"; metrics/neuron_death_test.cc shows it by "
          "simulation). The layer's largest MLP-input token norm after the "
          "LayerNorm, and the largest residual-stream token norm entering "
          "the MLP sub-block before it: among the %d-step windows that tile "
          "the death's %d-step block (the death's own included), so the "
          "schedule's phase and the series' trend are shared. The unit's "
          "largest update of its fc1 row and bias: among the same window's "
          "largest updates of the layer's units that fired on the step "
          "before, and (the verdict's) among the %d of them whose firing "
          "count over the window is closest to the dying unit's: a unit "
          "about to die fires rarely, and an Adam update's size depends on "
          "how often its unit fires. Rank = fraction of the candidates below "
          "(ties half). "
          "Norms: the median at the deaths, and the median and 99th "
          "percentile of the step statistic over training (mean over "
          "runs).\n\n",
          w, w, block, kRarityPeers),
      StatTable(f), "\n");
  for (const RankSummary* k :
       {&f.input, &f.residual, &f.update, &f.update_matched}) {
    const std::string id = k == &f.input      ? "input_ranks"
                           : k == &f.residual ? "residual_ranks"
                           : k == &f.update   ? "update_ranks"
                                              : "update_matched_ranks";
    absl::StrAppend(
        &report.markdown,
        report.AddPlot(id, absl::StrCat(k->name, " ranks"), RankHistogram(*k)),
        "\n\n");
  }
  absl::StrAppend(&report.markdown,
                  "The update ranks by group (the review found a bimodal "
                  "shape under the earlier, invalid null): which layers, "
                  "when, and how rarely the units fired just before.\n\n",
                  GroupTable(f), "\n");
}

void FrozenControl(const Context& c, std::string* md) {
  const NeuronDeathFindings& f = c.f;
  if (f.frozen.empty()) return;
  std::vector<std::vector<std::string>> rows;
  auto row = [&](const std::string& step, const FrozenRow& r) {
    rows.push_back(
        {step, NumSpread(r.alive, "%.0f"), NumSpread(r.learning_silent, "%.1f"),
         NumSpread(r.both, "%.1f"), NumSpread(r.learning_only, "%.1f"),
         NumSpread(r.frozen_only, "%.1f")});
  };
  for (const FrozenRow& r : f.frozen) row(absl::StrCat(r.step), r);
  row("all", f.frozen_all);
  absl::StrAppend(
      md, "### 4. Data against weights\n\n",
      absl::StrFormat(
          "After each step below, every reference run's weights are run "
          "without learning over the next %d batches of its own training "
          "stream. Active: units firing on at least %s of the tokens of the "
          "%d steps up to the step (not already fading). Of them, silent "
          "over the next %d steps with learning (the run itself), with "
          "frozen weights too (the data alone silence them, given the "
          "weights the training reached), only with learning (the dynamics "
          "do), and only with frozen weights. Units summed over layers, %s. "
          "The no-learning run is continued the same way as a check: its two "
          "silences differ in %d units of those that fired at all (0 "
          "expected).\n\n",
          f.frozen[0].steps, Pct(kActiveFrequency), kActiveSteps,
          f.frozen[0].steps, c.seeds_note, f.no_learning_mismatches),
      MarkdownTable(
          {"frozen after step", "active", "silent with learning",
           "of them silent frozen too (data)",
           "silent only with learning (dynamics)", "silent only frozen"},
          rows),
      "\n");
}

void NoLearningControl(const Context& c, std::string* md) {
  const NeuronDeathFindings& f = c.f;
  if (f.no_learning == nullptr && f.frozen_trained == nullptr) return;
  std::vector<std::vector<std::string>> rows;
  auto row = [&](const TrainingRecord* t, const std::string& what) {
    if (t == nullptr) return;
    const std::vector<double> probe = ProbeDeadAtEnd(*t);
    const std::vector<double> revived = RevivalsPerLayer(*t);
    const double revivals =
        std::accumulate(revived.begin(), revived.end(), 0.0);
    rows.push_back(
        {what, t->name(), Pct(DeadTotal(*t)),
         Pct(std::accumulate(probe.begin(), probe.end(), 0.0) / probe.size()),
         absl::StrCat(t->neuron_death().deaths_size()),
         absl::StrFormat("%.0f", revivals)});
  };
  row(f.frozen_source, "trained (the frozen run's source)");
  row(f.no_learning, "lr 0 from init");
  row(f.frozen_trained, "lr 0 from the trained weights");
  absl::StrAppend(
      md, "### 5. No learning\n\n",
      "The same data stream with learning rate 0 for the whole run: any "
      "unit that goes silent here does so without any learning during the "
      "run (from initialisation: by the data alone).\n\n",
      MarkdownTable({"control", "run", "dead (training, all layers)",
                     "dead (probe)", "deaths", "revivals"},
                    rows),
      "\n");
}

void Pruning(const Context& c, Report& report) {
  const NeuronDeathFindings& f = c.f;
  if (f.pruning.empty()) return;
  std::vector<std::vector<std::string>> rows;
  Series s;
  s.title = "loss increase";
  s.points = true;
  for (const PruneRow& p : f.pruning) {
    std::vector<std::string> row = {p.threshold == 0
                                        ? "silent over the last window"
                                        : absl::StrFormat("< %g", p.threshold),
                                    PctSpread(p.removed)};
    for (double v : p.removed_layer) row.push_back(Pct(v));
    row.push_back(NumSpread(p.delta, "%+.2g"));
    rows.push_back(std::move(row));
    s.x.push_back(p.removed.mean);
    s.y.push_back(p.delta.mean);
    s.lo.push_back(p.delta.min);
    s.hi.push_back(p.delta.max);
  }
  const LinePlot plot{
      "Held-out loss with units removed (mean over reference "
      "runs; band: min..max)",
      "fraction of all MLP units removed",
      "held-out loss increase (nats/byte)",
      {s}};
  absl::StrAppend(
      &report.markdown, "## Does death matter? Removing units\n\n",
      absl::StrFormat(
          "Each reference run's final model with units removed (their fc2 "
          "columns zeroed), by their firing frequency over the last %d "
          "training steps; held-out loss on the %lld-token probe batch "
          "(intact: %s nats/byte). Cumulative: each row removes the units "
          "of the rows above too.\n\n",
          c.nd.dead_window(),
          static_cast<long long>(c.first.data().probe_tokens()),
          NumSpread(f.intact_loss, "%.4f")),
      MarkdownTable(WithLayers({"units removed: firing frequency",
                                "removed (all layers)"},
                               f.layers, {"held-out loss change"}),
                    rows),
      "\n", report.AddPlot("pruning", "pruning curve", plot), "\n\n");
}

std::string Headline(const NeuronDeathFindings& f) {
  return absl::StrFormat(
      "%s of MLP units dead on the training stream at the end (most: layer "
      "%d, %s). [W]'s \"dynamics, not outliers\": input outliers %s, "
      "residual outliers %s, update outliers %s; dynamics rather than data "
      "%s; pruning the dead units: %s.",
      PctSpread(f.dead_total), f.most, PctSpread(f.dead_layer[f.most]),
      VerdictName(FindResult(f.verdicts, kW4Input).verdict),
      VerdictName(FindResult(f.verdicts, kW4Residual).verdict),
      VerdictName(FindResult(f.verdicts, kW4Update).verdict),
      VerdictName(FindResult(f.verdicts, kW4Frozen).verdict),
      VerdictName(FindResult(f.verdicts, kW5Prune).verdict));
}

constexpr char kIntro[] =
    "# Neuron death: which ReLU units turn off, when, and why\n\n"
    "Replication of the neuron-death finding of Wild & Anderson (2024) ([W] "
    "in [docs/method.md](../docs/method.md)), experiment 2: [W] claims that "
    "units \"turning off\" is driven by the dynamics of training, not by "
    "chance or by outlier inputs; this report measures deaths and tests "
    "what it can of that claim (section \"Verdicts\"). Generated by `bazel "
    "run //reports:render` from the results file below; every number here "
    "was measured in those runs. Do not edit by hand.\n\n";

}  // namespace

Report NeuronDeathReport(const Results& results,
                         const std::string& results_file) {
  const NeuronDeathResults& r = results.neuron_death();
  Report report("neuron_death", "Neuron death");
  const NeuronDeathFindings f = AnalyzeNeuronDeath(r);
  report.claims = f.claims;
  const TrainingRecord& first = *f.reference[0];
  const NeuronDeathRecord& nd = first.neuron_death();
  const bool several = f.reference.size() > 1;
  const Context c{f,
                  first,
                  nd,
                  nd.dead_window() * nd.tokens_per_step(),
                  several ? absl::StrCat("mean over the ", f.reference.size(),
                                         " reference runs (min–max)")
                          : "one run",
                  several ? " (mean over reference runs; band: min..max)" : ""};
  report.headline = Headline(f);
  std::string& md = report.markdown;
  md = kIntro;
  Setup(c, &md);
  Summary(c, &md);
  DeadUnits(c, report);
  absl::StrAppend(&md, "## How units die\n\n");
  Fade(c, report);
  FiringHistogramSection(c, report);
  SeedsControl(c, &md);
  StepSizeControl(c, report);
  OutliersControl(c, report);
  FrozenControl(c, &md);
  NoLearningControl(c, &md);
  Pruning(c, report);
  absl::StrAppend(&md, SweepHowMeasured(results.run(), results_file, r.runs(),
                                        "neuron_death"));
  return report;
}

}  // namespace sparsity
