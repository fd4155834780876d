#include "reports/layerwise_sparsity_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sparsity {
namespace {

using LayerValue = std::function<double(const LayerSparsity&)>;

std::string Pct(double v) { return absl::StrFormat("%.1f%%", 100 * v); }

std::vector<double> Column(const Probe& probe, const LayerValue& value) {
  std::vector<double> out;
  for (const LayerSparsity& l : probe.layers()) out.push_back(value(l));
  return out;
}

int ArgMin(const std::vector<double>& v) {
  return static_cast<int>(std::min_element(v.begin(), v.end()) - v.begin());
}
int ArgMax(const std::vector<double>& v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

// "the lowest of the 6 layers" / "the highest ..." / "3rd lowest ...".
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

LinePlot PerLayerPlot(const LayerwiseSparsityResults& r,
                      const std::string& title, const std::string& y_label,
                      const LayerValue& value) {
  LinePlot plot{title, "training step", y_label, {}};
  plot.y_min = 0;
  plot.y_max = 1;
  const int layers = r.config().model().n_layers();
  for (int l = 0; l < layers; ++l) {
    Series s{absl::StrCat("layer ", l), {}, {}, r.probes_size() <= 40};
    for (const Probe& p : r.probes()) {
      s.x.push_back(static_cast<double>(p.step()));
      s.y.push_back(value(p.layers(l)));
    }
    plot.series.push_back(std::move(s));
  }
  return plot;
}

std::string Findings(const LayerwiseSparsityResults& r) {
  const Probe& first = r.probes(0);
  const Probe& last = r.probes(r.probes_size() - 1);
  const int n = last.layers_size();
  const int top = n - 1;
  const auto bu = [](const LayerSparsity& l) {
    return l.batch_union_density();
  };
  const auto td = [](const LayerSparsity& l) { return l.token_density_mean(); };
  const auto su = [](const LayerSparsity& l) {
    return l.sequence_union_density();
  };
  const std::vector<double> bu_end = Column(last, bu),
                            bu_start = Column(first, bu);
  const std::vector<double> td_end = Column(last, td),
                            td_start = Column(first, td);
  const std::vector<double> su_end = Column(last, su);

  std::string s;
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Batch union ([W] Figure 1).** At step %d, layer 0 fires %s of "
          "its "
          "units at least once on the %d-token probe batch (%s), and the last "
          "layer %d fires %s (%s).\n",
          last.step(), Pct(bu_end[0]), r.probe_tokens(), Rank(bu_end, 0), top,
          Pct(bu_end[top]), Rank(bu_end, top)));
  const double d0 = bu_end[0] - bu_start[0], dl = bu_end[top] - bu_start[top];
  // Where layer 0's batch union was lowest during training.
  double min0 = 2;
  int64_t min0_step = 0;
  for (const Probe& p : r.probes()) {
    if (p.layers(0).batch_union_density() < min0) {
      min0 = p.layers(0).batch_union_density();
      min0_step = p.step();
    }
  }
  absl::StrAppend(
      &s, absl::StrFormat(
              "- **Over training.** From initialisation to step %d, layer 0's "
              "batch "
              "union %s (%s -> %s; lowest %s at step %d) while layer %d's %s "
              "(%s -> "
              "%s): %s.\n",
              last.step(), Direction(d0), Pct(bu_start[0]), Pct(bu_end[0]),
              Pct(min0), min0_step, top, Direction(dl), Pct(bu_start[top]),
              Pct(bu_end[top]),
              (d0 < -0.005 && dl > 0.005) || (d0 > 0.005 && dl < -0.005)
                  ? "the first and last layers move in opposite directions"
                  : "the first and last layers do not move in opposite "
                    "directions"));
  const int sparsest = ArgMin(td_end), densest = ArgMax(td_end);
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token density.** Mean fraction of units firing per token at the "
          "end: layer 0 %s (from %s at init), layer %d %s (from %s). The "
          "sparsest layer is %d (%s), the densest %d (%s).\n",
          Pct(td_end[0]), Pct(td_start[0]), top, Pct(td_end[top]),
          Pct(td_start[top]), sparsest, Pct(td_end[sparsest]), densest,
          Pct(td_end[densest])));
  std::vector<double> ratio(n);
  for (int l = 0; l < n; ++l)
    ratio[l] = td_end[l] > 0 ? bu_end[l] / td_end[l] : 0;
  const int lo = ArgMin(ratio), hi = ArgMax(ratio);
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Token vs union density.** A sequence's tokens together use %s "
          "to "
          "%s of a layer's units and the whole batch %s to %s, while a single "
          "token uses %s to %s: batch union exceeds token density by a factor "
          "of %.1f (layer %d) to %.1f (layer %d), so different tokens use "
          "different units.",
          Pct(*std::min_element(su_end.begin(), su_end.end())),
          Pct(*std::max_element(su_end.begin(), su_end.end())),
          Pct(*std::min_element(bu_end.begin(), bu_end.end())),
          Pct(*std::max_element(bu_end.begin(), bu_end.end())),
          Pct(*std::min_element(td_end.begin(), td_end.end())),
          Pct(*std::max_element(td_end.begin(), td_end.end())), ratio[lo], lo,
          ratio[hi], hi));
  if (n >= 3) {
    absl::StrAppend(
        &s,
        absl::StrFormat(" Across layers, token density and batch-union density "
                        "correlate with Pearson r = %.2f.",
                        Pearson(td_end, bu_end)));
  }
  absl::StrAppend(&s, "\n");
  const bool first_extreme = ArgMin(bu_end) == 0 || ArgMax(bu_end) == 0;
  const bool last_extreme = ArgMin(bu_end) == top || ArgMax(bu_end) == top;
  const bool inverse = (ArgMin(bu_end) == 0 && ArgMax(bu_end) == top) ||
                       (ArgMax(bu_end) == 0 && ArgMin(bu_end) == top);
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Answer.** In this run the first layer %s and the last layer %s "
          "in batch-union density; %s. The layer using the fewest of its "
          "units is layer %d (%s fire on the batch; %d dead). [W] reports "
          "about 13%% (layer 0) vs 96%% (layer 5) at convergence; here %s vs "
          "%s, %s.\n",
          first_extreme ? "is an extreme (lowest or highest of all layers)"
                        : "is not an extreme",
          last_extreme ? "is an extreme" : "is not an extreme",
          inverse ? "they sit at opposite ends, i.e. they behave inversely"
                  : "they do not sit at opposite ends",
          ArgMin(bu_end), Pct(bu_end[ArgMin(bu_end)]),
          last.layers(ArgMin(bu_end)).dead_units(), Pct(bu_end[0]),
          Pct(bu_end[top]),
          bu_end[0] < bu_end[top] ? "the same ordering as the paper"
                                  : "the opposite ordering to the paper"));
  return s;
}

