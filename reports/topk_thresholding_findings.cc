#include "reports/topk_thresholding_findings.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "metrics/flops.h"
#include "reports/layer_stats.h"

namespace sparsity {
namespace {

using RunValue = std::function<double(const TrainingRecord&)>;

// Per seed pair of (a, b): value(a) - value(b).
std::vector<double> Paired(const Runs& a, const Runs& b,
                           const RunValue& value) {
  const SeedPairs p = PairBySeeds(a, b);
  std::vector<double> d;
  for (size_t i = 0; i < p.a.size(); ++i) {
    d.push_back(value(*p.a[i]) - value(*p.b[i]));
  }
  return d;
}

// Per run: value(run) - offset.
std::vector<double> Shifted(const Runs& runs, const RunValue& value,
                            double offset) {
  std::vector<double> d;
  for (const TrainingRecord* r : runs) d.push_back(value(*r) - offset);
  return d;
}

Comparison Points(std::string id, std::string claim, Claimed claimed,
                  std::vector<double> differences, double margin = 0) {
  Comparison c{std::move(id), std::move(claim), claimed, std::move(differences),
               margin};
  c.scale = 100;
  c.unit = "points";
  return c;
}

// What limits a run's evidence: the model, the steps and the data seen.
std::string ScaleOf(const TrainingRecord& r) {
  const ModelConfig& m = r.config().model();
  const bool vit = m.family() == ModelConfig::VIT;
  std::string s =
      absl::StrFormat("%s, %d blocks, d_ff %d, %d steps",
                      vit ? "ViT on Fashion-MNIST" : "byte LM on Brown",
                      m.n_layers(), m.d_ff(), r.config().train().steps());
  const int64_t examples = r.data().train_examples();
  if (vit && examples > 0) {
    absl::StrAppend(
        &s, absl::StrFormat(" (%.3g passes over %d training images)",
                            static_cast<double>(r.config().train().steps()) *
                                r.config().data().batch_size() / examples,
                            examples));
  }
  return s;
}

// The comparisons of one report with the caveat of each scorecard row.
struct Family {
  std::vector<Comparison> comparisons;
  std::vector<std::string> caveats;
  void Add(Comparison c, std::string caveat, std::vector<std::string>* ids) {
    ids->push_back(c.id);
    comparisons.push_back(std::move(c));
    caveats.push_back(std::move(caveat));
  }
};

TopkArm ArmOf(const Runs& v) {
  const TrainingRecord& r = *v[0];
  return {r.variant(), r.role(), KOf(r), r.config().data().label_noise(), v};
}

void Classify(const std::vector<Runs>& variants, LazyFindings* f) {
  for (const Runs& v : variants) {
    const std::string& role = v[0]->role();
    if (role == "reference") f->vit = ArmOf(v);
    if (role == "lm_reference") f->lm = ArmOf(v);
    if (role == "width") f->width.push_back(v);
    if (role == "depth") f->depth.push_back(v);
    if (role == "random_labels" || role == "random_inputs" ||
        role == "infinite") {
      f->synthetic.push_back(ArmOf(v));
    }
    if (role == "topk") f->topk.push_back(ArmOf(v));
    if (role == "noisy") f->noisy.push_back(ArmOf(v));
    if (role == "noisy_topk") f->noisy_topk.push_back(ArmOf(v));
    if (role == "lm_topk") f->lm_topk.push_back(ArmOf(v));
  }
  f->memorise = f->lm.runs.empty();
  if (f->vit.runs.empty()) return;
  f->chance_classes = f->vit.runs[0]->config().model().num_classes();
  for (auto* group : {&f->width, &f->depth}) {
    if (!group->empty()) group->push_back(f->vit.runs);
  }
  auto by = [](int (ModelConfig::*field)() const) {
    return [field](const Runs& a, const Runs& b) {
      return (a[0]->config().model().*field)() <
             (b[0]->config().model().*field)();
    };
  };
  std::stable_sort(f->width.begin(), f->width.end(), by(&ModelConfig::d_ff));
  std::stable_sort(f->depth.begin(), f->depth.end(),
                   by(&ModelConfig::n_layers));
  auto by_k = [](const TopkArm& a, const TopkArm& b) {
    return std::make_pair(a.noise, a.k) < std::make_pair(b.noise, b.k);
  };
  for (auto* arms : {&f->topk, &f->noisy, &f->noisy_topk, &f->lm_topk}) {
    std::sort(arms->begin(), arms->end(), by_k);
  }
}

// The reference arms of the two families, each with its id stem.
std::vector<std::pair<const TopkArm*, std::string>> References(
    const LazyFindings& f) {
  std::vector<std::pair<const TopkArm*, std::string>> out;
  if (!f.vit.runs.empty()) out.push_back({&f.vit, "vit"});
  if (!f.lm.runs.empty()) out.push_back({&f.lm, "lm"});
  return out;
}

std::string FamilyName(const std::string& stem) {
  return stem == "vit" ? "ViT" : "LM";
}

// L1 and L2: the references' final densities.
void AddDensityClaims(LazyFindings* f, Family* family) {
  for (const auto& [arm, stem] : References(*f)) {
    const std::string scale = ScaleOf(*arm->runs[0]);
    if (!f->memorise) {
      // Still moving at the end? The change over the last probe interval.
      const Spread last_move = Over(arm->runs, [](const TrainingRecord& r) {
        const int n = r.probes_size();
        if (n < 2) return 0.0;
        return HeldOutDensity(r) - MeanTokenDensity(r.probes(n - 2).layers());
      });
      family->Add(
          Points(
              absl::StrCat("L1.", stem),
              absl::StrCat(FamilyName(stem), ": held-out token density - 10%"),
              Claimed::kNegative,
              Shifted(arm->runs, HeldOutDensity, kFewNonzero)),
          absl::StrFormat("%s; the density moved %+.1f points over the last "
                          "probe interval: not a plateau",
                          scale, 100 * last_move.mean),
          &f->l1);
    }
    std::vector<double> gap;
    for (const TrainingRecord* r : arm->runs) {
      gap.push_back(HeldOutDensity(*r) - TrainDensity(*r));
    }
    family->Add(
        Points(absl::StrCat("L2.", stem),
               absl::StrCat(FamilyName(stem),
                            ": held-out - training density (equal "
                            "within 1 point)"),
               Claimed::kEquivalent, gap, kSameDensityMargin),
        absl::StrCat(scale, "; training accuracy ",
                     Pct(Over(arm->runs, TrainAccuracy).mean), ", held-out ",
                     Pct(Over(arm->runs, Accuracy).mean)),
        &f->l2);
  }
}

// L3: widest against narrowest. L4: deepest against shallowest at the first
// and the last layer, and the middle layers against the shallowest model
// that has any (the mean over layers is not tested: see method.md).
void AddSizeClaims(LazyFindings* f, Family* family) {
  if (f->width.size() >= 2) {
    const Runs& narrow = f->width.front();
    const Runs& wide = f->width.back();
    family->Add(
        Points("L3",
               absl::StrFormat("held-out density, d_ff %d - d_ff %d",
                               wide[0]->config().model().d_ff(),
                               narrow[0]->config().model().d_ff()),
               Claimed::kNegative, Paired(wide, narrow, HeldOutDensity)),
        absl::StrCat(ScaleOf(*f->vit.runs[0]), "; test accuracy ",
                     Pct(Over(narrow, Accuracy).mean), " (d_ff ",
                     narrow[0]->config().model().d_ff(), ") against ",
                     Pct(Over(wide, Accuracy).mean), " (d_ff ",
                     wide[0]->config().model().d_ff(),
                     "): the same steps fit them differently"),
        &f->l3);
  }
  if (f->depth.size() < 2) return;
  const Runs& shallow = f->depth.front();
  const Runs& deep = f->depth.back();
  const int ls = shallow[0]->config().model().n_layers();
  const int ld = deep[0]->config().model().n_layers();
  const std::string sizes = absl::StrFormat("%d blocks - %d blocks", ld, ls);
  const std::string caveat = ScaleOf(*f->vit.runs[0]);
  family->Add(
      Points(
          "L4.first", absl::StrCat("first layer's held-out density, ", sizes),
          Claimed::kNegative,
          Paired(deep, shallow,
                 [](const TrainingRecord& r) { return LayerDensity(r, 0); })),
      caveat, &f->l4);
  family->Add(
      Points("L4.last", absl::StrCat("last layer's held-out density, ", sizes),
             Claimed::kNegative,
             Paired(deep, shallow,
                    [](const TrainingRecord& r) {
                      return LayerDensity(r, r.config().model().n_layers() - 1);
                    })),
      caveat, &f->l4);
  // The middle layers: the deepest against the shallowest model that has
  // any (the mean over layers would count layers one of them lacks).
  const Runs* middle = nullptr;
  for (const Runs& v : f->depth) {
    if (v[0]->config().model().n_layers() > 2 && v != deep) {
      middle = &v;
      break;
    }
  }
  if (middle == nullptr) return;
  family->Add(
      Points("L4.middle",
             absl::StrFormat("middle layers' held-out density (mean of "
                             "layers 1 to n-2), %d blocks - %d blocks",
                             ld, (*middle)[0]->config().model().n_layers()),
             Claimed::kNegative, Paired(deep, *middle, MiddleDensity)),
      caveat, &f->l4);
}

// L5: each synthetic stream's final held-out density against its own
// held-out density at initialisation (does training sparsify it at all).
// Its level against the reference is shown by the report, not tested.
void AddSyntheticClaims(LazyFindings* f, Family* family) {
  for (const TopkArm& a : f->synthetic) {
    std::vector<double> drop;
    for (const TrainingRecord* r : a.runs) {
      drop.push_back(HeldOutDensity(*r) - InitDensity(*r));
    }
    f->synthetic_vs_reference.push_back(
        SpreadOf(Paired(a.runs, f->vit.runs, HeldOutDensity)));
    const Spread fit = Over(a.runs, TrainAccuracy);
    const bool fitted = fit.mean >= 2.0 / f->chance_classes;
    family->Add(
        Points(absl::StrCat("L5.", a.name),
               absl::StrCat("training sparsifies `", a.name,
                            "`: density on the test images, final - "
                            "initial"),
               Claimed::kNegative, drop),
        absl::StrCat(ScaleOf(*a.runs[0]), "; training accuracy ", Pct(fit.mean),
                     fitted ? "" : ": sparsity without fitting (chance is ",
                     fitted ? "" : Pct(1.0 / f->chance_classes),
                     fitted ? "" : ")"),
        &f->l5);
  }
}

// L6: per family, the share of zero entries from dead units (claimed below
// half) and from live units that fire rarely (claimed above half).
void AddLazyClaims(LazyFindings* f, Family* family) {
  for (const auto& [arm, stem] : References(*f)) {
    const std::string caveat = absl::StrCat(
        ScaleOf(*arm->runs[0]),
        "; firing on the held-out probe; at a mean density of ",
        Pct(Over(arm->runs, HeldOutDensity).mean),
        " most units must fire more often than the rare threshold (L1)");
    family->Add(
        Points(
            absl::StrCat("L6.", stem, ".dead"),
            absl::StrCat(FamilyName(stem),
                         ": share of zero entries from dead units - 50%"),
            Claimed::kNegative,
            Shifted(
                arm->runs,
                [](const TrainingRecord& r) { return SharesOf(r).dead_zeros; },
                kMostZeros)),
        caveat, &f->l6);
    family->Add(
        Points(
            absl::StrCat("L6.", stem, ".rare"),
            absl::StrCat(FamilyName(stem),
                         ": share of zero entries from live units firing "
                         "on < ",
                         Pct(kRareFiring),
                         " of tokens (this project's reading of 'lazy') - "
                         "50%"),
            Claimed::kPositive,
            Shifted(
                arm->runs,
                [](const TrainingRecord& r) { return SharesOf(r).rare_zeros; },
                kMostZeros)),
        caveat, &f->l6);
  }
}

const TopkArm* FindArm(const std::vector<TopkArm>& arms, int k, double noise) {
  for (const TopkArm& a : arms) {
    if (a.k == k && a.noise == noise) return &a;
  }
  return nullptr;
}

// The caveat of every row whose k was chosen from earlier runs.
constexpr char kKChosen[] =
    "; k was chosen after an earlier sweep on the same first seeds "
    "(docs/method.md)";

// L7: per seed, the Top-k model's drop from its own clean twin minus the
// ReLU model's drop from the clean reference (test accuracy).
void AddLabelNoiseClaims(LazyFindings* f, Family* family) {
  for (const TopkArm& noisy_k : f->noisy_topk) {
    const TopkArm* clean_k = FindArm(f->topk, noisy_k.k, 0);
    const TopkArm* noisy_relu = FindArm(f->noisy, 0, noisy_k.noise);
    if (clean_k == nullptr || noisy_relu == nullptr) continue;
    std::vector<double> d;
    for (const TrainingRecord* relu : f->vit.runs) {
      const TrainingRecord* a = WithSameSeeds(clean_k->runs, *relu);
      const TrainingRecord* b = WithSameSeeds(noisy_k.runs, *relu);
      const TrainingRecord* c = WithSameSeeds(noisy_relu->runs, *relu);
      if (a == nullptr || b == nullptr || c == nullptr) continue;
      const double topk_drop = Accuracy(*a) - Accuracy(*b);
      const double relu_drop = Accuracy(*relu) - Accuracy(*c);
      d.push_back(topk_drop - relu_drop);
    }
    const Spread fit = Over(noisy_relu->runs, TrainAccuracy);
    const Spread fit_k = Over(noisy_k.runs, TrainAccuracy);
    family->Add(
        Points(absl::StrFormat("L7.top%d.noise%.0f", noisy_k.k,
                               100 * noisy_k.noise),
               absl::StrFormat("%s: test-accuracy drop from its clean twin "
                               "- ReLU's, %s flipped",
                               noisy_k.Label(), Pct(noisy_k.noise)),
               Claimed::kNegative, d),
        absl::StrCat(ScaleOf(*noisy_k.runs[0]),
                     "; training accuracy on the flipped labels: ReLU ",
                     Pct(fit.mean), ", ", noisy_k.Label(), " ", Pct(fit_k.mean),
                     kKChosen),
        &f->l7);
  }
}

// L8: corrupted/clean accuracy (same images), Top-k - ReLU.
void AddCorruptionClaims(LazyFindings* f, Family* family) {
  if (f->vit.runs.empty() || f->vit.runs[0]->corruptions_size() == 0) return;
  for (const TopkArm& a : f->topk) {
    if (a.runs[0]->corruptions_size() == 0) continue;
    family->Add(Points(absl::StrCat("L8.top", a.k),
                       absl::StrCat(a.Label(),
                                    ": corrupted / clean accuracy (severities "
                                    "1-5) - ReLU's"),
                       Claimed::kPositive,
                       Paired(a.runs, f->vit.runs, CorruptedOverClean)),
                absl::StrCat(ScaleOf(*a.runs[0]), "; ",
                             a.runs[0]->corruptions(0).examples(),
                             " test images, four corruptions", kKChosen),
                &f->l8);
  }
}

// L9: ECE, Top-k - ReLU, where the ReLU arm is overconfident on average
// over seeds (kOverconfident).
void AddCalibrationRow(const TopkArm& topk, const TopkArm& relu,
                       const std::string& stem, LazyFindings* f,
                       Family* family) {
  Comparison c{absl::StrCat("L9.", stem), "", Claimed::kNegative,
               Paired(topk.runs, relu.runs, Ece)};
  c.unit = "ECE";
  c.claim = absl::StrCat(topk.Label(), " ECE - ReLU's",
                         topk.noise > 0
                             ? absl::StrCat(", ", Pct(topk.noise), " flipped")
                             : std::string(),
                         stem.rfind("lm", 0) == 0 ? " (LM)" : "");
  const Spread gap = Over(relu.runs, Overconfidence);
  if (gap.max < 0) {  // every seed
    c.not_testable = absl::StrFormat(
        "ReLU is underconfident in every seed: its mean confidence is below "
        "its accuracy by %.3f to %.3f (ECE %.3f), not [L]'s overconfident "
        "case",
        -gap.max, -gap.min, Over(relu.runs, Ece).mean);
  } else if (gap.mean < kOverconfident) {
    c.not_testable = absl::StrFormat(
        "ReLU is not overconfident: its mean confidence exceeds its "
        "accuracy by %.3f on average over seeds (at most %.3f; ECE %.3f), "
        "below %.2f",
        gap.mean, gap.max, Over(relu.runs, Ece).mean, kOverconfident);
  }
  family->Add(
      c,
      absl::StrCat(ScaleOf(*topk.runs[0]), "; ReLU test accuracy ",
                   Pct(Over(relu.runs, Accuracy).mean), ", training accuracy ",
                   Pct(Over(relu.runs, TrainAccuracy).mean)),
      &f->l9);
}

void AddCalibrationClaims(LazyFindings* f, Family* family) {
  for (const TopkArm& a : f->topk) {
    AddCalibrationRow(a, f->vit, absl::StrCat("top", a.k), f, family);
  }
  for (const TopkArm& a : f->noisy_topk) {
    const TopkArm* relu = FindArm(f->noisy, 0, a.noise);
    if (relu == nullptr) continue;
    AddCalibrationRow(a, *relu,
                      absl::StrFormat("top%d.noise%.0f", a.k, 100 * a.noise), f,
                      family);
  }
  for (const TopkArm& a : f->lm_topk) {
    AddCalibrationRow(a, f->lm, absl::StrCat("lm.top", a.k), f, family);
  }
}

// L10: the FLOPs left are (1 + density) / 2 of dense by construction.
void AddFlopsClaims(LazyFindings* f, Family* family) {
  for (const auto& [arm, stem] : References(*f)) {
    Comparison c =
        Points(absl::StrCat("L10.", stem),
               absl::StrCat(FamilyName(stem),
                            ": MLP FLOPs left with fc2 sparse - dense"),
               Claimed::kNegative, Shifted(arm->runs, SparseFc2Share, 1));
    c.not_testable =
        "the share is (1 + density) / 2 by construction, L1's density "
        "again; no sparse kernel is timed here";
    family->Add(c, ScaleOf(*arm->runs[0]), &f->l10);
  }
}

std::vector<ClaimRow> ClaimRows(const LazyFindings& f, const Family& family) {
  std::vector<ClaimRow> rows;
  for (size_t i = 0; i < family.comparisons.size(); ++i) {
    const Comparison& c = family.comparisons[i];
    rows.push_back({c.id.substr(0, c.id.find('.')),
                    absl::StrCat(f.memorise ? "memorised: " : "", c.claim),
                    FindResult(f.verdicts, c.id), family.caveats[i]});
  }
  return rows;
}

}  // namespace

double HeldOutDensity(const TrainingRecord& r) {
  return MeanTokenDensity(FinalProbe(r).layers());
}
double TrainDensity(const TrainingRecord& r) {
  return MeanTokenDensity(FinalProbe(r).train_layers());
}
double InitDensity(const TrainingRecord& r) {
  return MeanTokenDensity(r.probes(0).layers());
}
double LayerDensity(const TrainingRecord& r, int layer) {
  return FinalProbe(r).layers(layer).token_density_mean();
}
double Accuracy(const TrainingRecord& r) { return r.calibration().accuracy(); }
double Ece(const TrainingRecord& r) { return r.calibration().ece(); }
double TrainAccuracy(const TrainingRecord& r) {
  return FinalProbe(r).train_accuracy();
}
double MiddleDensity(const TrainingRecord& r) {
  const int n = r.config().model().n_layers();
  double sum = 0;
  for (int l = 1; l + 1 < n; ++l) sum += LayerDensity(r, l);
  return n > 2 ? sum / (n - 2) : 0.0;
}
double Overconfidence(const TrainingRecord& r) {
  double n = 0, gap = 0;
  for (const ReliabilityBin& b : r.calibration().bins()) {
    n += b.count();
    gap += b.count() * (b.confidence() - b.accuracy());
  }
  return n > 0 ? gap / n : 0;
}

UnitShares SharesOf(const TrainingRecord& r) {
  double units = 0, dead = 0, rare = 0, zeros = 0, rare_zeros = 0, fired = 0;
  for (const LayerSparsity& l : FinalProbe(r).layers()) {
    for (float frequency : l.firing_frequency()) {
      units += 1;
      zeros += 1 - frequency;
      fired += frequency;
      if (frequency == 0) {
        dead += 1;
      } else if (frequency < kRareFiring) {
        rare += 1;
        rare_zeros += 1 - frequency;
      }
    }
  }
  UnitShares s;
  if (units == 0) return s;
  s.dead = dead / units;
  s.rare = rare / units;
  s.dead_zeros = zeros > 0 ? dead / zeros : 0;
  s.rare_zeros = zeros > 0 ? rare_zeros / zeros : 0;
  s.live_density = units > dead ? fired / (units - dead) : 0;
  return s;
}

double CorruptedAccuracy(const TrainingRecord& r, int lo, int hi,
                         const std::string& corruption) {
  double sum = 0;
  int n = 0;
  for (const CorruptionAccuracy& c : r.corruptions()) {
    if (c.severity() < lo || c.severity() > hi) continue;
    if (!corruption.empty() && c.corruption() != corruption) continue;
    sum += c.accuracy();
    ++n;
  }
  return n > 0 ? sum / n : 0;
}

double CorruptedOverClean(const TrainingRecord& r) {
  const double clean = CorruptedAccuracy(r, 0, 0);
  return clean > 0 ? CorruptedAccuracy(r, 1, kSeverities) / clean : 0;
}

int KOf(const TrainingRecord& r) {
  const MlpConfig& m = r.config().model().mlp();
  return m.activation() == MlpConfig::TOPK_RELU ? m.topk() : 0;
}

MlpFlops RunFlops(const TrainingRecord& r) {
  MlpFlops total;
  const ModelConfig& m = r.config().model();
  for (const LayerSparsity& l : FinalProbe(r).layers()) {
    const MlpFlops f =
        MlpFlopsPerToken(m.d_model(), m.d_ff(), l.token_density_mean());
    total.dense += f.dense;
    total.sparse_fc2 += f.sparse_fc2;
    total.sparse_both += f.sparse_both;
  }
  return total;
}

double SparseFc2Share(const TrainingRecord& r) {
  const MlpFlops f = RunFlops(r);
  return f.dense > 0 ? f.sparse_fc2 / f.dense : 0;
}

std::string TopkArm::Label() const {
  return k == 0 ? std::string("ReLU") : absl::StrCat("Top-", k);
}

LazyFindings AnalyzeLazyNeurons(const TopkThresholdingResults& results) {
  LazyFindings f;
  Classify(ByVariant(results.runs()), &f);
  if (f.vit.runs.empty()) return f;
  Family family;
  AddDensityClaims(&f, &family);
  if (!f.memorise) AddSizeClaims(&f, &family);
  AddSyntheticClaims(&f, &family);
  if (!f.memorise) AddLazyClaims(&f, &family);
  AddLabelNoiseClaims(&f, &family);
  AddCorruptionClaims(&f, &family);
  AddCalibrationClaims(&f, &family);
  if (!f.memorise) AddFlopsClaims(&f, &family);
  f.verdicts = Decide(family.comparisons);
  f.claims = ClaimRows(f, family);
  return f;
}

}  // namespace sparsity
