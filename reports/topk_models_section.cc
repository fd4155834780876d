#include "reports/topk_models_section.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/topk_thresholding_findings.h"

namespace sparsity {
namespace {

// One model of the comparison: a variant, its k (0: plain ReLU) and the
// fraction of its training labels flipped.
struct Model {
  int k = 0;
  double noise = 0;
  Runs runs;
  std::string Label() const {
    return k == 0 ? std::string("ReLU") : absl::StrCat("Top-", k);
  }
};

struct Models {
  std::vector<Model> vit;  // clean labels: ReLU first, then k rising
  std::vector<Model> lm;
  std::map<double, std::vector<Model>> noisy;  // by fraction flipped, > 0
};

// By declared role (docs/method.md, "Lazy neurons / Top-k: the claims as
// tested"): the ViT reference and "topk" on clean labels, "noisy" and
// "noisy_topk" by the fraction flipped, "lm_reference" and "lm_topk".
Models Classify(const TopkThresholdingResults& r) {
  Models m;
  for (const Runs& v : ByVariant(r.runs())) {
    const TrainingRecord& first = *v[0];
    const Model model{KOf(first), first.config().data().label_noise(), v};
    const std::string& role = first.role();
    if (role == "reference" || role == "topk") m.vit.push_back(model);
    if (role == "noisy" || role == "noisy_topk") {
      m.noisy[model.noise].push_back(model);
    }
    if (role == "lm_reference" || role == "lm_topk") m.lm.push_back(model);
  }
  auto by_k = [](const Model& a, const Model& b) { return a.k < b.k; };
  std::sort(m.vit.begin(), m.vit.end(), by_k);
  std::sort(m.lm.begin(), m.lm.end(), by_k);
  for (auto& [noise, models] : m.noisy) {
    std::sort(models.begin(), models.end(), by_k);
  }
  return m;
}

double Nll(const TrainingRecord& r) { return r.calibration().nll(); }
double Corrupted(const TrainingRecord& r) {
  return CorruptedAccuracy(r, 1, kSeverities);
}

// The reliability diagram of a model's runs pooled over seeds: per bin, the
// accuracy against the mean confidence of its examples (empty bins left
// out).
Series Reliability(const Model& m) {
  Series s;
  s.title = m.Label();
  s.points = true;
  const int bins = m.runs[0]->calibration().bins_size();
  for (int b = 0; b < bins; ++b) {
    double count = 0, correct = 0, confidence = 0;
    for (const TrainingRecord* r : m.runs) {
      const ReliabilityBin& bin = r->calibration().bins(b);
      count += bin.count();
      correct += bin.count() * bin.accuracy();
      confidence += bin.count() * bin.confidence();
    }
    if (count == 0) continue;
    s.x.push_back(confidence / count);
    s.y.push_back(correct / count);
  }
  return s;
}

LinePlot ReliabilityPlot(const std::string& title,
                         const std::vector<Model>& models) {
  LinePlot plot{title, "confidence (mean of the bin)", "accuracy"};
  Series diagonal{"perfectly calibrated", {0, 1}, {0, 1}};
  plot.series.push_back(diagonal);
  for (const Model& m : models) plot.series.push_back(Reliability(m));
  plot.x_min = 0;
  plot.x_max = 1;
  plot.y_min = 0;
  plot.y_max = 1;
  return plot;
}

std::string ModelName(const Model& m) {
  return absl::StrCat(m.Label(), " (`", m.runs[0]->variant(), "`)");
}

}  // namespace

TopkModelsSection MakeTopkModelsSection(const TopkThresholdingResults& r,
                                        Report& report) {
  TopkModelsSection out;
  const Models m = Classify(r);
  auto has_topk = [](const std::vector<Model>& v) {
    return v.size() >= 2 && v[0].k == 0;
  };
  if (!has_topk(m.vit) && !has_topk(m.lm)) return out;
  std::string& md = out.section;
  absl::StrAppend(
      &md, "## (e) Top-k models against plain ReLU\n\n",
      "[L] report that keeping only the k largest MLP activations per token "
      "(Top-k ReLU, small k) makes a transformer (1) less sensitive to noisy "
      "training labels, (2) more robust to input corruptions and (3) better "
      "calibrated. Here each Top-k model is trained from scratch with the "
      "same settings and seeds as its ReLU reference (kernels/topk_relu.h; "
      "ties at the k-th value keep the lower index; how k was chosen: "
      "docs/method.md). The verdicts are the paired tests of the Verdicts "
      "table. Calibration is measured on the whole probe (",
      m.lm.empty() ? "the test images"
                   : "ViT: the test images; LM: every held-out byte",
      ") with 15 equal-width confidence bins (docs/method.md, "
      "\"Calibration\").\n\n");

  // ---- ViT: clean labels ----
  if (has_topk(m.vit)) {
    const Model& relu = m.vit[0];
    const bool corrupted = relu.runs[0]->corruptions_size() > 0;
    std::vector<std::vector<std::string>> rows;
    for (const Model& x : m.vit) {
      const bool c = x.runs[0]->corruptions_size() > 0;
      rows.push_back({ModelName(x), PctSpread(Over(x.runs, HeldOutDensity)),
                      PctSpread(Over(x.runs, Accuracy)),
                      NumSpread(Over(x.runs, Nll), "%.3f"),
                      NumSpread(Over(x.runs, Ece), "%.4f"),
                      c ? PctSpread(Over(x.runs, Corrupted)) : "not measured",
                      c ? PctSpread(Over(x.runs, CorruptedOverClean)) : "–"});
    }
    absl::StrAppend(
        &md, "### ViT (Fashion-MNIST)\n\n",
        MarkdownTable({"model", "token density", "test accuracy", "NLL (nats)",
                       "ECE", "corrupted accuracy (severities 1–5)",
                       "corrupted / clean (same images)"},
                      rows),
        "\n");
    absl::StrAppend(
        &md,
        report.AddPlot("reliability", "ViT reliability diagram",
                       ReliabilityPlot("ViT reliability diagram (test images, "
                                       "bins pooled over seeds)",
                                       m.vit)),
        "\n\n");
    if (corrupted) {
      // Per corruption, mean over severities 1-5.
      std::vector<std::string> names;
      for (const CorruptionAccuracy& c : relu.runs[0]->corruptions()) {
        if (std::find(names.begin(), names.end(), c.corruption()) ==
            names.end()) {
          names.push_back(c.corruption());
        }
      }
      std::vector<std::vector<std::string>> crow;
      for (const Model& x : m.vit) {
        if (x.runs[0]->corruptions_size() == 0) continue;
        std::vector<std::string> row = {ModelName(x)};
        for (const std::string& name : names) {
          row.push_back(PctSpread(Over(x.runs, [&](const TrainingRecord& t) {
            return CorruptedAccuracy(t, 1, kSeverities, name);
          })));
        }
        crow.push_back(row);
      }
      std::vector<std::string> header = {"model"};
      for (const std::string& n : names) header.push_back(n);
      absl::StrAppend(
          &md,
          "Accuracy per corruption, mean over severities 1–5 (the "
          "parameters of each severity: docs/method.md, \"Corruptions\"):\n\n",
          MarkdownTable(header, crow), "\n");
      LinePlot plot{"ViT accuracy under corruption (mean of the four)",
                    "severity", "test accuracy"};
      std::vector<double> sev;
      for (int s = 0; s <= kSeverities; ++s) sev.push_back(s);
      for (const Model& x : m.vit) {
        if (x.runs[0]->corruptions_size() == 0) continue;
        std::vector<std::vector<double>> values;
        for (const TrainingRecord* t : x.runs) {
          values.emplace_back();
          for (int s = 0; s <= kSeverities; ++s) {
            values.back().push_back(CorruptedAccuracy(*t, s, s));
          }
        }
        Series series = BandSeries(x.Label(), sev, values);
        series.points = true;
        plot.series.push_back(series);
      }
      plot.x_tic = 1;
      absl::StrAppend(
          &md, report.AddPlot("corruptions", "accuracy vs severity", plot),
          "\n\n");
    }
  }

  // ---- ViT: flipped labels ----
  if (has_topk(m.vit) && !m.noisy.empty()) {
    // Models present at every noise level, by k.
    std::vector<int> ks;
    for (const Model& x : m.vit) {
      bool everywhere = true;
      for (const auto& [noise, models] : m.noisy) {
        everywhere = everywhere &&
                     std::any_of(models.begin(), models.end(),
                                 [&](const Model& y) { return y.k == x.k; });
      }
      if (everywhere) ks.push_back(x.k);
    }
    auto find = [](const std::vector<Model>& v, int k) -> const Model* {
      for (const Model& x : v) {
        if (x.k == k) return &x;
      }
      return nullptr;
    };
    std::vector<std::string> header = {"model", "clean labels"};
    for (const auto& [noise, models] : m.noisy) {
      header.push_back(absl::StrCat(Pct(noise), " flipped"));
    }
    std::vector<std::vector<std::string>> rows;
    LinePlot plot{
        "ViT test accuracy after training on flipped labels "
        "(one point a seed, models side by side)",
        "fraction of training labels flipped", "test accuracy"};
    for (size_t order = 0; order < ks.size(); ++order) {
      const int k = ks[order];
      const Model* clean = find(m.vit, k);
      // The row names the clean model and its flipped-label twins.
      std::string name = ModelName(*clean);
      for (const auto& [noise, models] : m.noisy) {
        const Model* twin = find(models, k);
        if (twin != nullptr) {
          name = absl::StrCat(name, ", `", twin->runs[0]->variant(), "`");
        }
      }
      std::vector<std::string> row = {name,
                                      PctSpread(Over(clean->runs, Accuracy))};
      std::vector<double> x = {0};
      std::vector<std::vector<double>> values(clean->runs.size());
      for (size_t i = 0; i < clean->runs.size(); ++i) {
        values[i].push_back(Accuracy(*clean->runs[i]));
      }
      for (const auto& [noise, models] : m.noisy) {
        const Model* noisy = find(models, k);
        row.push_back(PctSpread(Over(noisy->runs, Accuracy)));
        x.push_back(noise);
        for (size_t i = 0; i < values.size(); ++i) {
          const TrainingRecord* twin =
              WithSameSeeds(noisy->runs, *clean->runs[i]);
          if (twin != nullptr) values[i].push_back(Accuracy(*twin));
        }
      }
      rows.push_back(row);
      // One point per seed and fraction: only these fractions were
      // measured, so no line joins them; each model's points sit a little
      // to the side of the fraction so that they do not hide each other.
      Series s;
      s.title = clean->Label();
      s.scatter = true;
      for (const auto& v : values) {
        for (size_t j = 0; j < v.size() && j < x.size(); ++j) {
          s.x.push_back(x[j] + 0.01 * order);
          s.y.push_back(v[j]);
        }
      }
      if (!s.x.empty()) plot.series.push_back(s);
    }
    absl::StrAppend(
        &md, "### ViT trained on flipped labels\n\n",
        "Test accuracy (true labels) of ViTs trained with a fraction of their "
        "training labels flipped to another class (data.label_noise; the "
        "same flips for every model of a seed):\n\n",
        MarkdownTable(header, rows), "\n");
    if (!plot.series.empty()) {
      absl::StrAppend(&md,
                      report.AddPlot("label_noise", "accuracy vs noise", plot),
                      "\n\n");
    }
    // Calibration of the models trained at the largest fraction flipped.
    const auto& [noise, noisy_models] = *m.noisy.rbegin();
    absl::StrAppend(
        &md,
        report.AddPlot("noisy_reliability",
                       "reliability diagram, flipped labels",
                       ReliabilityPlot(
                           absl::StrCat("ViT reliability diagram, ", Pct(noise),
                                        " of labels flipped (test images, "
                                        "bins pooled over seeds)"),
                           noisy_models)),
        "\n\n");
  }

  // ---- LM ----
  if (has_topk(m.lm)) {
    std::vector<std::vector<std::string>> rows;
    for (const Model& x : m.lm) {
      rows.push_back({ModelName(x), PctSpread(Over(x.runs, HeldOutDensity)),
                      NumSpread(Over(x.runs, Nll), "%.3f"),
                      PctSpread(Over(x.runs, Accuracy)),
                      NumSpread(Over(x.runs, Ece), "%.4f")});
    }
    absl::StrAppend(
        &md, "### LM (bytes of Brown)\n\n",
        "Held-out loss is the NLL of every held-out next byte; calibration is "
        "over the same predictions.\n\n",
        MarkdownTable({"model", "token density", "held-out loss (nats/byte)",
                       "next-byte accuracy", "ECE"},
                      rows),
        "\n",
        report.AddPlot("lm_reliability", "LM reliability diagram",
                       ReliabilityPlot("LM reliability diagram (held-out "
                                       "bytes, bins pooled over seeds)",
                                       m.lm)),
        "\n\n");
  }

  // ---- Density: does the cap bind? ----
  {
    std::vector<std::string> words;
    for (const std::vector<Model>* family : {&m.vit, &m.lm}) {
      if (!has_topk(*family)) continue;
      const Model& relu = (*family)[0];
      const int d_ff = relu.runs[0]->config().model().d_ff();
      const Spread relu_density = Over(relu.runs, HeldOutDensity);
      for (size_t i = 1; i < family->size(); ++i) {
        const Model& x = (*family)[i];
        const double cap = static_cast<double>(x.k) / d_ff;
        words.push_back(absl::StrFormat(
            "%s %s: k / d_ff = %s, measured %s (ReLU %s) — %s",
            family == &m.vit ? "ViT" : "LM", x.Label(), Pct(cap),
            PctSpread(Over(x.runs, HeldOutDensity)), PctSpread(relu_density),
            relu_density.max <= cap
                ? "ReLU is already below the cap, which leaves little to cut"
                : "the cap binds: ReLU fires on more units"));
      }
    }
    absl::StrAppend(&md,
                    "Token density of the Top-k models against their cap: ",
                    absl::StrJoin(words, "; "), ".\n\n");
  }
  return out;
}

}  // namespace sparsity
