#include "reports/layerwise_sparsity_ablation_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "experiments/presets.h"
#include "google/protobuf/text_format.h"
#include "proto/config.pb.h"
#include "reports/layer_stats.h"

namespace sparsity {
namespace {

// The preset this report points GPU users to, and the one the reference is
// compared with.
constexpr char kPaperAblation[] = "ablation_paper";
constexpr char kDefault[] = "default";

// A unit "fires rarely" below this fraction of the probe tokens.
constexpr double kRare = 0.01;

// One variant's final values, spread over its seeds.
struct VariantFinals {
  const Runs* runs;
  std::string name, description;
  int last_layer;
  Spread bu0, bu_last, td0, td_last, heldout;
  // Layer 0's units firing on fewer than kRare of the probe tokens (dead
  // ones included), from the final probe's firing frequencies; n = 0 when
  // a run stored none.
  Spread rare0;
  std::vector<Spread> bu, td;  // per layer
  int layer0_below_last = 0;   // seeds where layer 0's batch union < last's
  int layer0_lowest = 0;       // seeds where layer 0 is strictly lowest
  std::vector<std::string> lowest;  // per seed: the lowest layer(s), "0=1"
};

VariantFinals FinalsOf(const Runs& runs, const std::string& description) {
  VariantFinals v;
  v.runs = &runs;
  v.name = runs[0]->variant();
  v.description = description;
  v.bu = AtProbe(runs, -1, BatchUnion);
  v.td = AtProbe(runs, -1, TokenDensity);
  v.last_layer = static_cast<int>(v.bu.size()) - 1;
  v.bu0 = v.bu[0];
  v.bu_last = v.bu[v.last_layer];
  v.td0 = v.td[0];
  v.td_last = v.td[v.last_layer];
  std::vector<double> heldout;
  for (const TrainingRecord* r : runs) {
    heldout.push_back(r->probes(r->probes_size() - 1).probe_loss());
    const std::vector<double> bu = FinalProfile(*r, BatchUnion);
    v.layer0_below_last += bu[0] < bu.back() ? 1 : 0;
    v.layer0_lowest += StrictlyLowest(bu, 0) ? 1 : 0;  // a tie is no collapse
    v.lowest.push_back(LowestIndices(bu));
  }
  v.heldout = SpreadOf(heldout);
  std::vector<double> rare;
  for (const TrainingRecord* r : runs) {
    const LayerSparsity& l0 = r->probes(r->probes_size() - 1).layers(0);
    if (l0.firing_frequency_size() == 0) {
      rare.clear();
      break;
    }
    int64_t n = 0;
    for (float x : l0.firing_frequency()) n += x < kRare ? 1 : 0;
    rare.push_back(static_cast<double>(n) / l0.firing_frequency_size());
  }
  v.rare0 = SpreadOf(rare);
  return v;
}

// Points (percentage points) of a change in a fraction, signed.
std::string Points(double delta) {
  return absl::StrFormat("%+.1f points", 100 * delta);
}

// Whether two seed ranges (of at least two seeds each) do not overlap.
bool Separated(const Spread& a, const Spread& b) {
  return a.n >= 2 && b.n >= 2 && (a.max < b.min || b.max < a.min);
}

// How a difference compares with the spread over seeds: "yes" (the ranges
// do not overlap), "no", or "one seed" when either side has no spread.
std::string BeyondSpread(const Spread& a, const Spread& b) {
  if (a.n < 2 || b.n < 2) return "one seed";
  return Separated(a, b) ? "yes" : "no";
}

const RunConfig* PresetBase(const std::string& preset,
                            LayerwiseSparsityConfig* storage) {
  const auto& presets = EmbeddedPresets();
  auto it = presets.find("layerwise_sparsity/" + preset);
  if (it == presets.end() ||
      !google::protobuf::TextFormat::ParseFromString(it->second, storage)) {
    return nullptr;
  }
  return &storage->base();
}

std::string Unit(const TrainingRecord& run) {
  return run.config().data().tokenizer() == DataConfig::WORDS ? "nats/word"
                                                              : "nats/byte";
}

// The settings of `to` that differ from `from`, seeds and the intervals that
// do not change what is measured (logging, checkpoints, threads) left out.
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

std::string SetupSection(const std::vector<Runs>& variants,
                         const std::vector<VariantFinals>& finals) {
  const TrainingRecord& first = *variants[0][0];
  const RunConfig& c = first.config();
  const ModelConfig& m = c.model();
  const DataConfig& d = c.data();
  std::string s = absl::StrFormat(
      "**Reference** (variant `%s`): a decoder-only ReLU transformer (%d "
      "layers, d_model %d, %d heads, d_ff %d, %s; %d parameters) trained for "
      "%d steps of %d x %d %s of the Brown corpus (%d training documents, %d "
      "held-out, split by document) with AdamW (peak lr %g, %d warmup steps, "
      "cosine decay to %g, weight decay %g). Every %d steps each model is "
      "probed on one fixed batch of %d held-out tokens, the same for every "
      "seed of a tokenizer; a unit fires on a token when its post-ReLU value "
      "is > 0. %d seeds per variant: values are means, min–max over seeds in "
      "parentheses.\n\n",
      first.variant(), m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
      m.post_norm() ? "post-norm" : "pre-norm", first.parameters(),
      c.train().steps(), d.batch_size(), d.seq_len(),
      d.tokenizer() == DataConfig::WORDS ? "words" : "bytes",
      first.data().train_documents(), first.data().heldout_documents(),
      c.optim().lr(), c.optim().warmup_steps(), c.optim().min_lr(),
      c.optim().weight_decay(), c.probe().every(), first.data().probe_tokens(),
      static_cast<int>(variants[0].size()));
  LayerwiseSparsityConfig storage;
  if (const RunConfig* def = PresetBase(kDefault, &storage)) {
    const std::vector<std::string> diff = RunDifferences(*def, c);
    absl::StrAppend(&s,
                    "Against the `default` preset as it stands in "
                    "`experiments/configs/` "
                    "([layerwise_sparsity.md](layerwise_sparsity.md) "
                    "reports its run), the reference's settings differ in ",
                    diff.empty()
                        ? "nothing"
                        : absl::StrCat("`", absl::StrJoin(diff, "`, `"), "`"),
                    ".\n\n");
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t v = 0; v < variants.size(); ++v) {
    const TrainingRecord& r = *variants[v][0];
    const DataSummary& ds = r.data();
    const bool words = r.config().data().tokenizer() == DataConfig::WORDS;
    const std::vector<std::string> diff = RunDifferences(c, r.config());
    rows.push_back(
        {absl::StrCat("`", r.variant(), "`"),
         finals[v].description.empty() ? "-" : finals[v].description,
         v == 0         ? "(reference)"
         : diff.empty() ? "none"
                        : absl::StrCat("`", absl::StrJoin(diff, "`, `"), "`"),
         absl::StrCat(r.parameters()), absl::StrCat(ds.train_tokens()),
         words ? absl::StrFormat("%d words (of %d distinct in training) + "
                                 "<unk>; <unk>: %s of training tokens, %s of "
                                 "the probe's targets",
                                 ds.vocabulary_size() - 1,
                                 ds.distinct_training_words(),
                                 Pct(ds.train_unknown_fraction()),
                                 Pct(ds.probe_unknown_fraction()))
               : "256 bytes"});
  }
  absl::StrAppend(
      &s,
      "The variants, with their settings that differ from the reference:\n\n",
      MarkdownTable(
          {"variant", "description", "differs from the reference in",
           "parameters", "tokens in the training documents", "vocabulary"},
          rows),
      "\n");
  // Bytes per word, from the training tokens of a byte and a word variant
  // with the same document split.
  const TrainingRecord* byte_run = nullptr;
  const TrainingRecord* word_run = nullptr;
  for (const Runs& runs : variants) {
    const bool words =
        runs[0]->config().data().tokenizer() == DataConfig::WORDS;
    (words ? word_run : byte_run) = runs[0];
  }
  if (byte_run != nullptr && word_run != nullptr) {
    const DataConfig& bd = byte_run->config().data();
    const DataConfig& wd = word_run->config().data();
    const bool same_split = bd.split_seed() == wd.split_seed() &&
                            bd.heldout_fraction() == wd.heldout_fraction() &&
                            byte_run->data().train_documents() ==
                                word_run->data().train_documents() &&
                            byte_run->data().heldout_documents() ==
                                word_run->data().heldout_documents();
    absl::StrAppend(
        &s,
        absl::StrFormat(
            "Word vocabularies are built from the training documents only. "
            "%s The training documents hold %.2f bytes per word, so a probe "
            "batch of %d words covers that much more text than one of %d "
            "bytes.\n\n",
            same_split
                ? "Words and bytes use the same held-out documents (the split "
                  "is made before tokenizing), but the probe's windows are "
                  "cut in tokens, so the probe batches hold different "
                  "passages."
                : "Words and bytes use different document splits here.",
            static_cast<double>(byte_run->data().train_tokens()) /
                std::max<int64_t>(1, word_run->data().train_tokens()),
            word_run->data().probe_tokens(), byte_run->data().probe_tokens()));
  }
  return s;
}

// The variant other than the reference (index 0) with the lowest mean layer-0
// batch union; 0 when there is no other variant.
int LowestLayer0Variant(const std::vector<VariantFinals>& f) {
  int best = 0;
  for (int v = 1; v < static_cast<int>(f.size()); ++v) {
    if (best == 0 || f[v].bu0.mean < f[best].bu0.mean) best = v;
  }
  return best;
}

// [W]'s ordering: layer 0's batch union below the last layer's in every seed.
bool ReproducesOrdering(const VariantFinals& v) {
  return v.layer0_below_last == static_cast<int>(v.runs->size());
}

std::string AnswerSection(const std::vector<VariantFinals>& f,
                          const std::vector<Runs>& variants) {
  const VariantFinals& ref = f[0];
  std::string s;
  // The reference itself.
  absl::StrAppend(
      &s,
      absl::StrFormat(
          "- **Reference.** Layer 0 fires %s of its units on the probe batch "
          "at the end, the last layer (%d) %s; the layer with the fewest "
          "units in use is %s (per seed). Layer 0 is below the last layer in "
          "%d of %d seeds.\n",
          PctSpread(ref.bu0), ref.last_layer, PctSpread(ref.bu_last),
          absl::StrJoin(ref.lowest, ", "), ref.layer0_below_last,
          static_cast<int>(ref.runs->size())));
  // Which factor moves layer 0 most toward collapse (lowest batch union).
  const int best = LowestLayer0Variant(f);
  if (best > 0) {
    const VariantFinals& b = f[best];
    const double delta = b.bu0.mean - ref.bu0.mean;
    const bool separated = Separated(b.bu0, ref.bu0);
    if (delta < 0) {
      absl::StrAppend(
          &s,
          absl::StrFormat(
              "- **Which factor moves layer 0 toward collapse.** The largest "
              "drop in layer 0's batch union is `%s` (%s): %s -> %s, %s; its "
              "token density %s -> %s (%s). %s\n",
              b.name, b.description, PctSpread(ref.bu0), PctSpread(b.bu0),
              Points(delta), PctSpread(ref.td0), PctSpread(b.td0),
              Points(b.td0.mean - ref.td0.mean),
              separated ? "The seed ranges do not overlap: beyond the seed "
                          "spread."
              : b.bu0.n < 2 || ref.bu0.n < 2
                  ? "One seed: no spread to judge it against."
                  : "The seed ranges overlap: within the seed spread, not a "
                    "measured effect."));
    } else {
      absl::StrAppend(
          &s, absl::StrFormat(
                  "- **Which factor moves layer 0 toward collapse.** None: no "
                  "variant lowers layer 0's batch union below the reference's "
                  "%s; the lowest is `%s` (%s, %s).\n",
                  PctSpread(ref.bu0), b.name, PctSpread(b.bu0), Points(delta)));
    }
    // Every other variant's effect, in one sentence.
    std::vector<std::string> effects;
    for (size_t v = 1; v < f.size(); ++v) {
      effects.push_back(absl::StrFormat("`%s` %s (beyond seed spread: %s)",
                                        f[v].name,
                                        Points(f[v].bu0.mean - ref.bu0.mean),
                                        BeyondSpread(f[v].bu0, ref.bu0)));
    }
    absl::StrAppend(&s,
                    "- **Every factor, layer 0's batch union against the "
                    "reference:** ",
                    absl::StrJoin(effects, "; "), ".\n");
    // Measures that do not saturate at 100%: token density and the share of
    // rarely firing units of layer 0.
    int td_best = 1, rare_best = 1;
    for (int v = 1; v < static_cast<int>(f.size()); ++v) {
      if (f[v].td0.mean < f[td_best].td0.mean) td_best = v;
      if (f[v].rare0.mean > f[rare_best].rare0.mean) rare_best = v;
    }
    const VariantFinals& t = f[td_best];
    absl::StrAppend(
        &s,
        absl::StrFormat(
            "- **Per token, layer 0 is sparsest with `%s`:** token density "
            "%s against the reference's %s (%s; beyond seed spread: %s).",
            t.name, PctSpread(t.td0), PctSpread(ref.td0),
            Points(t.td0.mean - ref.td0.mean), BeyondSpread(t.td0, ref.td0)));
    if (ref.rare0.n > 0 && f[rare_best].rare0.n > 0) {
      const VariantFinals& r = f[rare_best];
      absl::StrAppend(
          &s,
          absl::StrFormat(
              " Most layer-0 units firing on fewer than %g%% of the probe "
              "tokens: `%s`, %s (reference %s; %s, beyond seed spread: %s).",
              100 * kRare, r.name, PctSpread(r.rare0), PctSpread(ref.rare0),
              Points(r.rare0.mean - ref.rare0.mean),
              BeyondSpread(r.rare0, ref.rare0)));
    }
    absl::StrAppend(&s, "\n");
  }
  // Does any variant reproduce [W]'s ordering?
  std::vector<std::string> ordering, collapse;
  for (const VariantFinals& v : f) {
    const int n = static_cast<int>(v.runs->size());
    if (ReproducesOrdering(v)) ordering.push_back("`" + v.name + "`");
    if (v.layer0_lowest == n) collapse.push_back("`" + v.name + "`");
  }
  absl::StrAppend(
      &s,
      "- **[W]'s ordering** (layer 0 using fewer units than the last "
      "layer, in every seed): ",
      ordering.empty()
          ? "reproduced by no variant."
          : absl::StrCat("reproduced by ", absl::StrJoin(ordering, ", "), "."),
      " Layer 0 the layer with the fewest units in every seed (its "
      "collapse): ",
      collapse.empty()
          ? "in no variant."
          : absl::StrCat("in ", absl::StrJoin(collapse, ", "), "."),
      "\n");
  if (ordering.empty() || collapse.empty()) {
    int max_d_model = 0, max_layers = 0;
    int64_t max_steps = 0, max_tokens = 0, max_vocab = 0;
    double max_passes = 0;
    for (const Runs& runs : variants) {
      const RunConfig& c = runs[0]->config();
      const int64_t tokens = c.train().steps() *
                             static_cast<int64_t>(c.data().batch_size()) *
                             c.data().seq_len();
      max_d_model = std::max(max_d_model, c.model().d_model());
      max_layers = std::max(max_layers, c.model().n_layers());
      max_steps = std::max<int64_t>(max_steps, c.train().steps());
      max_tokens = std::max(max_tokens, tokens);
      max_passes = std::max(
          max_passes, static_cast<double>(tokens) /
                          std::max<int64_t>(1, runs[0]->data().train_tokens()));
      if (c.data().tokenizer() == DataConfig::WORDS) {
        max_vocab = std::max<int64_t>(max_vocab, c.model().vocab_size());
      }
    }
    absl::StrAppend(
        &s,
        absl::StrFormat(
            "- **Left untested by this sweep.** Scale: d_model at most %d, "
            "at most %d layers. Data: the Brown corpus only (%d training "
            "documents), %s, not [W]'s corpus or a subword tokenizer. "
            "Length: at most %d steps and %d training tokens (at most %.3g "
            "passes over a variant's training documents).",
            max_d_model, max_layers, variants[0][0]->data().train_documents(),
            max_vocab > 0 ? absl::StrCat("bytes or whole words up to ",
                                         max_vocab, " vocabulary entries")
                          : "bytes only",
            max_steps, max_tokens, max_passes));
    // Was the reference still improving? The held-out loss of the longest
    // variant with the reference's tokenizer against the reference's.
    const RunConfig& rc = (*ref.runs)[0]->config();
    const VariantFinals* longest = nullptr;
    for (const VariantFinals& v : f) {
      const RunConfig& c = (*v.runs)[0]->config();
      if (c.data().tokenizer() == rc.data().tokenizer() &&
          c.train().steps() > rc.train().steps() &&
          (longest == nullptr ||
           c.train().steps() > (*longest->runs)[0]->config().train().steps())) {
        longest = &v;
      }
    }
    if (longest != nullptr) {
      const bool lower = longest->heldout.mean < ref.heldout.mean;
      const bool separated = Separated(longest->heldout, ref.heldout);
      absl::StrAppend(
          &s,
          absl::StrFormat(
              " The held-out loss of `%s` (%d steps) is %s %s against the "
              "reference's %s (%d steps): %s.",
              longest->name, (*longest->runs)[0]->config().train().steps(),
              NumSpread(longest->heldout, "%.3f"), Unit(*(*longest->runs)[0]),
              NumSpread(ref.heldout, "%.3f"), rc.train().steps(),
              lower && separated
                  ? "lower beyond the seed spread, so the reference had not "
                    "converged"
              : lower ? "lower, within the seed spread"
                      : "not lower: longer training no longer improves "
                        "it"));
    }
    LayerwiseSparsityConfig paper;
    if (const RunConfig* p = PresetBase(kPaperAblation, &paper)) {
      std::vector<std::string> names;
      for (const Variant& v : paper.sweep().variants()) {
        names.push_back("`" + v.name() + "`");
      }
      absl::StrAppend(
          &s,
          absl::StrFormat(
              " A GPU user would run (per the presets in "
              "`experiments/configs/`) `bazel run "
              "//experiments:layerwise_sparsity -- --preset=%s "
              "--device=cuda`: d_model %d, d_ff %d, %d steps of %d x %d "
              "tokens, variants %s, %d seeds each.",
              kPaperAblation, p->model().d_model(), p->model().d_ff(),
              p->train().steps(), p->data().batch_size(), p->data().seq_len(),
              absl::StrJoin(names, ", "), paper.sweep().seeds_size()));
    }
    absl::StrAppend(&s, "\n");
  }
  return s;
}

std::string FinalTable(const std::vector<VariantFinals>& f) {
  std::vector<std::vector<std::string>> rows;
  for (const VariantFinals& v : f) {
    const TrainingRecord& r = *(*v.runs)[0];
    rows.push_back({absl::StrCat("`", v.name, "`"),
                    absl::StrCat(r.config().train().steps()),
                    absl::StrCat(NumSpread(v.heldout, "%.3f"), " ", Unit(r)),
                    PctSpread(v.bu0), PctSpread(v.bu_last), PctSpread(v.td0),
                    PctSpread(v.td_last),
                    v.rare0.n > 0 ? PctSpread(v.rare0) : "-",
                    absl::StrJoin(v.lowest, ", "),
                    absl::StrCat(v.layer0_below_last, " of ", v.runs->size())});
  }
  return MarkdownTable(
      {"variant", "steps", "held-out loss", "batch union, layer 0",
       "batch union, last layer", "token density, layer 0",
       "token density, last layer",
       absl::StrFormat("layer 0 units firing on < %g%% of probe tokens",
                       100 * kRare),
       "layer with the fewest units (per seed)",
       "seeds with layer 0 below the last layer"},
      rows);
}

std::string DeltaTable(const std::vector<VariantFinals>& f) {
  const VariantFinals& ref = f[0];
  std::vector<std::vector<std::string>> rows;
  for (size_t v = 1; v < f.size(); ++v) {
    const VariantFinals& x = f[v];
    const int min_layer = ArgMin(Means(x.bu));
    rows.push_back(
        {absl::StrCat("`", x.name, "`"), Points(x.bu0.mean - ref.bu0.mean),
         BeyondSpread(x.bu0, ref.bu0), Points(x.td0.mean - ref.td0.mean),
         Points(x.bu_last.mean - ref.bu_last.mean),
         absl::StrCat(min_layer, " (", PctSpread(x.bu[min_layer]), ")")});
  }
  return MarkdownTable({"variant", "layer 0 batch union", "beyond seed spread",
                        "layer 0 token density", "last-layer batch union",
                        "lowest layer (mean batch union)"},
                       rows);
}

LinePlot Layer0OverTraining(const std::vector<Runs>& variants,
                            int probe_tokens) {
  LinePlot plot{absl::StrFormat("Layer 0: units firing on >= 1 of %d probe "
                                "tokens, per variant (mean; band: min..max "
                                "over seeds)",
                                probe_tokens),
                "training step",
                "batch union density of layer 0",
                {}};
  for (const Runs& runs : variants) {
    plot.series.push_back(BandSeries(runs[0]->variant(), ProbeSteps(runs),
                                     LayerCurves(runs, 0, BatchUnion)));
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

}  // namespace

Report LayerwiseSparsityAblationReport(const Results& results,
                                       const std::string& results_file) {
  const LayerwiseSparsityResults& r = results.layerwise_sparsity();
  Report report("layerwise_sparsity_ablation",
                "Why layer 0 does not collapse: an ablation of layer-wise "
                "sparsity [W]");
  const std::vector<Runs> variants = ByVariant(r.runs());
  std::vector<VariantFinals> finals;
  for (const Runs& runs : variants) {
    std::string description;
    for (const Variant& v : r.config().sweep().variants()) {
      if (v.name() == runs[0]->variant()) description = v.description();
    }
    finals.push_back(FinalsOf(runs, description));
  }
  const VariantFinals& ref = finals[0];
  const int best = LowestLayer0Variant(finals);
  const int reproduce = static_cast<int>(
      std::count_if(finals.begin(), finals.end(), ReproducesOrdering));
  report.headline = absl::StrFormat(
      "Layer 0 batch union: reference %s; lowest variant `%s` %s (%s). "
      "[W]'s ordering (layer 0 below the last layer) in %d of %d variants.",
      PctSpread(ref.bu0), finals[best].name, PctSpread(finals[best].bu0),
      Points(finals[best].bu0.mean - ref.bu0.mean), reproduce,
      static_cast<int>(finals.size()));

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
      "time against a reference and measures what moves layer 0: MLP width, "
      "vocabulary, normalisation and training length. Generated by `bazel "
      "run //reports:render` from the results file below; every number here "
      "was measured in those runs. Do not edit by hand.\n\n",
      "## Setup\n\n", SetupSection(variants, finals),
      "## Answer (computed from the measurements)\n\n",
      AnswerSection(finals, variants), "\n",
      "## Layer 0 and the last layer at the end of each variant\n\n",
      "Batch union: fraction of the d_ff units firing on at least one of the "
      "probe batch's tokens. Token density: fraction of units firing per "
      "token, mean over the probe tokens. Held-out loss on the probe batch "
      "(per byte or per word: not comparable between bytes and words, nor "
      "between vocabulary sizes).\n\n",
      FinalTable(finals), "\n",
      "Change against the reference (difference of the means; \"beyond seed "
      "spread\": the min–max ranges over seeds do not overlap):\n\n",
      DeltaTable(finals), "\n", "## Plots\n\n",
      report.AddPlot("layer0_batch_union", "layer 0 batch union per variant",
                     Layer0OverTraining(variants, probe_tokens)),
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
