#include "reports/layerwise_sparsity_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/layer_stats.h"

namespace sparsity {
namespace {

// "the lowest of the 6 layers" / "the highest ..." / "rank 3 of 6 ...".
std::string Rank(const std::vector<double>& v, int layer) {
  int below = 0;
  for (double x : v) below += x < v[layer];
  const int n = static_cast<int>(v.size());
  if (below == 0) return absl::StrCat("the lowest of the ", n, " layers");
  if (below == n - 1) return absl::StrCat("the highest of the ", n, " layers");
  return absl::StrCat("rank ", below + 1, " of ", n, " from the lowest");
}

std::string Direction(double delta) {
  if (std::abs(delta) < 0.005) return "stayed flat";
  return delta < 0 ? "fell" : "rose";
}

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
  plot.y_max = 1;
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
      "Units by firing frequency at the end (all seeds pooled; "
      "dead units not shown)",
      "fraction of probe tokens the unit fires on (log)",
      "units per layer (mean over seeds)",
      {}};
  plot.log_x = true;
  const int layers = runs[0]->probes(0).layers_size();
  const double scale = static_cast<double>(runs.size());
  for (int l = 0; l < layers; ++l) {
    std::vector<double> values;
    for (const TrainingRecord* r : runs) {
      const LayerSparsity& last = r->probes(r->probes_size() - 1).layers(l);
      for (float f : last.firing_frequency()) values.push_back(f);
    }
    const double lo =
        1.0 / std::max<int64_t>(1, runs[0]->data().probe_tokens());
    plot.series.push_back(HistogramSeries(absl::StrCat("layer ", l), values, 24,
                                          lo, 1.0, /*log_bins=*/true, scale));
  }
  return plot;
}

struct Finals {
  std::vector<Spread> td, bu, su, td0, bu0, dead;
};

Finals FinalsOf(const Runs& runs) {
  Finals f;
  f.td = AtProbe(runs, -1, TokenDensity);
  f.bu = AtProbe(runs, -1, BatchUnion);
  f.su = AtProbe(runs, -1, SequenceUnion);
  f.td0 = AtProbe(runs, 0, TokenDensity);
  f.bu0 = AtProbe(runs, 0, BatchUnion);
  f.dead =
      AtProbe(runs, -1, [](const LayerSparsity& l) { return l.dead_units(); });
  return f;
}