std::string FinalTable(const LayerwiseSparsityResults& r) {
  const Probe& last = r.probes(r.probes_size() - 1);
  std::vector<std::vector<std::string>> rows;
  for (const LayerSparsity& l : last.layers()) {
    rows.push_back({absl::StrCat(l.layer()), Pct(l.token_density_mean()),
                    Pct(l.token_density_p10()), Pct(l.token_density_p50()),
                    Pct(l.token_density_p90()), Pct(l.sequence_union_density()),
                    Pct(l.batch_union_density()),
                    absl::StrCat(l.dead_units())});
  }
  return MarkdownTable({"layer", "token density (mean)", "p10", "p50", "p90",
                        "sequence union", "batch union", "dead units"},
                       rows);
}

// Units binned by firing frequency on the probe batch at the final step.
std::string FiringTable(const LayerwiseSparsityResults& r) {
  const Probe& last = r.probes(r.probes_size() - 1);
  const double edges[] = {0.001, 0.01, 0.1, 0.5};
  std::vector<std::vector<std::string>> rows;
  for (const LayerSparsity& l : last.layers()) {
    if (l.firing_frequency_size() == 0) return "";
    int dead = 0, bins[5] = {0, 0, 0, 0, 0};
    for (float f : l.firing_frequency()) {
      if (f == 0) {
        ++dead;
        continue;
      }
      int b = 0;
      while (b < 4 && f >= edges[b]) ++b;
      ++bins[b];
    }
    const double n = l.firing_frequency_size();
    rows.push_back({absl::StrCat(l.layer()), Pct(dead / n), Pct(bins[0] / n),
                    Pct(bins[1] / n), Pct(bins[2] / n), Pct(bins[3] / n),
                    Pct(bins[4] / n)});
  }
  return MarkdownTable({"layer", "never (dead)", "(0, 0.1%)", "[0.1%, 1%)",
                        "[1%, 10%)", "[10%, 50%)", ">= 50%"},
                       rows);
}

}  // namespace

