#include "reports/layerwise_sparsity_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/layer_stats.h"
#include "reports/layerwise_sparsity_findings.h"
#include "reports/verdict.h"

namespace sparsity {
namespace {

std::string SeedsText(const Runs& runs) {
  return runs.size() == 1
             ? "one run"
             : absl::StrCat(runs.size(),
                            " runs (seeds; values are means, min–max over "
                            "seeds in parentheses)");
}

// values[run][probe][layer] of `value`, and the probe steps.
std::vector<std::vector<std::vector<double>>> Curves(const Runs& runs,
                                                     const LayerValue& value) {
  std::vector<std::vector<std::vector<double>>> out;
  for (const TrainingRecord* r : runs) {
    std::vector<std::vector<double>> points;
    for (const Probe& p : r->probes()) {
      std::vector<double> layers;
      for (const LayerSparsity& l : p.layers()) layers.push_back(value(l));
      points.push_back(std::move(layers));
    }
    out.push_back(std::move(points));
  }
  return out;
}

LinePlot DensityPlot(const Runs& runs, const std::string& title,
                     const std::string& y_label, const LayerValue& value) {
  LinePlot plot = PerLayerBandPlot(title, "training step", y_label,
                                   ProbeSteps(runs), Curves(runs, value));
  plot.y_min = 0;
  plot.y_max = 1.02;  // a curve at 1 stays off the frame
  return plot;
}

LinePlot LossPlot(const Runs& runs, const std::string& unit) {
  LinePlot plot{"Loss (mean over seeds, band: min..max)",
                "training step",
                absl::StrCat("cross-entropy (", unit, ", log scale)"),
                {}};
  plot.log_y = true;
  size_t n = runs[0]->loss_size();
  for (const TrainingRecord* r : runs) n = std::min<size_t>(n, r->loss_size());
  std::vector<double> x;
  std::vector<std::vector<double>> train(runs.size()), heldout(runs.size());
  for (size_t i = 0; i < n; ++i) x.push_back(runs[0]->loss(i).step());
  for (size_t k = 0; k < runs.size(); ++k) {
    for (size_t i = 0; i < n; ++i) train[k].push_back(runs[k]->loss(i).loss());
    for (const Probe& p : runs[k]->probes()) {
      heldout[k].push_back(p.probe_loss());
    }
  }
  plot.series.push_back(BandSeries("training batch", x, train));
  Series h = BandSeries("held-out probe batch", ProbeSteps(runs), heldout);
  h.points = true;
  plot.series.push_back(std::move(h));
  return plot;
}

LinePlot FiringHistogramPlot(const Runs& runs) {
  LinePlot plot{
      "Units by firing frequency at the end (mean over seeds; dead units not "
      "shown: see the table)",
      "fraction of probe tokens the unit fires on (log)",
      "units per layer (mean over seeds)",
      {}};
  plot.log_x = true;
  const int layers = runs[0]->probes(0).layers_size();
  const double scale = static_cast<double>(runs.size());
  for (int l = 0; l < layers; ++l) {
    std::vector<double> values;
    for (const TrainingRecord* r : runs) {
      const LayerSparsity& last = FinalProbe(*r).layers(l);
      for (float f : last.firing_frequency()) values.push_back(f);
    }
    const double lo =
        1.0 / std::max<int64_t>(1, runs[0]->data().probe_tokens());
    plot.series.push_back(HistogramSeries(absl::StrCat("layer ", l), values, 24,
                                          lo, 1.0, /*log_bins=*/true, scale));
  }
  return plot;
}

// "-30.2 points, 95% interval -33.0 to -27.4: **supports**".
std::string VerdictText(const LayerwiseFindings& f, const char* id) {
  return EffectProse(FindResult(f.verdicts, id));
}

std::string FindingsText(const LayerwiseFindings& f) {
  const int top = f.layers - 1;
  const LayerFinal &l0 = f.final[0], &lt = f.final[top];
  std::string s;
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token density falls over training ([W]).** From step %d (the "
          "end of warmup; at step 0 about half of the units fire by "
          "construction) to the end, mean over layers: %s. Layer 0: %s -> %s "
          "(%s); layer %d: %s -> %s (%s). At initialisation: layer 0 %s, "
          "layer %d %s.\n",
          f.from_step, VerdictText(f, kW1Mean),
          Pct(l0.token_density_warmup.mean), PctSpread(l0.token_density),
          VerdictText(f, kW1First), top, Pct(lt.token_density_warmup.mean),
          PctSpread(lt.token_density), VerdictText(f, kW1Last),
          Pct(l0.token_density_init.mean), top,
          Pct(lt.token_density_init.mean)));
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **First layer against the last ([W] Figure 1: about 13%% "
          "against 96%% at convergence).** Batch union (%d tokens): layer 0 "
          "%s, layer %d %s; layer 0 is at its ceiling (every unit fires) in "
          "%d of %d seeds, so this measure %s: %s. On measures that can "
          "move: the %d-token window union, layer 0 %s against %s (%s; layer "
          "0 within %.1f points of its ceiling); units firing on fewer than "
          "1%% of the probe tokens, layer 0 %s against %s (%s). The three "
          "are views of one fact (how many of layer 0's units are silent or "
          "rare), not independent evidence, and they describe step %d only; "
          "the ablation (4x the steps) asks whether longer training moves "
          "layer 0.\n",
          f.probe_tokens, PctSpread(l0.batch_union), top,
          PctSpread(lt.batch_union), l0.batch_union_at_ceiling, f.seeds,
          l0.batch_union_at_ceiling == f.seeds
              ? "cannot show layer 0 below the last layer at this scale"
              : "can move here",
          VerdictText(f, kW2Batch), f.window_tokens, PctSpread(l0.window_union),
          PctSpread(lt.window_union), VerdictText(f, kW2Window),
          100 * f.layer0_window_below_ceiling, PctSpread(l0.rare_units),
          PctSpread(lt.rare_units), VerdictText(f, kW2Rare), f.last_step));
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token vs union density.** Per token a layer uses %s (layer "
          "%d) to %s (layer %d) of its units; a %d-token window uses %s to "
          "%s. Do a window's tokens share units? Against the union that "
          "independent firing at each unit's own frequency would give (%s "
          "for layer 0, %s for layer %d), measured minus independent, mean "
          "over layers: %s. Across the layers (descriptive, %d points), mean "
          "token density "
          "and mean window union correlate with Pearson r = %.2f. By mean "
          "over seeds, the sparsest layer per token is %d, the lowest window "
          "union layer %d and the lowest batch union layer %d (per seed: "
          "the table below).\n",
          PctSpread(f.final[f.sparsest_token_layer].token_density),
          f.sparsest_token_layer,
          PctSpread(f.final[f.densest_token_layer].token_density),
          f.densest_token_layer, f.window_tokens,
          Pct(f.final[f.lowest_window_union_layer].window_union.mean),
          Pct(f.final[f.highest_window_union_layer].window_union.mean),
          Pct(f.independent_window_union[0]),
          Pct(f.independent_window_union[f.layers - 1]), f.layers - 1,
          VerdictText(f, kW3), f.layers, f.token_window_pearson,
          f.sparsest_token_layer, f.lowest_window_union_layer,
          f.lowest_batch_union_layer));
  return s;
}

