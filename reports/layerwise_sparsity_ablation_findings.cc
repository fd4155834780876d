#include "reports/layerwise_sparsity_ablation_findings.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "reports/layer_stats.h"
#include "reports/layerwise_sparsity_findings.h"

namespace sparsity {
namespace {

std::string Description(const LayerwiseSparsityResults& r,
                        const std::string& name) {
  for (const Variant& v : r.config().sweep().variants()) {
    if (v.name() == name) return v.description();
  }
  return "";
}

std::vector<double> HeldoutLoss(const Runs& runs) {
  std::vector<double> v;
  for (const TrainingRecord* r : runs) {
    v.push_back(FinalProbe(*r).probe_loss());
  }
  return v;
}

AblationVariant VariantOf(const LayerwiseSparsityResults& r, const Runs& runs) {
  AblationVariant v;
  const TrainingRecord& first = *runs[0];
  v.runs = runs;
  v.name = first.variant();
  v.role = first.role();
  v.description = Description(r, v.name);
  v.steps = static_cast<int>(first.config().train().steps());
  v.words = first.config().data().tokenizer() == DataConfig::WORDS;
  v.heldout = SpreadOf(HeldoutLoss(runs));
  v.last_layer = first.probes(0).layers_size() - 1;
  auto at = [&](int layer, const LayerValue& value) {
    return SpreadOf(PerRun(runs, -1, layer, value));
  };
  v.bu0 = at(0, BatchUnion);
  v.bu_last = at(v.last_layer, BatchUnion);
  v.wu0 = at(0, WindowUnion);
  v.wu_last = at(v.last_layer, WindowUnion);
  v.td0 = at(0, TokenDensity);
  v.td_last = at(v.last_layer, TokenDensity);
  v.rare0 = at(0, RareUnits);
  for (const TrainingRecord* run : runs) {
    v.lowest_window_layer.push_back(
        LowestIndices(FinalProfile(*run, WindowUnion)));
  }
  return v;
}

// Variant against the reference on one layer-0 measure, paired by seed.
Comparison AgainstReference(const AblationVariant& v,
                            const AblationVariant& ref, const char* measure,
                            const std::string& what, Claimed claimed,
                            const LayerValue& value) {
  const SeedPairs p = PairBySeeds(v.runs, ref.runs);
  const std::vector<double> a = PerRun(p.a, -1, 0, value);
  const std::vector<double> b = PerRun(p.b, -1, 0, value);
  Comparison c =
      InPoints(AblationId(v.name, measure),
               absl::StrCat("`", v.name, "` moves layer 0's ", what,
                            claimed == Claimed::kNegative ? " down" : " up",
                            " (toward [W]'s collapse)"),
               claimed, Differences(a, b));
  c.not_testable = BoundBlocksClaim(a, b, claimed, 0, 1,
                                    absl::StrCat("`", v.name, "`'s ", what),
                                    absl::StrCat("the reference's ", what));
  return c;
}

// [W]'s ordering within a variant: layer 0's window union below the last's.
Comparison Ordering(const AblationVariant& v) {
  return FirstAgainstLast(v.runs, AblationId(v.name, kAblOrdering),
                          absl::StrCat("`", v.name,
                                       "`: layer 0's window union below the "
                                       "last layer's ([W]'s ordering)"),
                          "window union", Claimed::kNegative, WindowUnion);
}

AblationScope ScopeOf(const std::vector<AblationVariant>& variants) {
  AblationScope s;
  for (const AblationVariant& v : variants) {
    const RunConfig& c = v.runs[0]->config();
    const int64_t tokens = c.train().steps() *
                           static_cast<int64_t>(c.data().batch_size()) *
                           c.data().seq_len();
    s.max_d_model = std::max(s.max_d_model, c.model().d_model());
    s.max_layers = std::max(s.max_layers, c.model().n_layers());
    s.max_steps = std::max<int64_t>(s.max_steps, c.train().steps());
    s.max_tokens = std::max(s.max_tokens, tokens);
    s.max_passes =
        std::max(s.max_passes,
                 static_cast<double>(tokens) /
                     std::max<int64_t>(1, v.runs[0]->data().train_tokens()));
    if (v.words) {
      s.max_vocab = std::max<int64_t>(s.max_vocab, c.model().vocab_size());
    }
    s.train_documents = v.runs[0]->data().train_documents();
  }
  return s;
}

void BytesPerWord(const std::vector<AblationVariant>& variants,
                  AblationScope* s) {
  const TrainingRecord* byte_run = nullptr;
  const TrainingRecord* word_run = nullptr;
  for (const AblationVariant& v : variants) {
    (v.words ? word_run : byte_run) = v.runs[0];
  }
  if (byte_run == nullptr || word_run == nullptr) return;
  const DataConfig& bd = byte_run->config().data();
  const DataConfig& wd = word_run->config().data();
  s->same_split = bd.split_seed() == wd.split_seed() &&
                  bd.heldout_fraction() == wd.heldout_fraction() &&
                  byte_run->data().train_documents() ==
                      word_run->data().train_documents() &&
                  byte_run->data().heldout_documents() ==
                      word_run->data().heldout_documents();
  s->bytes_per_word = static_cast<double>(byte_run->data().train_tokens()) /
                      std::max<int64_t>(1, word_run->data().train_tokens());
  s->byte_probe_tokens = byte_run->data().probe_tokens();
  s->word_probe_tokens = word_run->data().probe_tokens();
}

int LongestSameTokenizer(const std::vector<AblationVariant>& v, int ref) {
  int best = -1;
  for (int i = 0; i < static_cast<int>(v.size()); ++i) {
    if (v[i].words != v[ref].words || v[i].steps <= v[ref].steps) continue;
    if (best < 0 || v[i].steps > v[best].steps) best = i;
  }
  return best;
}

std::vector<Comparison> Family(const AblationFindings& f) {
  const AblationVariant& ref = f.variants[f.reference];
  std::vector<Comparison> family;
  for (const AblationVariant& v : f.variants) {
    if (&v == &ref) continue;
    family.push_back(AgainstReference(v, ref, kAblWindow, "window union",
                                      Claimed::kNegative, WindowUnion));
    family.push_back(AgainstReference(v, ref, kAblRare, "rare units",
                                      Claimed::kPositive, RareUnits));
    family.push_back(AgainstReference(v, ref, kAblBatch, "batch union",
                                      Claimed::kNegative, BatchUnion));
    family.push_back(AgainstReference(v, ref, kAblToken, "token density",
                                      Claimed::kNegative, TokenDensity));
  }
  for (const AblationVariant& v : f.variants) family.push_back(Ordering(v));
  if (f.longest >= 0) {
    const AblationVariant& l = f.variants[f.longest];
    const SeedPairs p = PairBySeeds(l.runs, ref.runs);
    family.push_back({AblationId(l.name, kAblHeldout),
                      absl::StrCat("`", l.name,
                                   "` lowers the held-out loss (the reference "
                                   "had not converged)"),
                      Claimed::kNegative,
                      Differences(HeldoutLoss(p.a), HeldoutLoss(p.b))});
    family.back().unit = "nats";
  }
  return family;
}

}  // namespace

std::string AblationId(const std::string& variant, const char* measure) {
  return absl::StrCat(variant, ".", measure);
}

absl::StatusOr<AblationFindings> AnalyzeAblation(
    const LayerwiseSparsityResults& results) {
  AblationFindings f;
  f.reference = -1;
  for (const Runs& runs : ByVariant(results.runs())) {
    f.variants.push_back(VariantOf(results, runs));
    if (f.variants.back().role != "reference") continue;
    if (f.reference >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variants `", f.variants[f.reference].name, "` and `",
          f.variants.back().name, "` both declare role \"reference\""));
    }
    f.reference = static_cast<int>(f.variants.size()) - 1;
  }
  if (f.reference < 0) {
    return absl::InvalidArgumentError(
        "no variant declares role \"reference\" (Variant.role in the "
        "preset; results written before roles existed must be re-run)");
  }
  f.scope = ScopeOf(f.variants);
  BytesPerWord(f.variants, &f.scope);
  f.longest = LongestSameTokenizer(f.variants, f.reference);
  f.verdicts = Decide(Family(f));
  f.counted_tests = CountedTests(f.verdicts);
  for (const AblationVariant& v : f.variants) {
    const RunConfig& c = v.runs[0]->config();
    f.claims.push_back(
        {"W2",
         absl::StrCat("ablation `", v.name,
                      "`: layer 0 - last layer, window union"),
         FindResult(f.verdicts, AblationId(v.name, kAblOrdering)),
         absl::StrCat("the ablation's smaller model (d_model ",
                      c.model().d_model(), ", ", c.train().steps(),
                      " steps); one row per variant, each a separate "
                      "condition")});
  }
  return f;
}

}  // namespace sparsity
