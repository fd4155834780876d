#include "reports/topk_thresholding_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "metrics/flops.h"
#include "reports/claims.h"
#include "reports/layer_stats.h"
#include "reports/topk_models_section.h"
#include "reports/topk_thresholding_findings.h"

namespace sparsity {
namespace {

const Probe& Final(const TrainingRecord& r) { return FinalProbe(r); }
bool IsVit(const TrainingRecord& r) {
  return r.config().model().family() == ModelConfig::VIT;
}

// Accuracy (ViT) or held-out loss (LM), "85.1% (84.9–85.3)" / "1.93 nats".
std::string CostOf(const Runs& runs) {
  if (IsVit(*runs[0])) {
    return absl::StrCat("accuracy ",
                        PctSpread(Over(runs, [](const TrainingRecord& r) {
                          return Final(r).probe_accuracy();
                        })));
  }
  return absl::StrCat("held-out loss ",
                      NumSpread(Over(runs,
                                     [](const TrainingRecord& r) {
                                       return Final(r).probe_loss();
                                     }),
                                "%.3f"),
                      " nats/byte");
}
std::string ShortCost(const Runs& runs) {
  if (IsVit(*runs[0])) {
    return Pct(Over(runs, [](const TrainingRecord& r) {
                 return Final(r).probe_accuracy();
               }).mean);
  }
  return absl::StrFormat("%.3f nats", Over(runs, [](const TrainingRecord& r) {
                                        return Final(r).probe_loss();
                                      }).mean);
}

std::vector<double> ProbeSteps(const TrainingRecord& r) {
  std::vector<double> x;
  for (const Probe& p : r.probes()) x.push_back(p.step());
  return x;
}

LinePlot DensityOverTraining(const Runs& runs, const std::string& what) {
  std::vector<std::vector<std::vector<double>>> values;
  for (const TrainingRecord* r : runs) {
    values.emplace_back();
    for (const Probe& p : r->probes()) {
      values.back().emplace_back();
      for (const LayerSparsity& l : p.layers()) {
        values.back().back().push_back(l.token_density_mean());
      }
    }
  }
  LinePlot plot = PerLayerBandPlot(
      absl::StrCat(what, ": token density per layer, held-out (final ",
                   ShortCost(runs), ")"),
      "step", "token density", ProbeSteps(*runs[0]), values);
  plot.y_min = 0;
  plot.y_max = 1;
  return plot;
}

// Final per-layer density rows[run][layer] on held-out or training data.
std::vector<std::vector<double>> PerLayerRows(const Runs& runs, bool train) {
  std::vector<std::vector<double>> rows;
  for (const TrainingRecord* r : runs) {
    rows.emplace_back();
    for (const LayerSparsity& l :
         train ? Final(*r).train_layers() : Final(*r).layers()) {
      rows.back().push_back(l.token_density_mean());
    }
  }
  return rows;
}

std::vector<double> LayerAxis(const Runs& runs) {
  std::vector<double> x;
  for (int l = 0; l < runs[0]->config().model().n_layers(); ++l) x.push_back(l);
  return x;
}

// Series over a sorted group of variants: x = key(model), y = f(run).
Series GroupSeries(const std::string& title, const std::vector<Runs>& group,
                   const std::function<double(const ModelConfig&)>& key,
                   const std::function<double(const TrainingRecord&)>& f) {
  std::vector<double> x;
  std::vector<std::vector<double>> rows;  // rows[run][point]
  for (const Runs& v : group) x.push_back(key(v[0]->config().model()));
  // One row per seed pair present in every variant.
  for (const TrainingRecord* first : group[0]) {
    std::vector<double> row;
    for (const Runs& v : group) {
      const TrainingRecord* r = WithSameSeeds(v, *first);
      if (r == nullptr) break;
      row.push_back(f(*r));
    }
    if (row.size() == group.size()) rows.push_back(row);
  }
  Series s = BandSeries(title, x, rows);
  s.points = true;
  return s;
}

std::string VariantName(const Runs& v) {
  return absl::StrCat("`", v[0]->variant(), "`");
}

std::string FlopsNum(double v) {
  return v >= 1e6 ? absl::StrFormat("%.2fM", v / 1e6)
                  : absl::StrFormat("%.1fk", v / 1e3);
}

// Per-unit shares of a run, as RunValues for Over().
double Dead(const TrainingRecord& r) { return SharesOf(r).dead; }
double Rare(const TrainingRecord& r) { return SharesOf(r).rare; }
double DeadZeros(const TrainingRecord& r) { return SharesOf(r).dead_zeros; }
double RareZeros(const TrainingRecord& r) { return SharesOf(r).rare_zeros; }
double LiveDensity(const TrainingRecord& r) { return SharesOf(r).live_density; }

// The verdict of comparison `id` in prose, with the rule that gave it.
std::string Said(const LazyFindings& f, const std::string& id) {
  const ComparisonResult& r = FindResult(f.verdicts, id);
  return absl::StrCat(EffectProse(r), " (", r.reason, ")");
}

// "L4.first: ...; L4.last: ..." for every id of a claim.
std::string SaidAll(const LazyFindings& f,
                    const std::vector<std::string>& ids) {
  std::vector<std::string> parts;
  for (const std::string& id : ids) {
    parts.push_back(absl::StrCat(FindResult(f.verdicts, id).comparison.claim,
                                 ": ", Said(f, id)));
  }
  return absl::StrJoin(parts, "; ");
}

std::vector<Runs> SyntheticRuns(const LazyFindings& f) {
  std::vector<Runs> out;
  for (const TopkArm& a : f.synthetic) out.push_back(a.runs);
  return out;
}

// Depth layer by layer: first, middle (mean of the layers between) and
// last layer's held-out density of each depth.
void DepthLayerTable(const LazyFindings& f, std::string* md) {
  if (f.depth.size() < 2) return;
  std::vector<std::vector<std::string>> rows;
  for (const Runs& v : f.depth) {
    const int n = v[0]->config().model().n_layers();
    const Spread middle = Over(v, MiddleDensity);
    rows.push_back(
        {VariantName(v), absl::StrCat(n),
         PctSpread(Over(
             v, [](const TrainingRecord& r) { return LayerDensity(r, 0); })),
         n > 2 ? PctSpread(middle) : "– (none)",
         PctSpread(Over(
             v,
             [n](const TrainingRecord& r) { return LayerDensity(r, n - 1); })),
         PctSpread(Over(v, HeldOutDensity))});
  }
  absl::StrAppend(
      md,
      "Depth layer by layer (held-out density): a deeper model's mean over "
      "layers includes middle layers the shallow one does not have, so L4 "
      "compares the first and the last layer as well.\n\n",
      MarkdownTable({"variant", "blocks", "first layer", "middle layers",
                     "last layer", "mean over layers"},
                    rows),
      "\n");
}

void Intro(std::string* md, const std::string& title) {
  absl::StrAppend(
      md, "# ", title, "\n\n",
      "Experiment 5 (docs/method.md, \"Lazy neurons\", \"Top-k models\" and "
      "\"Lazy neurons / Top-k: the claims as tested\"; Li et al. 2023, "
      "[L]). [L] report that the MLP activations of trained transformers "
      "are sparse — a few percent of the entries nonzero per token — that "
      "larger models are sparser, that sparsity persists when training on "
      "random labels, random inputs or data never seen twice, and that it "
      "is not carried by dead neurons; and that Top-k models are more "
      "robust and better calibrated. This report measures each claim at "
      "CPU scale. Every number is a mean over seeds with the min–max over "
      "seeds in brackets; every density stands beside the accuracy (ViT, "
      "Fashion-MNIST test set) or held-out loss (LM) of the same runs. "
      "Token density is the fraction of a layer's d_ff units that are "
      "nonzero for a token, averaged over tokens (here also over layers "
      "where one number is given). Every verdict is a paired test over "
      "seeds, Holm-adjusted over this report's tests (the Verdicts "
      "table). Where [L]'s label-noise claim lives — labels memorised — "
      "is the memorise preset's own report "
      "([topk_thresholding_memorise.md](topk_thresholding_memorise.md)).\n\n");
}

void DensityBullets(const LazyFindings& f, std::string* md) {
  const Runs& vit = f.vit.runs;
  const Runs& lm = f.lm.runs;
  const ModelConfig& vm = vit[0]->config().model();
  const ModelConfig& lmm = lm[0]->config().model();
  absl::StrAppend(
      md,
      absl::StrFormat(
          "- **L1, few nonzero entries?** The reference ViT (%d blocks, "
          "d_ff %d) ends at a mean token density of %s on test images (%s "
          "at initialisation), with %s; the LM (%d blocks, d_ff %d) at %s "
          "held-out (%s at initialisation), %s. Against [L]'s few percent "
          "(below %s): ",
          vm.n_layers(), vm.d_ff(), PctSpread(Over(vit, HeldOutDensity)),
          Pct(Over(vit, InitDensity).mean), CostOf(vit), lmm.n_layers(),
          lmm.d_ff(), PctSpread(Over(lm, HeldOutDensity)),
          Pct(Over(lm, InitDensity).mean), CostOf(lm), Pct(kFewNonzero)),
      SaidAll(f, f.l1), ".\n",
      absl::StrFormat(
          "- **L2, as sparse on training as on held-out data?** Training "
          "data: ViT %s, LM %s. ",
          PctSpread(Over(vit, TrainDensity)),
          PctSpread(Over(lm, TrainDensity))),
      SaidAll(f, f.l2), ".\n");
}

std::string SizePoints(const std::vector<Runs>& group,
                       int (ModelConfig::*key)() const) {
  std::vector<std::string> points;
  for (const Runs& v : group) {
    points.push_back(absl::StrCat((v[0]->config().model().*key)(), ": ",
                                  PctSpread(Over(v, HeldOutDensity)), " (",
                                  ShortCost(v), ")"));
  }
  return absl::StrJoin(points, "; ");
}

void SizeBullets(const LazyFindings& f, std::string* md) {
  if (!f.l3.empty()) {
    absl::StrAppend(md,
                    "- **L3, wider is sparser?** Held-out density (accuracy) "
                    "by d_ff — ",
                    SizePoints(f.width, &ModelConfig::d_ff), ". ",
                    SaidAll(f, f.l3), ".\n");
  }
  if (f.l4.empty()) return;
  const Runs& deep = f.depth.back();
  const int n = deep[0]->config().model().n_layers();
  const Spread middle = Over(deep, MiddleDensity);
  const Spread first =
      Over(deep, [](const TrainingRecord& r) { return LayerDensity(r, 0); });
  const Spread last = Over(
      deep, [n](const TrainingRecord& r) { return LayerDensity(r, n - 1); });
  absl::StrAppend(
      md,
      "- **L4, deeper is sparser?** Held-out density (accuracy) by blocks, "
      "mean over layers — ",
      SizePoints(f.depth, &ModelConfig::n_layers),
      ". Layer by layer: ", SaidAll(f, f.l4),
      absl::StrFormat(
          ". The %d-block model's middle layers (1 to %d) average %s, its "
          "first layer %s and its last %s; the mean over layers counts "
          "middle layers a shallower model does not have, so the first- and "
          "last-layer rows compare like with like (the table in (b)).\n",
          n, n - 2, PctSpread(middle), PctSpread(first), PctSpread(last)));
}

void SyntheticBullet(const LazyFindings& f, std::string* md) {
  if (f.l5.empty()) return;
  std::vector<std::string> parts;
  for (size_t i = 0; i < f.synthetic.size(); ++i) {
    const TopkArm& a = f.synthetic[i];
    const double fit = Over(a.runs, TrainAccuracy).mean;
    parts.push_back(absl::StrCat(
        "`", a.name, "` ", Pct(Over(a.runs, InitDensity).mean), " → ",
        PctSpread(Over(a.runs, HeldOutDensity)), " (",
        PctSpread(Over(a.runs, TrainDensity)),
        " on its own training data; against the reference, paired: ",
        absl::StrFormat("%+.1f points", 100 * f.synthetic_vs_reference[i].mean),
        "), training accuracy ", Pct(fit),
        fit < 2.0 / f.chance_classes
            ? absl::StrCat(" — **sparsity without fitting** (chance ",
                           Pct(1.0 / f.chance_classes), ")")
            : "",
        ": ", Said(f, f.l5[i])));
  }
  absl::StrAppend(
      md,
      "- **L5, sparse with random labels, random inputs, infinite data?** "
      "Does training sparsify each stream's model? Its final density on "
      "the test images against its own at initialisation, both on the same "
      "images (the reference ViT: ",
      Pct(Over(f.vit.runs, InitDensity).mean), " → ",
      PctSpread(Over(f.vit.runs, HeldOutDensity)),
      "; how sparse, against [L]'s few percent, is L1's question; the "
      "level against the reference is shown, not tested). ",
      absl::StrJoin(parts, "; "),
      ". [L]'s random-label networks had memorised their labels; the "
      "memorise report trains on random labels for a subset small enough "
      "to fit (its training accuracy is there).\n");
}

void LazyBullet(const LazyFindings& f, std::string* md) {
  std::vector<std::string> parts;
  for (const auto& [runs, name] :
       {std::make_pair(&f.vit.runs, "ViT"), std::make_pair(&f.lm.runs, "LM")}) {
    parts.push_back(absl::StrFormat(
        "%s: dead units %s of all units, carrying %s of the zero entries; "
        "rare units (firing on < %s of tokens) %s, carrying %s; the live "
        "units fire on %s of tokens",
        name, PctSpread(Over(*runs, Dead)), PctSpread(Over(*runs, DeadZeros)),
        Pct(kRareFiring), PctSpread(Over(*runs, Rare)),
        PctSpread(Over(*runs, RareZeros)),
        PctSpread(Over(*runs, LiveDensity))));
  }
  absl::StrAppend(md, "- **L6, not dead neurons?** ",
                  absl::StrJoin(parts, ". "), ". ", SaidAll(f, f.l6), ".\n");
}

// "`vit_noise40` 61.2% (60.1–62.0), ..." for every arm on flipped labels.
std::string NoisyFit(const LazyFindings& f) {
  std::vector<std::string> parts;
  for (const auto* group : {&f.noisy, &f.noisy_topk}) {
    for (const TopkArm& a : *group) {
      parts.push_back(absl::StrCat("`", a.name, "` ",
                                   PctSpread(Over(a.runs, TrainAccuracy))));
    }
  }
  return absl::StrJoin(parts, ", ");
}

// "`vit` +0.004 (-0.001–+0.010), `vit_noise40` ...": each ReLU arm that an
// L9 row compares with, its mean confidence minus accuracy.
std::string ReluOverconfidence(const LazyFindings& f) {
  std::vector<std::string> parts;
  std::vector<const TopkArm*> arms;
  if (!f.topk.empty()) arms.push_back(&f.vit);
  for (const TopkArm& a : f.noisy) arms.push_back(&a);
  if (!f.lm_topk.empty()) arms.push_back(&f.lm);
  for (const TopkArm* a : arms) {
    parts.push_back(absl::StrCat(
        "`", a->name, "` ", NumSpread(Over(a->runs, Overconfidence), "%+.3f")));
  }
  return absl::StrJoin(parts, ", ");
}

void TopkBullets(const LazyFindings& f, std::string* md) {
  if (!f.l7.empty()) {
    absl::StrAppend(
        md,
        "- **L7, Top-k less hurt by flipped labels?** Paired by seed: each "
        "Top-k model's test-accuracy drop from its own clean-label twin, "
        "minus ReLU's drop from the clean reference. ",
        SaidAll(f, f.l7),
        ". Training accuracy on the flipped labels: ", NoisyFit(f),
        " — [L]'s claim concerns memorised noise, which the memorise "
        "report tests.\n");
  }
  if (!f.l8.empty()) {
    absl::StrAppend(
        md,
        "- **L8, Top-k more robust to corruptions?** Accuracy under the four "
        "corruptions (severities 1–5) over the same images' clean accuracy, "
        "Top-k minus ReLU: ",
        SaidAll(f, f.l8), ".\n");
  }
  if (!f.l9.empty()) {
    absl::StrAppend(md,
                    "- **L9, Top-k better calibrated?** [L]'s claim is about "
                    "overconfident models. ReLU's mean confidence minus "
                    "accuracy: ",
                    ReluOverconfidence(f),
                    ". ECE, Top-k minus ReLU: ", SaidAll(f, f.l9), ".\n");
  }
}

void FlopsBullet(const LazyFindings& f, std::string* md) {
  const auto both = [](const TrainingRecord& x) {
    const MlpFlops m = RunFlops(x);
    return m.sparse_both / m.dense;
  };
  absl::StrAppend(
      md,
      absl::StrFormat(
          "- **L10, FLOPs saved?** Computing the second MLP matrix only for "
          "the nonzero units leaves %s of the ViT's dense MLP FLOPs per "
          "token (LM %s); with the firing units known in advance (both "
          "matrices sparse) %s. ",
          PctSpread(Over(f.vit.runs, SparseFc2Share)),
          PctSpread(Over(f.lm.runs, SparseFc2Share)),
          PctSpread(Over(f.vit.runs, both))),
      SaidAll(f, f.l10), ".\n");
}

void Summary(const LazyFindings& f, std::string* md) {
  absl::StrAppend(md, "## Summary\n\n");
  DensityBullets(f, md);
  SizeBullets(f, md);
  SyntheticBullet(f, md);
  LazyBullet(f, md);
  TopkBullets(f, md);
  FlopsBullet(f, md);
  const TrainingRecord& vit0 = *f.vit.runs[0];
  absl::StrAppend(
      md,
      "\nThe scale differs from [L] by orders of magnitude (their T5 and ViT "
      "models train for hundreds of thousands of steps; these ViTs see ",
      absl::StrFormat("%.2f",
                      static_cast<double>(vit0.config().train().steps()) *
                          vit0.config().data().batch_size() /
                          std::max<int64_t>(vit0.data().train_examples(), 1)),
      " passes over Fashion-MNIST); the paper preset "
      "(`--preset=paper`, for a GPU) runs the same measurements longer and "
      "larger.\n\n");
}

// "L1 supports, L2 contradicts, ..." for the index: the first row of each
// claim id, with its count of rows.
std::string Headline(const LazyFindings& f) {
  std::map<std::string, std::map<std::string, int>> by_claim;
  std::vector<std::string> order;
  for (const ClaimRow& row : f.claims) {
    if (!by_claim.count(row.id)) order.push_back(row.id);
    ++by_claim[row.id][VerdictName(row.result.verdict)];
  }
  std::vector<std::string> parts;
  for (const std::string& id : order) {
    std::vector<std::string> counts;
    for (const auto& [verdict, n] : by_claim[id]) {
      counts.push_back(n > 1 ? absl::StrCat(n, " ", verdict) : verdict);
    }
    parts.push_back(absl::StrCat(id, " ", absl::StrJoin(counts, ", ")));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

Report TopkThresholdingReport(const Results& results,
                              const std::string& results_file) {
  const TopkThresholdingResults& r = results.topk_thresholding();
  Report report("topk_thresholding",
                "Lazy neurons: activation sparsity of ReLU transformers, and "
                "Top-k models");
  const LazyFindings f = AnalyzeLazyNeurons(r);
  report.claims = f.claims;
  const TopkModelsSection topk = MakeTopkModelsSection(r, report);
  std::string& md = report.markdown;
  const Runs& vit = f.vit.runs;
  const Runs& lm = f.lm.runs;
  const TrainingRecord& vit0 = *vit[0];
  const TrainingRecord& lm0 = *lm[0];
  const ModelConfig& vm = vit0.config().model();
  Intro(&md, report.title);
  Summary(f, &md);
  absl::StrAppend(&md, "## Verdicts\n\n", VerdictTable(f.verdicts), "\n");
  report.headline = absl::StrCat(
      "ViT ", Pct(Over(vit, HeldOutDensity).mean), " / LM ",
      Pct(Over(lm, HeldOutDensity).mean),
      " of MLP units nonzero per token (held-out; ViT accuracy ",
      ShortCost(vit), ", LM loss ", ShortCost(lm), "); ", Headline(f), ".");

  const std::vector<Runs> synthetic = SyntheticRuns(f);

  // ---- (a) ----
  absl::StrAppend(
      &md, "## (a) Token density per layer\n\n",
      absl::StrFormat(
          "The ViT reads 28 x 28 images as %d patches of %d x %d pixels plus "
          "a CLS token (%d tokens an image); densities count every token. "
          "Held-out: the %d-image test probe (ViT) or %d held-out bytes "
          "(LM); training: as many examples of each run's own training "
          "data.\n\n",
          static_cast<int>(vit0.data().tokens_per_example()) - 1,
          vm.patch_size(), vm.patch_size(),
          static_cast<int>(vit0.data().tokens_per_example()),
          static_cast<int>(vit0.data().probe_sequences()),
          static_cast<int>(lm0.data().probe_tokens())));
  {
    std::vector<std::vector<std::string>> rows;
    const std::pair<const char*, const Runs*> models[] = {{"ViT", &vit},
                                                          {"LM", &lm}};
    for (const auto& [name, runs] : models) {
      const int layers = (*runs)[0]->config().model().n_layers();
      for (int l = 0; l < layers; ++l) {
        auto at = [l](bool tr) {
          return [l, tr](const TrainingRecord& x) {
            return (tr ? Final(x).train_layers(l) : Final(x).layers(l))
                .token_density_mean();
          };
        };
        rows.push_back(
            {name, absl::StrCat(l), PctSpread(Over(*runs, at(false))),
             PctSpread(Over(*runs, at(true))),
             PctSpread(Over(*runs,
                            [l](const TrainingRecord& x) {
                              return Final(x).layers(l).token_density_p90();
                            })),
             l == 0 ? CostOf(*runs) : ""});
      }
    }
    absl::StrAppend(
        &md,
        MarkdownTable({"model", "layer", "held-out density", "training density",
                       "held-out p90", "cost (same runs)"},
                      rows),
        "\n");
  }
  {
    LinePlot plot{"Final token density per layer (band: min-max over seeds)",
                  "layer", "token density"};
    const std::pair<std::string, const Runs*> models[] = {
        {absl::StrCat("ViT, acc ", ShortCost(vit)), &vit},
        {absl::StrCat("LM, loss ", ShortCost(lm)), &lm}};
    // Held-out only: training-data densities lie on the same lines (the
    // table above; L2).
    for (const auto& [name, runs] : models) {
      Series s = BandSeries(absl::StrCat(name, " (held-out)"), LayerAxis(*runs),
                            PerLayerRows(*runs, false));
      s.points = true;
      plot.series.push_back(s);
    }
    plot.y_min = 0;
    plot.y_max = 1;
    plot.x_tic = 1;
    absl::StrAppend(
        &md, report.AddPlot("per_layer", "final density per layer", plot),
        "\n\n",
        report.AddPlot("vit_over_training", "ViT density over training",
                       DensityOverTraining(vit, "ViT")),
        "\n\n",
        report.AddPlot("lm_over_training", "LM density over training",
                       DensityOverTraining(lm, "LM")),
        "\n\n");
  }

  // ---- (b) ----
  absl::StrAppend(&md, "## (b) Width and depth\n\n",
                  "ViTs that differ from the reference in d_ff alone, or in "
                  "the number of blocks alone. Density is the mean over "
                  "layers.\n\n");
  {
    std::vector<std::vector<std::string>> rows;
    auto add = [&](const std::vector<Runs>& group) {
      for (const Runs& v : group) {
        const ModelConfig& m = v[0]->config().model();
        const Spread ratio = Over(v, SparseFc2Share);
        rows.push_back({VariantName(v), absl::StrCat(m.d_ff()),
                        absl::StrCat(m.n_layers()), CostOf(v),
                        PctSpread(Over(v, HeldOutDensity)),
                        PctSpread(Over(v, TrainDensity)),
                        PctSpread(Over(v, Dead)), PctSpread(ratio)});
      }
    };
    add(f.width);
    std::vector<Runs> depth_only;
    for (const Runs& v : f.depth) {
      if (v != vit) depth_only.push_back(v);
    }
    add(depth_only);
    absl::StrAppend(&md,
                    MarkdownTable({"variant", "d_ff", "blocks", "test accuracy",
                                   "held-out density", "training density",
                                   "dead units", "MLP FLOPs left (fc2 sparse)"},
                                  rows),
                    "\n");
    DepthLayerTable(f, &md);
    for (const auto& [suffix, group, label, key] : std::vector<
             std::tuple<std::string, const std::vector<Runs>*, std::string,
                        std::function<double(const ModelConfig&)>>>{
             {"width", &f.width, "d_ff",
              [](const ModelConfig& m) { return m.d_ff(); }},
             {"depth", &f.depth, "blocks",
              [](const ModelConfig& m) { return m.n_layers(); }}}) {
      if (group->size() < 2) continue;
      LinePlot plot{
          absl::StrCat(suffix == "depth"
                           ? "ViT held-out density by layer position"
                           : "ViT held-out density (mean over layers)",
                       " against ", label),
          label, "token density / accuracy"};
      // Held-out density (training data lies on it: the table); for depth
      // also the first, middle and last layer that L4 compares.
      plot.series.push_back(
          GroupSeries(suffix == "depth" ? "mean over layers" : "held-out",
                      *group, key, HeldOutDensity));
      if (suffix == "depth") {
        plot.series.push_back(GroupSeries(
            "first layer", *group, key,
            [](const TrainingRecord& x) { return LayerDensity(x, 0); }));
        std::vector<Runs> with_middle;  // more than two blocks
        for (const Runs& v : *group) {
          if (v[0]->config().model().n_layers() > 2) with_middle.push_back(v);
        }
        if (!with_middle.empty()) {
          plot.series.push_back(
              GroupSeries("middle layers", with_middle, key, MiddleDensity));
        }
        plot.series.push_back(
            GroupSeries("last layer", *group, key, [](const TrainingRecord& x) {
              return LayerDensity(x, x.config().model().n_layers() - 1);
            }));
      }
      plot.series.push_back(GroupSeries(
          "test accuracy", *group, key,
          [](const TrainingRecord& x) { return Final(x).probe_accuracy(); }));
      plot.y_min = 0;
      plot.y_max = 1;
      plot.log_x = suffix == "width";
      plot.x_tic = suffix == "width" ? 2 : 1;  // log axis: a factor
      plot.x_min = plot.series[0].x.front();
      plot.x_max = plot.series[0].x.back();
      absl::StrAppend(
          &md, report.AddPlot(suffix, absl::StrCat("density vs ", label), plot),
          "\n\n");
    }
  }

  // ---- (c) ----
  if (!synthetic.empty()) {
    absl::StrAppend(
        &md, "## (c) Random labels, random inputs, infinite data\n\n",
        "ViTs identical to the reference but for their training stream "
        "(docs/method.md, \"Data\"): `RANDOM_LABELS` keeps the images and "
        "gives each a fixed random label; `RANDOM_INPUTS` replaces each "
        "image by a fixed image of Gaussian pixels, keeping its label; "
        "`INFINITE` draws fresh augmented images (shift, mirror, pixel "
        "noise) so that no sample repeats. Training density is measured on "
        "each run's own kind of data; held-out density on the real test "
        "images (for `RANDOM_INPUTS` these are unlike anything it was "
        "trained on).\n\n");
    std::vector<std::vector<std::string>> rows;
    std::vector<Runs> all = {vit};
    all.insert(all.end(), synthetic.begin(), synthetic.end());
    for (const Runs& v : all) {
      rows.push_back({VariantName(v),
                      PctSpread(Over(v,
                                     [](const TrainingRecord& x) {
                                       return Final(x).train_accuracy();
                                     })),
                      CostOf(v), Pct(Over(v, InitDensity).mean),
                      PctSpread(Over(v, TrainDensity)),
                      PctSpread(Over(v, HeldOutDensity))});
    }
    absl::StrAppend(&md,
                    MarkdownTable({"variant", "training accuracy", "test",
                                   "density at "
                                   "init",
                                   "final density (training data)",
                                   "final density (test images)"},
                                  rows),
                    "\n");
    LinePlot plot{"ViT density over training by training data (test probe)",
                  "step", "token density (mean over layers)"};
    for (const Runs& v : all) {
      std::vector<std::vector<double>> rows2;
      for (const TrainingRecord* x : v) {
        rows2.emplace_back();
        for (const Probe& p : x->probes()) {
          rows2.back().push_back(MeanTokenDensity(p.layers()));
        }
      }
      plot.series.push_back(BandSeries(
          absl::StrCat(v[0]->variant(), " (test acc ", ShortCost(v), ")"),
          ProbeSteps(*v[0]), rows2));
    }
    plot.y_min = 0;
    plot.y_max = 1;
    absl::StrAppend(
        &md, report.AddPlot("synthetic", "density with synthetic data", plot),
        "\n\n");
  }

  // ---- (d) ----
  absl::StrAppend(
      &md, "## (d) Per-unit firing frequency: dead or lazy?\n\n",
      absl::StrFormat(
          "A unit's firing frequency is the fraction of held-out probe "
          "tokens on which it is nonzero; dead units fire on none, rare "
          "ones on fewer than %s (this report's reading of [L]'s lazy "
          "neurons: live units firing less often than [L]'s few-percent "
          "density; docs/method.md). If sparsity were carried by dead "
          "units, the live units would fire often.\n\n",
          Pct(kRareFiring)));
  {
    std::vector<std::vector<std::string>> rows;
    std::vector<Runs> all = {vit, lm};
    all.insert(all.end(), synthetic.begin(), synthetic.end());
    for (const Runs& v : all) {
      rows.push_back(
          {VariantName(v), CostOf(v), PctSpread(Over(v, HeldOutDensity)),
           PctSpread(Over(v, Dead)), PctSpread(Over(v, Rare)),
           PctSpread(Over(v, DeadZeros)), PctSpread(Over(v, RareZeros)),
           PctSpread(Over(v, LiveDensity))});
    }
    absl::StrAppend(
        &md,
        MarkdownTable({"variant", "cost", "token density", "dead units",
                       absl::StrCat("rare units (<", Pct(kRareFiring), ")"),
                       "zeros from dead units", "zeros from rare live units",
                       "density of live units"},
                      rows),
        "\n");
    LinePlot plot{"Per-unit firing frequency, held-out (dead units not drawn)",
                  "firing frequency (log bins)", "fraction of units"};
    plot.log_x = true;
    for (const Runs& v : all) {
      std::vector<double> freq;
      for (const TrainingRecord* x : v) {
        for (const LayerSparsity& l : Final(*x).layers()) {
          freq.insert(freq.end(), l.firing_frequency().begin(),
                      l.firing_frequency().end());
        }
      }
      plot.series.push_back(HistogramSeries(
          absl::StrCat(v[0]->variant(), " (dead ", Pct(Over(v, Dead).mean),
                       ")"),
          freq, 30, 1e-4, 1, /*log_bins=*/true,
          static_cast<double>(std::max<size_t>(freq.size(), 1))));
    }
    // The threshold below which a live unit counts as rare (L6).
    double top = 0;
    for (const Series& series : plot.series) {
      for (double y : series.y) top = std::max(top, y);
    }
    plot.series.push_back(Series{absl::StrCat("rare below ", Pct(kRareFiring)),
                                 {kRareFiring, kRareFiring},
                                 {0, top}});
    absl::StrAppend(&md, report.AddPlot("firing", "firing histogram", plot),
                    "\n\n");
  }

  absl::StrAppend(&md, topk.section);

  // ---- (f) ----
  absl::StrAppend(
      &md, "## (f) MLP FLOPs per token from the measured density\n\n",
      "Dense: both MLP matrices over every unit, 4 d_model d_ff FLOPs per "
      "token and layer (a multiply-add is 2 FLOPs; biases and the "
      "activation left out). fc2 sparse: the first matrix dense (it decides "
      "which units fire), the second only over the nonzero units, 2 d_model "
      "d_ff (1 + density). Both sparse: both matrices over the nonzero units "
      "only, 4 d_model d_ff density — what a perfect predictor of the "
      "firing units would allow. Densities are each layer's held-out mean "
      "token density (metrics/flops.h).\n\n");
  {
    std::vector<std::vector<std::string>> rows;
    const std::pair<const char*, const Runs*> models[] = {{"ViT", &vit},
                                                          {"LM", &lm}};
    for (const auto& [name, runs] : models) {
      const ModelConfig& m = (*runs)[0]->config().model();
      for (int l = 0; l <= m.n_layers(); ++l) {
        const bool total = l == m.n_layers();
        auto flops = [l, total](std::function<double(const MlpFlops&)> f) {
          return [l, total, f](const TrainingRecord& x) {
            if (total) return f(RunFlops(x));
            const ModelConfig& mm = x.config().model();
            return f(MlpFlopsPerToken(mm.d_model(), mm.d_ff(),
                                      Final(x).layers(l).token_density_mean()));
          };
        };
        const Spread dense =
            Over(*runs, flops([](const MlpFlops& f) { return f.dense; }));
        const Spread fc2 =
            Over(*runs, flops([](const MlpFlops& f) { return f.sparse_fc2; }));
        const Spread both =
            Over(*runs, flops([](const MlpFlops& f) { return f.sparse_both; }));
        rows.push_back({name, total ? "**total**" : absl::StrCat(l),
                        FlopsNum(dense.mean),
                        absl::StrCat(FlopsNum(fc2.mean), " (",
                                     Pct(fc2.mean / dense.mean), ")"),
                        absl::StrCat(FlopsNum(both.mean), " (",
                                     Pct(both.mean / dense.mean), ")")});
      }
    }
    absl::StrAppend(
        &md,
        MarkdownTable({"model", "layer", "dense", "fc2 sparse", "both sparse"},
                      rows),
        "\n");
    if (f.width.size() >= 2) {
      LinePlot plot{"ViT MLP FLOPs per token (all layers) against d_ff", "d_ff",
                    "FLOPs per token"};
      plot.log_x = true;
      plot.log_y = true;
      plot.x_tic = 2;
      const auto key = [](const ModelConfig& m) { return m.d_ff(); };
      plot.series.push_back(GroupSeries(
          "dense", f.width, key,
          [](const TrainingRecord& x) { return RunFlops(x).dense; }));
      plot.series.push_back(GroupSeries(
          "fc2 sparse", f.width, key,
          [](const TrainingRecord& x) { return RunFlops(x).sparse_fc2; }));
      plot.series.push_back(GroupSeries(
          "both sparse", f.width, key,
          [](const TrainingRecord& x) { return RunFlops(x).sparse_both; }));
      plot.x_min = plot.series[0].x.front();
      plot.x_max = plot.series[0].x.back();
      absl::StrAppend(&md, report.AddPlot("flops", "FLOPs vs width", plot),
                      "\n\n");
    }
  }

  absl::StrAppend(&md, SweepHowMeasured(results.run(), results_file, r.runs(),
                                        "topk_thresholding"));
  return report;
}

namespace {

// The memorise preset's arms: the clean reference first, then by role.
std::vector<const TopkArm*> AllArms(const LazyFindings& f) {
  std::vector<const TopkArm*> arms = {&f.vit};
  for (const auto* group : {&f.topk, &f.noisy, &f.noisy_topk, &f.synthetic}) {
    for (const TopkArm& a : *group) arms.push_back(&a);
  }
  return arms;
}

void MemoriseSummary(const LazyFindings& f, std::string* md) {
  std::vector<std::string> fit;
  for (const TopkArm* a : AllArms(f)) {
    fit.push_back(absl::StrCat("`", a->name, "` ",
                               PctSpread(Over(a->runs, TrainAccuracy))));
  }
  absl::StrAppend(
      md, "## Summary\n\n",
      "- **Memorised?** Training accuracy on each run's own training labels "
      "(flipped or random where they are): ",
      absl::StrJoin(fit, "; "), ".\n");
  if (!f.l7.empty()) {
    absl::StrAppend(
        md,
        "- **L7, Top-k less hurt by memorised flipped labels?** Paired by "
        "seed: the Top-k model's test-accuracy drop from its clean-label "
        "twin minus ReLU's: ",
        SaidAll(f, f.l7), ".\n");
  }
  if (!f.l9.empty()) {
    absl::StrAppend(md,
                    "- **L9, Top-k better calibrated once the labels are "
                    "memorised?** ReLU's mean confidence minus accuracy on "
                    "the test images: ",
                    ReluOverconfidence(f),
                    ". ECE, Top-k minus ReLU: ", SaidAll(f, f.l9), ".\n");
  }
  if (!f.l2.empty()) {
    absl::StrAppend(
        md,
        "- **L2, as sparse on training as on held-out data, once the "
        "training images are memorised?** The clean ReLU model: ",
        PctSpread(Over(f.vit.runs, TrainDensity)), " on its training images, ",
        PctSpread(Over(f.vit.runs, HeldOutDensity)),
        " on the test images: ", SaidAll(f, f.l2), ".\n");
  }
  if (!f.l5.empty()) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < f.synthetic.size(); ++i) {
      const TopkArm& a = f.synthetic[i];
      parts.push_back(
          absl::StrCat("`", a.name, "` ", Pct(Over(a.runs, InitDensity).mean),
                       " → ", PctSpread(Over(a.runs, HeldOutDensity)), " (",
                       PctSpread(Over(a.runs, TrainDensity)),
                       " on its own training images; the clean ReLU model: ",
                       PctSpread(Over(f.vit.runs, HeldOutDensity)),
                       "): ", Said(f, f.l5[i])));
    }
    absl::StrAppend(md,
                    "- **L5, sparse after memorising random labels?** "
                    "Density on the test images, final against initial: ",
                    absl::StrJoin(parts, "; "), ".\n");
  }
  absl::StrAppend(md, "\n");
}

void MemoriseRunsTable(const LazyFindings& f, std::string* md) {
  std::vector<std::vector<std::string>> rows;
  for (const TopkArm* a : AllArms(f)) {
    rows.push_back({absl::StrCat("`", a->name, "` (", a->role, ")"),
                    PctSpread(Over(a->runs, TrainAccuracy)),
                    PctSpread(Over(a->runs, Accuracy)),
                    NumSpread(Over(a->runs, Ece), "%.3f"),
                    Pct(Over(a->runs, InitDensity).mean),
                    PctSpread(Over(a->runs, TrainDensity)),
                    PctSpread(Over(a->runs, HeldOutDensity))});
  }
  absl::StrAppend(
      md, "## The runs\n\n",
      MarkdownTable(
          {"variant (role)", "training accuracy (own labels)", "test accuracy",
           "ECE (test)", "density at init", "final density (training images)",
           "final density (test images)"},
          rows),
      "\n");
}

LinePlot MemoriseDensityPlot(const LazyFindings& f) {
  LinePlot plot{"Token density (mean over layers) on the test images", "step",
                "token density"};
  std::vector<const TopkArm*> arms = {&f.vit};
  for (const auto* group : {&f.noisy, &f.synthetic}) {
    for (const TopkArm& a : *group) arms.push_back(&a);
  }
  for (const TopkArm* a : arms) {
    std::vector<std::vector<double>> rows;
    for (const TrainingRecord* x : a->runs) {
      rows.emplace_back();
      for (const Probe& p : x->probes())
        rows.back().push_back(MeanTokenDensity(p.layers()));
    }
    Series s = BandSeries(a->name, ProbeSteps(*a->runs[0]), rows);
    s.points = true;
    plot.series.push_back(s);
  }
  plot.y_min = 0;
  plot.y_max = 1;
  return plot;
}

}  // namespace

Report TopkMemorisationReport(const Results& results,
                              const std::string& results_file) {
  const TopkThresholdingResults& r = results.topk_thresholding();
  Report report("topk_thresholding_memorise",
                "Lazy neurons at memorisation: Top-k against ReLU on "
                "flipped and random labels");
  const LazyFindings f = AnalyzeLazyNeurons(r);
  report.claims = f.claims;
  const TopkModelsSection topk = MakeTopkModelsSection(r, report);
  std::string& md = report.markdown;
  const TrainingRecord& run0 = *f.vit.runs[0];
  const int64_t examples = run0.data().train_examples();
  absl::StrAppend(
      &md, "# ", report.title, "\n\n",
      absl::StrFormat(
          "Experiment 5's memorise preset (docs/method.md, \"Lazy neurons / "
          "Top-k: the claims as tested\"; Li et al. 2023, [L]). [L]'s "
          "label-noise and calibration claims concern networks that have "
          "memorised their training labels (the default preset's report "
          "gives the training accuracy its ViTs reach). Here the same "
          "ViT trains on a fixed %d of the training images (the same for "
          "every run) for %d steps of %d (%.0f passes): ReLU and Top-k on "
          "clean labels and on flipped labels, and ReLU on random labels. "
          "Every number is a mean over seeds with the min–max in brackets; "
          "every verdict is a paired test over seeds, Holm-adjusted over "
          "this report's tests. The default preset's report: "
          "[topk_thresholding.md](topk_thresholding.md).\n\n",
          examples, run0.config().train().steps(),
          run0.config().data().batch_size(),
          static_cast<double>(run0.config().train().steps()) *
              run0.config().data().batch_size() /
              std::max<int64_t>(examples, 1)));
  MemoriseSummary(f, &md);
  absl::StrAppend(&md, "## Verdicts\n\n", VerdictTable(f.verdicts), "\n");
  MemoriseRunsTable(f, &md);
  absl::StrAppend(&md,
                  report.AddPlot("density", "density over training",
                                 MemoriseDensityPlot(f)),
                  "\n\n", topk.section,
                  SweepHowMeasured(results.run(), results_file, r.runs(),
                                   "topk_thresholding"));
  report.headline = absl::StrCat(
      examples, " training images; training accuracy on their own labels: ",
      "clean ReLU ", Pct(Over(f.vit.runs, TrainAccuracy).mean), ", flipped ",
      NoisyFit(f), "; ", Headline(f), ".");
  return report;
}

}  // namespace sparsity