std::string FinalTable(const LayerwiseFindings& f) {
  std::vector<std::vector<std::string>> rows;
  for (int l = 0; l < f.layers; ++l) {
    const LayerFinal& x = f.final[l];
    rows.push_back({absl::StrCat(l), PctSpread(x.token_density),
                    Pct(x.p10.mean), Pct(x.p50.mean), Pct(x.p90.mean),
                    PctSpread(x.sequence_union), PctSpread(x.window_union),
                    PctSpread(x.batch_union),
                    absl::StrCat(x.batch_union_at_ceiling, " of ", f.seeds),
                    PctSpread(x.rare_units), NumSpread(x.dead_units, "%.0f")});
  }
  return MarkdownTable(
      {"layer", "token density (mean)", "p10", "p50", "p90", "sequence union",
       absl::StrCat(f.window_tokens, "-token window union"), "batch union",
       "seeds with batch union at 100%", "units firing on < 1% of tokens",
       "dead units"},
      rows);
}

std::string PerSeedTable(const Runs& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const TrainingRecord* r : runs) {
    const Probe& last = FinalProbe(*r);
    const std::vector<double> v = FinalProfile(*r, BatchUnion);
    const int lowest = ArgMin(v);
    const std::vector<double> w = FinalProfile(*r, WindowUnion);
    rows.push_back({absl::StrCat("`", r->name(), "`"),
                    absl::StrFormat("%.3f", r->loss(r->loss_size() - 1).loss()),
                    absl::StrFormat("%.3f", last.probe_loss()), Pct(v[0]),
                    Pct(v.back()), Pct(w[0]), Pct(w.back()),
                    absl::StrCat(lowest, " (", Pct(v[lowest]), ")")});
  }
  return MarkdownTable({"run", "last training batch loss", "held-out loss",
                        "batch union, layer 0", "batch union, last layer",
                        "window union, layer 0", "window union, last layer",
                        "layer with the lowest batch union"},
                       rows);
}