std::string Findings(const Runs& runs, const Finals& f) {
  const TrainingRecord& first = *runs[0];
  const int n = static_cast<int>(f.bu.size());
  const int top = n - 1;
  const int64_t last_step = first.probes(first.probes_size() - 1).step();
  const std::vector<double> bu = Means(f.bu), td = Means(f.td),
                            su = Means(f.su);
  std::string s;
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Batch union ([W] Figure 1).** At step %d, layer 0 fires %s of "
          "its units at least once on the %d-token probe batch (%s), and the "
          "last layer %d fires %s (%s).\n",
          last_step, PctSpread(f.bu[0]), first.data().probe_tokens(),
          Rank(bu, 0), top, PctSpread(f.bu[top]), Rank(bu, top)));
  // Layer 0's lowest mean batch union during training.
  double min0 = 2;
  int64_t min0_step = 0;
  for (int i = 0; i < first.probes_size(); ++i) {
    const double m = AtProbe(runs, i, BatchUnion)[0].mean;
    if (m < min0) {
      min0 = m;
      min0_step = first.probes(i).step();
    }
  }
  const double d0 = bu[0] - f.bu0[0].mean, dl = bu[top] - f.bu0[top].mean;
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Over training.** From initialisation to step %d, layer 0's "
          "batch union %s (%s -> %s; lowest %s at step %d) while layer %d's "
          "%s (%s -> %s): %s.\n",
          last_step, Direction(d0), Pct(f.bu0[0].mean), Pct(bu[0]), Pct(min0),
          min0_step, top, Direction(dl), Pct(f.bu0[top].mean), Pct(bu[top]),
          (d0 < -0.005 && dl > 0.005) || (d0 > 0.005 && dl < -0.005)
              ? "the first and last layers move in opposite directions"
              : "the first and last layers do not move in opposite "
                "directions"));
  const int sparsest = ArgMin(td), densest = ArgMax(td);
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token density.** Mean fraction of units firing per token at "
          "the end: layer 0 %s (from %s at init), layer %d %s (from %s). The "
          "sparsest layer is %d (%s), the densest %d (%s).\n",
          PctSpread(f.td[0]), Pct(f.td0[0].mean), top, PctSpread(f.td[top]),
          Pct(f.td0[top].mean), sparsest, PctSpread(f.td[sparsest]), densest,
          PctSpread(f.td[densest])));
  std::vector<double> ratio(n);
  for (int l = 0; l < n; ++l) ratio[l] = td[l] > 0 ? bu[l] / td[l] : 0;
  const int lo = ArgMin(ratio), hi = ArgMax(ratio);
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token vs union density.** A sequence's tokens together use %s "
          "to %s of a layer's units and the whole batch %s to %s, while a "
          "single token uses %s to %s: batch union exceeds token density by "
          "a factor of %.1f (layer %d) to %.1f (layer %d), so different "
          "tokens use different units.",
          Pct(*std::min_element(su.begin(), su.end())),
          Pct(*std::max_element(su.begin(), su.end())),
          Pct(*std::min_element(bu.begin(), bu.end())),
          Pct(*std::max_element(bu.begin(), bu.end())),
          Pct(*std::min_element(td.begin(), td.end())),
          Pct(*std::max_element(td.begin(), td.end())), ratio[lo], lo,
          ratio[hi], hi));
  if (n >= 3) {
    absl::StrAppend(
        &s, absl::StrFormat(" Across layers, token density and batch-union "
                            "density correlate with Pearson r = %.2f.",
                            Pearson(td, bu)));
  }
  absl::StrAppend(&s, "\n");
  // Per seed: which layer has the fewest units in use, and the ordering.
  int first_below_last = 0, first_is_min = 0;
  for (const TrainingRecord* r : runs) {
    const std::vector<double> v = FinalProfile(*r, BatchUnion);
    first_below_last += v[0] < v[top] ? 1 : 0;
    first_is_min += StrictlyLowest(v, 0) ? 1 : 0;
  }
  const int collapsed = ArgMin(bu);
  const int k = static_cast<int>(runs.size());
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Answer.** The layer using the fewest of its units is layer %d "
          "(%s fire on the batch; %s dead). In mean batch-union density "
          "layer 0 is %s and the last layer %s. [W] reports about 13%% (layer "
          "0) vs "
          "96%% (layer 5) at convergence; here %s vs %s: %s. Layer 0 is "
          "below the last layer in %d of %d seed(s) and the layer with the "
          "fewest units in %d of %d.\n",
          collapsed, PctSpread(f.bu[collapsed]),
          NumSpread(f.dead[collapsed], "%.0f"), Rank(bu, 0), Rank(bu, top),
          Pct(bu[0]), Pct(bu[top]),
          bu[0] < bu[top] ? "the same ordering as the paper"
                          : "the opposite ordering to the paper",
          first_below_last, k, first_is_min, k));
  return s;
}

std::string FinalTable(const Finals& f, const Runs& runs) {
  const std::vector<Spread> p10 = AtProbe(
      runs, -1, [](const LayerSparsity& l) { return l.token_density_p10(); });
  const std::vector<Spread> p50 = AtProbe(
      runs, -1, [](const LayerSparsity& l) { return l.token_density_p50(); });
  const std::vector<Spread> p90 = AtProbe(
      runs, -1, [](const LayerSparsity& l) { return l.token_density_p90(); });
  std::vector<std::vector<std::string>> rows;
  for (size_t l = 0; l < f.td.size(); ++l) {
    rows.push_back({absl::StrCat(l), PctSpread(f.td[l]), Pct(p10[l].mean),
                    Pct(p50[l].mean), Pct(p90[l].mean), PctSpread(f.su[l]),
                    PctSpread(f.bu[l]), NumSpread(f.dead[l], "%.0f")});
  }
  return MarkdownTable({"layer", "token density (mean)", "p10", "p50", "p90",
                        "sequence union", "batch union", "dead units"},
                       rows);
}