Report LayerwiseSparsityReport(const Results& results,
                               const std::string& results_file) {
  const LayerwiseSparsityResults& r = results.layerwise_sparsity();
  const ModelConfig& m = r.config().model();
  const DataConfig& d = r.config().data();
  Report report;
  report.name = "layerwise_sparsity";
  const std::string& name = report.name;

  report.plots.emplace_back(
      name + "_token_density.png",
      PerLayerPlot(
          r, "Token density per layer (mean fraction of units > 0 per token)",
          "token density",
          [](const LayerSparsity& l) { return l.token_density_mean(); }));
  report.plots.emplace_back(
      name + "_batch_union.png",
      PerLayerPlot(
          r,
          absl::StrFormat("Batch union density per layer (units firing "
                          "on >= 1 of %d probe tokens)",
                          r.probe_tokens()),
          "batch union density",
          [](const LayerSparsity& l) { return l.batch_union_density(); }));
  report.plots.emplace_back(
      name + "_sequence_union.png",
      PerLayerPlot(
          r,
          absl::StrFormat("Sequence union density per layer (units "
                          "firing on >= 1 token of a %d-token sequence)",
                          r.config().probe().seq_len()),
          "sequence union density",
          [](const LayerSparsity& l) { return l.sequence_union_density(); }));
  LinePlot loss{"Loss", "training step", "cross-entropy (nats/byte)", {}};
  Series train{"training batch", {}, {}, false};
  for (const LossPoint& p : r.loss()) {
    train.x.push_back(static_cast<double>(p.step()));
    train.y.push_back(p.loss());
  }
  Series heldout{"held-out probe batch", {}, {}, true};
  for (const Probe& p : r.probes()) {
    heldout.x.push_back(static_cast<double>(p.step()));
    heldout.y.push_back(p.probe_loss());
  }
  loss.series = {train, heldout};
  report.plots.emplace_back(name + "_loss.png", loss);

  const Probe& last = r.probes(r.probes_size() - 1);
  std::string& md = report.markdown;
  absl::StrAppend(
      &md, "# Layer-wise activation sparsity over training\n\n",
      "Replication of Wild & Anderson (2024), \"Uncovering Layer-Dependent "
      "Activation Sparsity Patterns in ReLU Transformers\" ([W] in SPEC.md), "
      "experiment 1. Generated by `bazel run //reports:render` from the "
      "results file below; every number here was measured in that run. Do not "
      "edit by hand.\n\n",
      "## Setup\n\n",
      absl::StrFormat(
          "A decoder-only ReLU transformer (%d layers, d_model %d, %d heads, "
          "d_ff %d, %s, %s head; %d parameters) trained for %d steps of %d x "
          "%d "
          "bytes of the Brown corpus (%d training documents; %d held-out "
          "documents, split by document) with AdamW (peak lr %g, %d warmup "
          "steps, cosine decay to %g, weight decay %g, clip %g). Every %d "
          "steps "
          "(and at step 0) the model is probed without gradients on one fixed "
          "batch of %d held-out tokens (%d sequences of %d); a unit fires on a "
          "token when its post-ReLU value is > 0.\n\n",
          m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
          m.post_norm() ? "post-norm" : "pre-norm",
          m.tied_head() ? "tied" : "untied", r.parameters(),
          r.config().train().steps(), d.batch_size(), d.seq_len(),
          r.train_documents(), r.heldout_documents(), r.config().optim().lr(),
          r.config().optim().warmup_steps(), r.config().optim().min_lr(),
          r.config().optim().weight_decay(), r.config().optim().grad_clip(),
          r.config().probe().every(), r.probe_tokens(), r.probe_sequences(),
          r.config().probe().seq_len()),
      "Differences from the paper: the model is far smaller (CPU scale), the "
      "text is byte-level Brown rather than the paper's corpus and tokenizer, "
      "and the run is minutes long; see the preset for every setting.\n\n",
      "## Findings (computed from the measurements)\n\n", Findings(r), "\n",
      absl::StrFormat("## Final values per layer (step %d)\n\n", last.step()),
      "Token density: fraction of the d_ff units with output > 0, per token "
      "(mean and percentiles over the probe tokens). Sequence union: fraction "
      "of units firing on at least one token of a sequence, mean over "
      "sequences. Batch union: fraction of units firing on at least one token "
      "of the probe batch. Dead: units firing on none of the probe tokens.\n\n",
      FinalTable(r), "\n");
  const std::string firing = FiringTable(r);
  if (!firing.empty()) {
    absl::StrAppend(&md,
                    "### Units by firing frequency on the probe batch (final "
                    "step)\n\n",
                    firing, "\n");
  }
  absl::StrAppend(
      &md,
      absl::StrFormat("Final training loss %.3f, held-out probe loss %.3f "
                      "nats/byte.\n\n",
                      r.loss(r.loss_size() - 1).loss(), last.probe_loss()),
      "## Over training\n\n", "![token density](", name,
      "_token_density.png)\n\n", "![batch union density](", name,
      "_batch_union.png)\n\n", "![sequence union density](", name,
      "_sequence_union.png)\n\n", "![loss](", name, "_loss.png)\n\n",
      "## How this was measured\n\n",
      ProvenanceSection(results.run(), results_file), "\n",
      "Regenerate: `bazel run //experiments:layerwise_sparsity -- "
      "--preset=",
      results.run().preset(), "` then `bazel run //reports:render`.\n");
  return report;
}

}  // namespace sparsity