// Units binned by firing frequency at the final step, mean over runs.
std::string FiringTable(const Runs& runs) {
  const double edges[] = {0.001, 0.01, 0.1, 0.5};
  const int layers = runs[0]->probes(0).layers_size();
  std::vector<std::vector<std::string>> rows;
  for (int l = 0; l < layers; ++l) {
    double bins[6] = {0, 0, 0, 0, 0, 0};  // dead, then 5 bins
    double units = 0;
    for (const TrainingRecord* r : runs) {
      const LayerSparsity& layer = FinalProbe(*r).layers(l);
      if (layer.firing_frequency_size() == 0) return "";
      units += layer.firing_frequency_size();
      for (float f : layer.firing_frequency()) {
        if (f == 0) {
          bins[0] += 1;
          continue;
        }
        int b = 0;
        while (b < 4 && f >= edges[b]) ++b;
        bins[b + 1] += 1;
      }
    }
    std::vector<std::string> row = {absl::StrCat(l)};
    for (double b : bins) row.push_back(Pct(b / units));
    rows.push_back(std::move(row));
  }
  return MarkdownTable({"layer", "never (dead)", "(0, 0.1%)", "[0.1%, 1%)",
                        "[1%, 10%)", "[10%, 50%)", ">= 50%"},
                       rows);
}

}  // namespace

std::string SetupText(const Runs& runs) {
  const TrainingRecord& first = *runs[0];
  const RunConfig& c = first.config();
  const ModelConfig& m = c.model();
  const DataConfig& d = c.data();
  const bool bytes = d.source() == DataConfig::BROWN;
  return absl::StrCat(
      absl::StrFormat(
          "A decoder-only ReLU transformer (%d layers, d_model %d, %d heads, "
          "d_ff %d, %s, %s head; %d parameters) trained for %d steps of %d x "
          "%d %s (%d training documents; %d held-out documents, split by "
          "document) with %s (peak lr %g, %d warmup steps, cosine decay to "
          "%g, weight decay %g, clip %g), %s. Every %d steps (and at step 0) "
          "each model is probed without gradients on one fixed batch of %d "
          "held-out tokens (%d sequences of %d), the same for every seed; a "
          "unit fires on a token when its post-ReLU value is > 0.\n\n",
          m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
          m.post_norm() ? "post-norm" : "pre-norm",
          m.tied_head() ? "tied" : "untied", first.parameters(),
          c.train().steps(), d.batch_size(), d.seq_len(),
          bytes ? "bytes of the Brown corpus" : "uniformly random tokens",
          first.data().train_documents(), first.data().heldout_documents(),
          c.optim().optimizer() == OptimConfig::SGD ? "SGD" : "AdamW",
          c.optim().lr(), c.optim().warmup_steps(), c.optim().min_lr(),
          c.optim().weight_decay(), c.optim().grad_clip(), SeedsText(runs),
          c.probe().every(), first.data().probe_tokens(),
          first.data().probe_sequences(), c.probe().seq_len()),
      "Differences from the paper: the model is far smaller (CPU scale), the "
      "text is byte-level Brown rather than the paper's corpus and tokenizer, "
      "and each run is minutes long; see the preset for every setting. Which "
      "factor, if any, makes layer 0 collapse as in [W] is measured by the "
      "ablation (`--preset=ablation`, "
      "[layerwise_sparsity_ablation.md](layerwise_sparsity_ablation.md)).\n\n");
}

std::string Headline(const LayerwiseFindings& f) {
  const int top = f.layers - 1;
  return absl::StrFormat(
      "[W] token density falls: %s. Is layer 0 below layer %d? Batch union "
      "%s vs %s (%s); %d-token window union %s vs %s (%s).",
      VerdictName(FindResult(f.verdicts, kW1Mean).verdict), top,
      PctSpread(f.final[0].batch_union), PctSpread(f.final[top].batch_union),
      VerdictName(FindResult(f.verdicts, kW2Batch).verdict), f.window_tokens,
      PctSpread(f.final[0].window_union), PctSpread(f.final[top].window_union),
      VerdictName(FindResult(f.verdicts, kW2Window).verdict));
}

void AppendFiring(const Runs& runs, Report& report) {
  const std::string firing = FiringTable(runs);
  if (firing.empty()) return;
  absl::StrAppend(
      &report.markdown,
      "### Units by firing frequency on the probe batch (final step, mean "
      "over seeds)\n\n",
      firing, "\n",
      report.AddPlot("firing_histogram", "firing-frequency histogram",
                     FiringHistogramPlot(runs)),
      "\n\n");
}