std::string PerSeedTable(const Runs& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const TrainingRecord* r : runs) {
    const Probe& last = r->probes(r->probes_size() - 1);
    const std::vector<double> v = FinalProfile(*r, BatchUnion);
    const int lowest = ArgMin(v);
    rows.push_back({absl::StrCat("`", r->name(), "`"),
                    absl::StrFormat("%.3f", r->loss(r->loss_size() - 1).loss()),
                    absl::StrFormat("%.3f", last.probe_loss()), Pct(v[0]),
                    Pct(v.back()),
                    absl::StrCat(lowest, " (", Pct(v[lowest]), ")")});
  }
  return MarkdownTable(
      {"run", "final training loss", "held-out loss", "batch union, layer 0",
       "batch union, last layer", "layer with the lowest batch union"},
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
      const LayerSparsity& layer = r->probes(r->probes_size() - 1).layers(l);
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
  const TrainingRecord& first = *runs[0];
  const RunConfig& c = first.config();
  const ModelConfig& m = c.model();
  const DataConfig& d = c.data();
  const bool bytes = d.source() == DataConfig::BROWN;
  const Finals f = FinalsOf(runs);
  const int top = static_cast<int>(f.bu.size()) - 1;
  const std::vector<double> bu = Means(f.bu);

  report.headline = absl::StrFormat(
      "Batch union at the end: layer 0 %s, layer %d %s; fewest units in use: "
      "layer %d (%s). %s [W] Figure 1 (13%% vs 96%%).",
      PctSpread(f.bu[0]), top, PctSpread(f.bu[top]), ArgMin(bu),
      PctSpread(f.bu[ArgMin(bu)]),
      bu[0] < bu[top] ? "Same ordering as" : "Opposite ordering to");

  std::string& md = report.markdown;
  const int64_t last_step = first.probes(first.probes_size() - 1).step();
  absl::StrAppend(
      &md, "# Layer-wise activation sparsity over training\n\n",
      "Replication of Wild & Anderson (2024), \"Uncovering Layer-Dependent "
      "Activation Sparsity Patterns in ReLU Transformers\" ([W] in "
      "[docs/method.md](../docs/method.md)), experiment 1. Generated by "
      "`bazel run //reports:render` from the results file below; every "
      "number here was measured in those runs. Do not edit by hand.\n\n",
      "## Setup\n\n",
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
      "[layerwise_sparsity_ablation.md](layerwise_sparsity_ablation.md)).\n\n",
      other_variants.empty()
          ? ""
          : absl::StrCat("This report covers variant `", first.variant(),
                         "`; the results file also holds variant(s) `",
                         absl::StrJoin(other_variants, "`, `"),
                         "`, which this report does not show.\n\n"),
      "## Findings (computed from the measurements)\n\n", Findings(runs, f),
      "\n",
      absl::StrFormat("## Final values per layer (step %d)\n\n", last_step),
      "Token density: fraction of the d_ff units with output > 0, per token "
      "(mean and percentiles over the probe tokens). Sequence union: fraction "
      "of units firing on at least one token of a sequence, mean over "
      "sequences. Batch union: fraction of units firing on at least one token "
      "of the probe batch. Dead: units firing on none of the probe tokens. ",
      runs.size() > 1 ? "Means over seeds, min–max in parentheses "
                        "(percentiles: means).\n\n"
                      : "\n\n",
      FinalTable(f, runs), "\n", "### Per seed\n\n", PerSeedTable(runs), "\n");
  const std::string firing = FiringTable(runs);
  if (!firing.empty()) {
    absl::StrAppend(
        &md,
        "### Units by firing frequency on the probe batch (final "
        "step, mean over seeds)\n\n",
        firing, "\n",
        report.AddPlot("firing_histogram", "firing-frequency histogram",
                       FiringHistogramPlot(runs)),
        "\n\n");
  }
  const std::string band =
      runs.size() > 1 ? " (mean over seeds; band: min..max)" : "";
  absl::StrAppend(
      &md, "## Over training\n\n",
      report.AddPlot(
          "token_density", "token density",
          DensityPlot(runs, absl::StrCat("Token density per layer", band),
                      "token density (mean fraction of units > 0)",
                      TokenDensity)),
      "\n\n",
      report.AddPlot(
          "batch_union", "batch union density",
          DensityPlot(runs,
                      absl::StrFormat("Batch union per layer (units firing on "
                                      ">= 1 of %d probe tokens)%s",
                                      first.data().probe_tokens(), band),
                      "batch union density", BatchUnion)),
      "\n\n",
      report.AddPlot(
          "sequence_union", "sequence union density",
          DensityPlot(runs,
                      absl::StrFormat("Sequence union per layer (%d-token "
                                      "sequences)%s",
                                      c.probe().seq_len(), band),
                      "sequence union density", SequenceUnion)),
      "\n\n",
      report.AddPlot("loss", "loss",
                     LossPlot(runs, bytes ? "nats/byte" : "nats/token")),
      "\n\n",
      SweepHowMeasured(results.run(), results_file, r.runs(),
                       "layerwise_sparsity"));
  return report;
}

}  // namespace sparsity
