#include "reports/layerwise_sparsity_ablation_report.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "proto/config.pb.h"
#include "reports/claims.h"
#include "reports/layer_stats.h"
#include "reports/layerwise_sparsity_ablation_findings.h"

namespace sparsity {
namespace {

std::string Unit(const AblationVariant& v) {
  return v.words ? "nats/word" : "nats/byte";
}

// The settings of `to` that differ from `from`, seeds and the intervals that
// do not change what is measured (logging, checkpoints, threads) left out:
// shown to check each variant's declared role, never to infer it.
std::vector<std::string> RunDifferences(RunConfig from, RunConfig to) {
  for (RunConfig* x : {&from, &to}) {
    x->clear_init_seed();
    x->clear_data_seed();
    x->mutable_train()->clear_log_every();
    x->mutable_train()->clear_checkpoint_every();
    x->mutable_train()->clear_threads();
  }
  return ConfigDifferences(from, to);
}

// "-12.3 points, 95% interval -14.0 to -10.6: **supports**".
std::string Result(const AblationFindings& f, const std::string& variant,
                   const char* measure) {
  return EffectProse(FindResult(f.verdicts, AblationId(variant, measure)));
}

std::string ReferenceText(const AblationVariant& v) {
  const TrainingRecord& first = *v.runs[0];
  const RunConfig& c = first.config();
  const ModelConfig& m = c.model();
  const DataConfig& d = c.data();
  return absl::StrFormat(
      "**Reference** (variant `%s`, role `reference`): a decoder-only ReLU "
      "transformer (%d layers, d_model %d, %d heads, d_ff %d, %s; %d "
      "parameters) trained for %d steps of %d x %d %s of the Brown corpus "
      "(%d training documents, %d held-out, split by document) with AdamW "
      "(peak lr %g, %d warmup steps, cosine decay to %g, weight decay %g). "
      "Every %d steps each model is probed on one fixed batch of %d held-out "
      "tokens, the same for every seed of a tokenizer; a unit fires on a "
      "token when its post-ReLU value is > 0. %d seeds per variant, the same "
      "seed pairs in every variant: values are means, min–max over seeds in "
      "parentheses; comparisons are paired by seed.\n\n",
      v.name, m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
      m.post_norm() ? "post-norm" : "pre-norm", first.parameters(),
      c.train().steps(), d.batch_size(), d.seq_len(),
      v.words ? "words" : "bytes", first.data().train_documents(),
      first.data().heldout_documents(), c.optim().lr(),
      c.optim().warmup_steps(), c.optim().min_lr(), c.optim().weight_decay(),
      c.probe().every(), first.data().probe_tokens(),
      static_cast<int>(v.runs.size()));
}

std::string VariantsTable(const AblationFindings& f) {
  const AblationVariant& ref = f.variants[f.reference];
  std::vector<std::vector<std::string>> rows;
  for (const AblationVariant& v : f.variants) {
    const DataSummary& ds = v.runs[0]->data();
    const std::vector<std::string> diff =
        RunDifferences(ref.runs[0]->config(), v.runs[0]->config());
    rows.push_back(
        {absl::StrCat("`", v.name, "`"), absl::StrCat("`", v.role, "`"),
         v.description.empty() ? "-" : v.description,
         &v == &ref     ? "(reference)"
         : diff.empty() ? "none"
                        : absl::StrCat("`", absl::StrJoin(diff, "`, `"), "`"),
         absl::StrCat(v.runs[0]->parameters()), absl::StrCat(ds.train_tokens()),
         v.words ? absl::StrFormat("%d words (of %d distinct in training) + "
                                   "<unk>; <unk>: %s of training tokens, %s "
                                   "of the probe's targets",
                                   ds.vocabulary_size() - 1,
                                   ds.distinct_training_words(),
                                   Pct(ds.train_unknown_fraction()),
                                   Pct(ds.probe_unknown_fraction()))
                 : "256 bytes"});
  }
  return MarkdownTable({"variant", "declared role", "description",
                        "differs from the reference in", "parameters",
                        "tokens in the training documents", "vocabulary"},
                       rows);
}

std::string SetupSection(const AblationFindings& f) {
  std::string s = ReferenceText(f.variants[f.reference]);
  absl::StrAppend(&s,
                  "The variants, their declared roles (from the preset, "
                  "recorded in each run) and the settings that differ from "
                  "the reference:\n\n",
                  VariantsTable(f), "\n");
  const AblationScope& sc = f.scope;
  if (sc.bytes_per_word > 0) {
    absl::StrAppend(
        &s,
        absl::StrFormat(
            "Word vocabularies are built from the training documents only. "
            "%s The training documents hold %.2f bytes per word, so a probe "
            "batch of %d words covers that much more text than one of %d "
            "bytes.\n\n",
            sc.same_split
                ? "Words and bytes use the same held-out documents (the split "
                  "is made before tokenizing), but the probe's windows are "
                  "cut in tokens, so the probe batches hold different "
                  "passages."
                : "Words and bytes use different document splits here.",
            sc.bytes_per_word, sc.word_probe_tokens, sc.byte_probe_tokens));
  }
  return s;
}

// A word variant changes more than its factor: say what else it changes.
std::string WordsCaveat(const AblationFindings& f, const AblationVariant& v) {
  const AblationVariant& ref = f.variants[f.reference];
  if (!v.words || ref.words || f.scope.bytes_per_word <= 0) return "";
  return absl::StrFormat(
      " Words change more than the vocabulary: %d parameters against %d, "
      "%.2f bytes of text per token (a %d-token window holds about %.0f "
      "bytes of text), different probe passages; a change here is not the "
      "vocabulary's alone.",
      v.runs[0]->parameters(), ref.runs[0]->parameters(),
      f.scope.bytes_per_word, ref.runs[0]->probes(0).layers(0).window_tokens(),
      f.scope.bytes_per_word *
          ref.runs[0]->probes(0).layers(0).window_tokens());
}

std::string VariantLine(const AblationFindings& f, const AblationVariant& v) {
  const AblationVariant& ref = f.variants[f.reference];
  return absl::StrFormat(
      "- **`%s`** (%s) against the reference, layer 0 at the end: window "
      "union %s -> %s (%s); units firing on < 1%% of tokens %s -> %s (%s); "
      "batch union %s -> %s (%s); token density %s -> %s (%s).%s\n",
      v.name, v.description, PctSpread(ref.wu0), PctSpread(v.wu0),
      Result(f, v.name, kAblWindow), PctSpread(ref.rare0), PctSpread(v.rare0),
      Result(f, v.name, kAblRare), PctSpread(ref.bu0), PctSpread(v.bu0),
      Result(f, v.name, kAblBatch), PctSpread(ref.td0), PctSpread(v.td0),
      Result(f, v.name, kAblToken), WordsCaveat(f, v));
}

std::string OrderingLine(const AblationFindings& f) {
  std::vector<std::string> parts;
  for (const AblationVariant& v : f.variants) {
    parts.push_back(absl::StrFormat("`%s` %s vs %s (%s)", v.name,
                                    PctSpread(v.wu0), PctSpread(v.wu_last),
                                    Result(f, v.name, kAblOrdering)));
  }
  return absl::StrCat(
      "- **[W]'s ordering within each variant** (layer 0's window union "
      "below the last layer's, paired by seed): ",
      absl::StrJoin(parts, "; "), ".\n");
}

std::string ScopeLine(const AblationFindings& f) {
  const AblationScope& sc = f.scope;
  std::string s = absl::StrFormat(
      "- **Left untested by this sweep.** Scale: d_model at most %d, at most "
      "%d layers. Data: the Brown corpus only (%d training documents), %s, "
      "not [W]'s corpus or a subword tokenizer. Length: at most %d steps and "
      "%d training tokens (at most %.3g passes over a variant's training "
      "documents).",
      sc.max_d_model, sc.max_layers, sc.train_documents,
      sc.max_vocab > 0 ? absl::StrCat("bytes or whole words up to ",
                                      sc.max_vocab, " vocabulary entries")
                       : "bytes only",
      sc.max_steps, sc.max_tokens, sc.max_passes);
  if (f.longest >= 0) {
    const AblationVariant& l = f.variants[f.longest];
    const AblationVariant& ref = f.variants[f.reference];
    absl::StrAppend(
        &s, absl::StrFormat(
                " Held-out loss of `%s` (%d steps) %s %s against the "
                "reference's %s (%d steps): %s (\"supports\": the reference "
                "had not converged).",
                l.name, l.steps, NumSpread(l.heldout, "%.3f"), Unit(l),
                NumSpread(ref.heldout, "%.3f"), ref.steps,
                Result(f, l.name, kAblHeldout)));
  }
  absl::StrAppend(&s,
                  " At GPU scale the `ablation_paper` preset runs the same "
                  "design larger (`bazel run //experiments:layerwise_sparsity "
                  "-- --preset=ablation_paper --device=cuda`).\n");
  return s;
}

std::string AnswerSection(const AblationFindings& f) {
  const AblationVariant& ref = f.variants[f.reference];
  std::string s = absl::StrFormat(
      "- **Reference.** Layer 0 at the end: batch union %s (the last layer "
      "%d: %s), %d-token window union %s (last layer %s); the layer with "
      "the lowest window union per seed: %s.\n",
      PctSpread(ref.bu0), ref.last_layer, PctSpread(ref.bu_last),
      ref.runs[0]->probes(0).layers(0).window_tokens(), PctSpread(ref.wu0),
      PctSpread(ref.wu_last), absl::StrJoin(ref.lowest_window_layer, ", "));
  for (const AblationVariant& v : f.variants) {
    if (&v != &ref) absl::StrAppend(&s, VariantLine(f, v));
  }
  absl::StrAppend(&s, OrderingLine(f), ScopeLine(f));
  return s;
}

std::string FinalTable(const AblationFindings& f) {
  std::vector<std::vector<std::string>> rows;
  for (const AblationVariant& v : f.variants) {
    rows.push_back({absl::StrCat("`", v.name, "`"), absl::StrCat(v.steps),
                    absl::StrCat(NumSpread(v.heldout, "%.3f"), " ", Unit(v)),
                    PctSpread(v.bu0), PctSpread(v.bu_last), PctSpread(v.wu0),
                    PctSpread(v.wu_last), PctSpread(v.td0),
                    PctSpread(v.td_last), PctSpread(v.rare0),
                    absl::StrJoin(v.lowest_window_layer, ", ")});
  }
  return MarkdownTable({"variant", "steps", "held-out loss",
                        "batch union, layer 0", "batch union, last layer",
                        "window union, layer 0", "window union, last layer",
                        "token density, layer 0", "token density, last layer",
                        "layer 0 units firing on < 1% of probe tokens",
                        "layer with the lowest window union (per seed)"},
                       rows);
}

LinePlot Layer0OverTraining(const std::vector<Runs>& variants,
                            const LayerValue& value, const std::string& y_label,
                            const std::string& what) {
  LinePlot plot{absl::StrCat("Layer 0: ", what,
                             ", per variant (mean; band: min..max over "
                             "seeds)"),
                "training step",
                y_label,
                {}};
  for (const Runs& runs : variants) {
    plot.series.push_back(BandSeries(runs[0]->variant(), ProbeSteps(runs),
                                     LayerCurves(runs, 0, value)));
  }
  plot.y_min = 0;
  plot.y_max = 1.05;
  return plot;
}

// unit_range: y from 0 to 1 (else automatic).
LinePlot FinalProfiles(const std::vector<Runs>& variants,
                       const std::string& title, const std::string& y_label,
                       const LayerValue& value, bool unit_range = true) {
  LinePlot plot{title, "layer", y_label, {}};
  plot.x_tic = 1;
  for (const Runs& runs : variants) {
    const int layers = runs[0]->probes(0).layers_size();
    std::vector<double> x;
    for (int l = 0; l < layers; ++l) x.push_back(l);
    std::vector<std::vector<double>> rows;
    for (const TrainingRecord* r : runs)
      rows.push_back(FinalProfile(*r, value));
    Series s = BandSeries(runs[0]->variant(), x, rows);
    s.points = true;
    plot.series.push_back(std::move(s));
  }
  if (unit_range) {
    plot.y_min = 0;
    plot.y_max = 1.05;
  }
  return plot;
}

std::string Headline(const AblationFindings& f) {
  std::vector<std::string> moved;
  int verdicts[4] = {0, 0, 0, 0};  // ordering: by Verdict
  for (const AblationVariant& v : f.variants) {
    const ComparisonResult& order =
        FindResult(f.verdicts, AblationId(v.name, kAblOrdering));
    ++verdicts[static_cast<int>(order.verdict)];
    if (v.role == "reference") continue;
    const ComparisonResult& w =
        FindResult(f.verdicts, AblationId(v.name, kAblWindow));
    if (w.verdict == Verdict::kSupports) {
      moved.push_back(absl::StrCat("`", v.name, "` (", EffectText(w), ")"));
    }
  }
  return absl::StrFormat(
      "Layer 0's window union lowered toward [W]'s collapse (Holm over %d "
      "tests) by: %s. Layer 0 below the last layer ([W]'s ordering, window "
      "union), of %d variants: %d supports, %d contradicts, %d "
      "inconclusive, %d not testable.",
      f.counted_tests,
      moved.empty() ? "no variant" : absl::StrJoin(moved, ", "),
      static_cast<int>(f.variants.size()),
      verdicts[static_cast<int>(Verdict::kSupports)],
      verdicts[static_cast<int>(Verdict::kContradicts)],
      verdicts[static_cast<int>(Verdict::kInconclusive)],
      verdicts[static_cast<int>(Verdict::kNotTestable)]);
}

}  // namespace

absl::StatusOr<Report> LayerwiseSparsityAblationReport(
    const Results& results, const std::string& results_file) {
  const LayerwiseSparsityResults& r = results.layerwise_sparsity();
  absl::StatusOr<AblationFindings> found = AnalyzeAblation(r);
  if (!found.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(results_file, ": ", found.status().message()));
  }
  const AblationFindings& f = *found;
  Report report("layerwise_sparsity_ablation",
                "Why layer 0 does not collapse: an ablation of layer-wise "
                "sparsity [W]");
  report.headline = Headline(f);
  report.claims = f.claims;
  std::vector<Runs> variants;
  for (const AblationVariant& v : f.variants) variants.push_back(v.runs);
  const int64_t probe_tokens = variants[0][0]->data().probe_tokens();
  std::string& md = report.markdown;
  absl::StrAppend(
      &md,
      "# Why does layer 0 not collapse? An ablation of layer-wise "
      "sparsity\n\n",
      "Wild & Anderson (2024, [W] in [docs/method.md](../docs/method.md)) "
      "report in their Figure 1 that the first MLP layer of a six-layer ReLU "
      "transformer collapses to using few of its units per 8192-token batch "
      "while the last layer uses nearly all of them. The default run of this "
      "project ([layerwise_sparsity.md](layerwise_sparsity.md)) is compared "
      "with that claim in its own report. This sweep changes one factor at a "
      "time against a reference and measures what moves layer 0. Generated "
      "by `bazel run //reports:render` from the results file below; every "
      "number here was measured in those runs. Do not edit by hand.\n\n",
      "## Setup\n\n", SetupSection(f),
      "## Answer (computed from the measurements)\n\n", AnswerSection(f),
      "\n## Verdicts\n\n",
      "\"Supports\" here means the variant moves layer 0 toward [W]'s "
      "collapse (or, for the ordering rows, layer 0 sits below the last "
      "layer): a statement about a factor at this scale, not support for "
      "[W] itself (whose layer 0 reaches about 13% batch union). A "
      "variant's four layer-0 measures are views of one change, not four "
      "independent findings. Each row is a paired comparison over the seeds: "
      "the mean "
      "difference, its 95% Student-t interval and a paired t-test, "
      "Holm-adjusted over this report's tests (docs/method.md, "
      "\"Verdicts\").\n\n",
      VerdictTable(f.verdicts), "\n",
      "## Layer 0 and the last layer at the end of each variant\n\n",
      "Batch union: fraction of the d_ff units firing on at least one of the "
      "probe batch's tokens. Window union: the same over windows of whole "
      "sequences, mean over windows. Token density: fraction of units firing "
      "per token, mean over the probe tokens. Held-out loss on the probe "
      "batch (per byte or per word: not comparable between bytes and words, "
      "nor between vocabulary sizes).\n\n",
      FinalTable(f), "\n", "## Plots\n\n",
      report.AddPlot("layer0_window_union", "layer 0 window union per variant",
                     Layer0OverTraining(variants, WindowUnion,
                                        "window union density of layer 0",
                                        "units firing in a window")),
      "\n\n",
      report.AddPlot(
          "layer0_batch_union", "layer 0 batch union per variant",
          Layer0OverTraining(
              variants, BatchUnion, "batch union density of layer 0",
              absl::StrFormat("units firing on >= 1 of %d probe tokens",
                              probe_tokens))),
      "\n\n",
      report.AddPlot(
          "final_window_union", "final window union per layer and variant",
          FinalProfiles(variants,
                        "Window union per layer at the end, per variant "
                        "(mean; band: min..max over seeds)",
                        "window union density", WindowUnion)),
      "\n\n",
      report.AddPlot(
          "final_batch_union", "final batch union per layer and variant",
          FinalProfiles(variants,
                        "Batch union per layer at the end, per variant "
                        "(mean; band: min..max over seeds)",
                        "batch union density", BatchUnion)),
      "\n\n",
      report.AddPlot(
          "final_token_density", "final token density per layer and variant",
          FinalProfiles(variants,
                        "Token density per layer at the end, per variant "
                        "(mean; band: min..max over seeds)",
                        "token density (mean fraction of units > 0)",
                        TokenDensity, /*unit_range=*/false)),
      "\n\n",
      SweepHowMeasured(results.run(), results_file, r.runs(),
                       "layerwise_sparsity"));
  return report;
}

}  // namespace sparsity