void AppendCurves(const Runs& runs, const LayerwiseFindings& f,
                  Report& report) {
  const std::string band =
      runs.size() > 1 ? " (mean over seeds; band: min..max)" : "";
  const RunConfig& c = runs[0]->config();
  const bool bytes = c.data().source() == DataConfig::BROWN;
  auto plot = [&](const char* suffix, const char* alt, const std::string& title,
                  const char* y, const LayerValue& value) {
    return absl::StrCat(
        report.AddPlot(suffix, alt,
                       DensityPlot(runs, absl::StrCat(title, band), y, value)),
        "\n\n");
  };
  absl::StrAppend(
      &report.markdown, "## Over training\n\n",
      plot("token_density", "token density", "Token density per layer",
           "token density (mean fraction of units > 0)", TokenDensity),
      plot("window_union", "window union density",
           absl::StrFormat("%d-token window union per layer", f.window_tokens),
           "window union density", WindowUnion),
      plot("rare_units", "units firing rarely",
           "Units firing on < 1% of the probe tokens, per layer",
           "fraction of units (dead included)", RareUnits),
      plot("batch_union", "batch union density",
           absl::StrFormat("Batch union per layer (units firing on >= 1 of "
                           "%d probe tokens)",
                           f.probe_tokens),
           "batch union density", BatchUnion),
      plot("sequence_union", "sequence union density",
           absl::StrFormat("Sequence union per layer (%d-token sequences)",
                           c.probe().seq_len()),
           "sequence union density", SequenceUnion),
      report.AddPlot("loss", "loss",
                     LossPlot(runs, bytes ? "nats/byte" : "nats/token")),
      "\n\n");
}

Report LayerwiseSparsityReport(const Results& results,
                               const std::string& results_file) {
  const LayerwiseSparsityResults& r = results.layerwise_sparsity();
  Report report("layerwise_sparsity",
                "Layer-wise activation sparsity over training [W]");
  // The report covers the runs of the first variant (the default sweep has
  // one: the base config under several seeds).
  const std::vector<Runs> variants = ByVariant(r.runs());
  const Runs& runs = variants[0];
  std::vector<std::string> other_variants;
  for (size_t v = 1; v < variants.size(); ++v) {
    other_variants.push_back(variants[v][0]->variant());
  }
  const LayerwiseFindings f = AnalyzeLayerwise(runs);
  report.claims = f.claims;
  report.headline = Headline(f);
  std::string& md = report.markdown;
  absl::StrAppend(
      &md, "# Layer-wise activation sparsity over training\n\n",
      "Replication of Wild & Anderson (2024), \"Uncovering Layer-Dependent "
      "Activation Sparsity Patterns in ReLU Transformers\" ([W] in "
      "[docs/method.md](../docs/method.md)), experiment 1. Generated by "
      "`bazel run //reports:render` from the results file below; every "
      "number here was measured in those runs. Do not edit by hand.\n\n",
      "## Setup\n\n", SetupText(runs),
      other_variants.empty()
          ? ""
          : absl::StrCat("This report covers variant `", runs[0]->variant(),
                         "`; the results file also holds variant(s) `",
                         absl::StrJoin(other_variants, "`, `"),
                         "`, which this report does not show.\n\n"),
      "## Findings (computed from the measurements)\n\n", FindingsText(f),
      "\n## Verdicts\n\n",
      "Each claim is a paired comparison over the seeds (the same run's "
      "layers, or the same seed's first and last probe): the mean "
      "difference, its 95% Student-t interval and a paired t-test, "
      "Holm-adjusted over this report's tests (docs/method.md, "
      "\"Verdicts\").\n\n",
      VerdictTable(f.verdicts), "\n",
      absl::StrFormat("## Final values per layer (step %d)\n\n", f.last_step),
      "Token density: fraction of the d_ff units with output > 0, per token "
      "(mean and percentiles over the probe tokens). Sequence union: fraction "
      "of units firing on at least one token of a sequence, mean over "
      "sequences. Window union: the same over windows of consecutive whole "
      "sequences, mean over windows. Batch union: fraction of units firing "
      "on at least one token of the probe batch. Dead: units firing on none "
      "of the probe tokens. ",
      runs.size() > 1 ? "Means over seeds, min–max in parentheses "
                        "(percentiles: means).\n\n"
                      : "\n\n",
      FinalTable(f), "\n", "### Per seed\n\n", PerSeedTable(runs), "\n");
  AppendFiring(runs, report);
  AppendCurves(runs, f, report);
  absl::StrAppend(&md, SweepHowMeasured(results.run(), results_file, r.runs(),
                                        "layerwise_sparsity"));
  return report;
}

}  // namespace sparsity
