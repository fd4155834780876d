#include "reports/neuron_death_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/claims.h"
#include "reports/layer_stats.h"
#include "reports/neuron_death_findings.h"
#include "reports/verdict.h"

namespace sparsity {
namespace {

int LayersOf(const TrainingRecord& r) { return r.neuron_death().layers_size(); }
double UnitsOf(const TrainingRecord& r) {
  return static_cast<double>(r.config().model().d_ff());
}
double HeldOutLoss(const TrainingRecord& r) {
  return FinalProbe(r).probe_loss();
}

// Per layer: the fraction of units dead at the end on the training stream.
std::vector<double> DeadAtEnd(const TrainingRecord& r) {
  std::vector<double> out;
  for (const LayerDeath& l : r.neuron_death().layers()) {
    int dead = 0;
    for (int s : l.death_step()) dead += s > 0;
    out.push_back(dead / UnitsOf(r));
  }
  return out;
}
double Total(const std::vector<double>& per_layer) {
  double sum = 0;
  for (double v : per_layer) sum += v;
  return per_layer.empty() ? 0 : sum / per_layer.size();
}
double DeadTotal(const TrainingRecord& r) { return Total(DeadAtEnd(r)); }
// Per layer: fraction of units that fired on none of the final probe batch.
std::vector<double> ProbeDeadAtEnd(const TrainingRecord& r) {
  std::vector<double> out;
  for (const LayerSparsity& l : FinalProbe(r).layers()) {
    out.push_back(l.dead_units() / UnitsOf(r));
  }
  return out;
}
int Deaths(const TrainingRecord& r, int layer) {
  int n = 0;
  for (const DeathEvent& e : r.neuron_death().deaths()) n += e.layer() == layer;
  return n;
}
int Revivals(const TrainingRecord& r, int layer) {
  int n = 0;
  for (int v : r.neuron_death().layers(layer).revivals()) n += v;
  return n;
}
int AllDeaths(const TrainingRecord& r) {
  return r.neuron_death().deaths_size();
}
int AllRevivals(const TrainingRecord& r) {
  int n = 0;
  for (int l = 0; l < LayersOf(r); ++l) n += Revivals(r, l);
  return n;
}

// Per layer over runs: the spread of f(run)[layer].
template <typename F>
std::vector<Spread> PerLayer(const Runs& runs, F f) {
  std::vector<std::vector<double>> by_layer;
  for (const TrainingRecord* r : runs) {
    const std::vector<double> v = f(*r);
    by_layer.resize(v.size());
    for (size_t l = 0; l < v.size(); ++l) by_layer[l].push_back(v[l]);
  }
  std::vector<Spread> out;
  for (const auto& v : by_layer) out.push_back(SpreadOf(v));
  return out;
}

// Units dead at the end, as (layer, unit).
std::set<std::pair<int, int>> DeadSet(const TrainingRecord& r) {
  std::set<std::pair<int, int>> out;
  for (const LayerDeath& l : r.neuron_death().layers()) {
    for (int j = 0; j < l.death_step_size(); ++j) {
      if (l.death_step(j) > 0) out.insert({l.layer(), j});
    }
  }
  return out;
}

struct Overlap {
  double jaccard = 0;
  double chance = 0;  // expected for random sets of the same sizes per layer
};
Overlap OverlapOf(const TrainingRecord& a, const TrainingRecord& b) {
  const auto sa = DeadSet(a), sb = DeadSet(b);
  std::vector<std::pair<int, int>> common;
  std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(),
                        std::back_inserter(common));
  const double uni = sa.size() + sb.size() - common.size();
  // Per layer, |A||B| / d_ff shared by chance (dead fractions x d_ff).
  const std::vector<double> fa = DeadAtEnd(a), fb = DeadAtEnd(b);
  double expected = 0;
  for (size_t l = 0; l < fa.size(); ++l) expected += fa[l] * fb[l] * UnitsOf(a);
  Overlap o;
  o.jaccard = uni > 0 ? common.size() / uni : 0;
  const double expected_union = sa.size() + sb.size() - expected;
  o.chance = expected_union > 0 ? expected / expected_union : 0;
  return o;
}

std::string SeedsOf(const TrainingRecord& r) {
  return absl::StrCat("i", r.init_seed(), "-d", r.data_seed());
}

// "i1-d1, i1-d2": the seed pairs of runs.
std::string SeedList(const Runs& runs, const char* separator) {
  return absl::StrJoin(runs, separator,
                       [](std::string* out, const TrainingRecord* t) {
                         out->append(SeedsOf(*t));
                       });
}

// ---- Controls: which variants change what against the reference ----------

struct Control {
  std::string name;  // variant
  double value = 0;  // lr or warmup steps
  Runs runs;
};

struct Controls {
  Runs reference;
  std::vector<Control> lr, warmup;
  const TrainingRecord* no_learning = nullptr;
  const TrainingRecord* frozen = nullptr;
};

Controls ControlsOf(const NeuronDeathResults& r) {
  Controls c;
  const std::string& ref = r.config().reference();
  for (const Runs& v : ByVariant(r.runs())) {
    if (v[0]->variant() == ref) c.reference = v;
  }
  const OptimConfig& o = c.reference[0]->config().optim();
  for (const Runs& v : ByVariant(r.runs())) {
    const RunConfig& rc = v[0]->config();
    if (v[0]->variant() == ref) continue;
    if (rc.optim().lr() == 0) {
      (rc.init_from().empty() ? c.no_learning : c.frozen) = v[0];
    } else if (rc.optim().lr() != o.lr() &&
               rc.optim().warmup_steps() == o.warmup_steps()) {
      c.lr.push_back({v[0]->variant(), rc.optim().lr(), v});
    } else if (rc.optim().warmup_steps() != o.warmup_steps() &&
               rc.optim().lr() == o.lr()) {
      c.warmup.push_back({v[0]->variant(), 1.0 * rc.optim().warmup_steps(), v});
    }
  }
  return c;
}

// The reference runs with the seed pairs of `like` (all of them if none
// match), so that every point of a control has the same seeds.
Runs MatchingSeeds(const Runs& reference, const Runs& like) {
  Runs out;
  for (const TrainingRecord* r : reference) {
    for (const TrainingRecord* l : like) {
      if (r->init_seed() == l->init_seed() &&
          r->data_seed() == l->data_seed()) {
        out.push_back(r);
        break;  // once per reference run
      }
    }
  }
  return out.empty() ? reference : out;
}

// "rises", "falls" or "shows no monotone trend" for means in order.
std::string Trend(const std::vector<double>& means, double tolerance) {
  bool up = true, down = true;
  for (size_t i = 1; i < means.size(); ++i) {
    up &= means[i] >= means[i - 1] - tolerance;
    down &= means[i] <= means[i - 1] + tolerance;
  }
  const double change = means.back() - means.front();
  if (up && change > tolerance) return "rises";
  if (down && change < -tolerance) return "falls";
  return "shows no monotone trend";
}

// ---- Plots ---------------------------------------------------------------

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
    for (int d : l.dead()) v.push_back(d / UnitsOf(r));
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
        layers.push_back(l.dead_units() / UnitsOf(*r));
      }
      points.push_back(std::move(layers));
    }
    values.push_back(std::move(points));
  }
  return PerLayerBandPlot(title, "training step",
                          "fraction of units firing on no probe token",
                          ProbeSteps(runs), values);
}

// The fade-out of units' first deaths, pooled over runs: per bin the median
// and quartiles over the deaths with data there (an early death has none
// before step 1); x: bin centre, steps before the death. (A later death of a
// revived unit starts from near silence.) `first`, `last`: medians of the
// first and last bins over the deaths whose whole window exists.
struct Fade {
  std::vector<double> x, median, p25, p75;
  std::vector<int> n;
  int deaths = 0;  // first deaths
  int full = 0;    // of which with the whole window
  double first = 0, last = 0;
  double quiet_first = 0;  // fraction of `full` below 1% in the first bin
};
Fade FadeOf(const Runs& runs) {
  Fade f;
  const NeuronDeathRecord& nd = runs[0]->neuron_death();
  const int bins = nd.fade_bin() > 0 ? nd.fade_steps() / nd.fade_bin() : 0;
  std::vector<std::vector<double>> at(bins);
  std::vector<double> first, last;
  for (const TrainingRecord* r : runs) {
    std::set<std::pair<int, int>> seen;  // a unit's first death only
    for (const DeathEvent& e : r->neuron_death().deaths()) {
      if (!seen.insert({e.layer(), e.unit()}).second) continue;
      if (e.fade_size() != bins || bins == 0) continue;
      ++f.deaths;
      for (int b = 0; b < bins; ++b) {
        if (e.fade(b) >= 0) at[b].push_back(e.fade(b));
      }
      if (e.fade(0) >= 0) {
        ++f.full;
        first.push_back(e.fade(0));
        last.push_back(e.fade(bins - 1));
        f.quiet_first += e.fade(0) < 0.01;
      }
    }
  }
  for (int b = 0; b < bins; ++b) {
    f.x.push_back(-nd.fade_steps() + (b + 0.5) * nd.fade_bin());
    f.median.push_back(Quantile(at[b], 0.5));
    f.p25.push_back(Quantile(at[b], 0.25));
    f.p75.push_back(Quantile(at[b], 0.75));
    f.n.push_back(static_cast<int>(at[b].size()));
  }
  f.first = Quantile(first, 0.5);
  f.last = Quantile(last, 0.5);
  if (f.full > 0) f.quiet_first /= f.full;
  return f;
}

// Mean over deaths (with a window) of a rank, and the fraction above 0.9.
struct Ranks {
  int n = 0;
  double input = 0, input_local = 0, update = 0, update_local = 0;
  double input_top = 0, update_top = 0;  // fraction of local ranks > 0.9
};
Ranks RanksOf(const Runs& runs, int layer /* -1: all */) {
  Ranks k;
  for (const TrainingRecord* r : runs) {
    for (const DeathEvent& e : r->neuron_death().deaths()) {
      if ((layer >= 0 && e.layer() != layer) || e.input_rank() < 0) continue;
      ++k.n;
      k.input += e.input_rank();
      k.input_local += e.input_rank();
      k.update += e.update_rank();
      k.update_local += e.update_rank();
      k.input_top += e.input_rank() > 0.9;
      k.update_top += e.update_rank() > 0.9;
    }
  }
  if (k.n > 0) {
    for (double* v : {&k.input, &k.input_local, &k.update, &k.update_local,
                      &k.input_top, &k.update_top}) {
      *v /= k.n;
    }
  }
  return k;
}

// "0.012%": percentages of small firing frequencies.
std::string PctFine(double fraction) {
  return absl::StrFormat("%.3f%%", 100 * fraction);
}

// "0.52" rank text.
std::string R(double v) { return absl::StrFormat("%.2f", v); }

// One layer's ranks as a histogram of 10 bins over [0, 1], as fractions of
// the layer's ranked deaths; and the uniform null's 10% per bin.
LinePlot RankHistogram(const std::vector<std::vector<double>>& ranks,
                       const std::string& what) {
  LinePlot plot{absl::StrCat("Same-phase ", what,
                             " ranks of deaths per layer (pooled runs; a "
                             "valid null: 10% per bin)"),
                absl::StrCat(what, " rank (fraction of the baseline below)"),
                "fraction of the layer's deaths",
                {}};
  for (size_t l = 0; l < ranks.size(); ++l) {
    if (ranks[l].empty()) continue;
    plot.series.push_back(HistogramSeries(absl::StrCat("layer ", l), ranks[l],
                                          10, 0, 1, /*log_bins=*/false,
                                          ranks[l].size()));
  }
  plot.series.push_back({"uniform null", {0, 1}, {0.1, 0.1}, {}, {}});
  plot.x_min = 0;
  plot.x_max = 1;
  plot.y_min = 0;
  return plot;
}

// The rank distributions behind W4 (descriptive: their null is not valid)
// and the update-rank groups: which layers, when.
void AppendRankDistributions(const NeuronDeathFindings& f, Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const RankGroup& g : f.update_groups) {
    std::vector<std::string> per_layer;
    for (size_t l = 0; l < g.per_layer.size(); ++l) {
      per_layer.push_back(absl::StrCat(l, ": ", g.per_layer[l]));
    }
    rows.push_back(
        {g.name, absl::StrFormat("[%.1f, %.1f)", g.lo, std::min(g.hi, 1.0)),
         absl::StrCat(g.deaths), absl::StrJoin(per_layer, ", "),
         absl::StrFormat("%.0f", g.median_step), absl::StrCat(g.revived)});
  }
  absl::StrAppend(
      &report.markdown,
      "The distributions of the ranks above, per layer (descriptive: the "
      "same-phase baseline is not a valid null, so no test is drawn from "
      "them; docs/method.md, \"Neuron death: the claims as tested\").\n\n",
      report.AddPlot("input_ranks", "input-rank histogram per layer",
                     RankHistogram(f.input_ranks, "input")),
      "\n\n",
      report.AddPlot("update_ranks", "update-rank histogram per layer",
                     RankHistogram(f.update_ranks, "update")),
      "\n\nThe update ranks by group (deaths pooled over the reference "
      "runs):\n\n",
      MarkdownTable({"update rank", "range", "deaths", "per layer",
                     "median death step", "revived later"},
                    rows),
      "\n");
}

}  // namespace

Report NeuronDeathReport(const Results& results,
                         const std::string& results_file) {
  const NeuronDeathResults& r = results.neuron_death();
  Report report("neuron_death", "Neuron death");
  const Controls c = ControlsOf(r);
  const Runs& ref = c.reference;
  const TrainingRecord& first = *ref[0];
  const RunConfig& rc = first.config();
  const NeuronDeathRecord& nd0 = first.neuron_death();
  const int layers = LayersOf(first);
  const int64_t steps = first.loss_size();
  const int units = rc.model().d_ff();
  const int64_t window_tokens = nd0.dead_window() * nd0.tokens_per_step();
  const std::string seeds_note =
      ref.size() > 1 ? absl::StrCat("mean over the ", ref.size(),
                                    " reference runs (min–max)")
                     : "one run";

  // ---- The measurements behind the conclusion ----
  const Spread dead_total = Over(ref, DeadTotal);
  const std::vector<Spread> dead_layer = PerLayer(ref, DeadAtEnd);
  const std::vector<Spread> probe_dead_layer = PerLayer(ref, ProbeDeadAtEnd);
  const Spread probe_dead_total = Over(
      ref, [](const TrainingRecord& t) { return Total(ProbeDeadAtEnd(t)); });
  const int most = ArgMax(Means(dead_layer));

  // Seeds: per-layer profile correlation and same-unit overlap.
  std::vector<double> correlations, same_init, other_init, chance;
  int same_argmax = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    same_argmax += ArgMax(DeadAtEnd(*ref[i])) == most;
    for (size_t j = i + 1; j < ref.size(); ++j) {
      correlations.push_back(Pearson(DeadAtEnd(*ref[i]), DeadAtEnd(*ref[j])));
      const Overlap o = OverlapOf(*ref[i], *ref[j]);
      (ref[i]->init_seed() == ref[j]->init_seed() ? same_init : other_init)
          .push_back(o.jaccard);
      chance.push_back(o.chance);
    }
  }
  const Spread corr = SpreadOf(correlations);
  const Spread jac_same = SpreadOf(same_init), jac_other = SpreadOf(other_init);
  const double jac_chance = SpreadOf(chance).mean;

  // Step size.
  auto step_rows = [&](const std::vector<Control>& controls, double ref_value) {
    std::vector<std::pair<double, Runs>> points;
    Runs all;
    for (const Control& k : controls)
      all.insert(all.end(), k.runs.begin(), k.runs.end());
    points.push_back({ref_value, MatchingSeeds(ref, all)});
    for (const Control& k : controls) points.push_back({k.value, k.runs});
    std::sort(points.begin(), points.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return points;
  };
  const auto lr_points = step_rows(c.lr, rc.optim().lr());
  const auto warmup_points = step_rows(c.warmup, rc.optim().warmup_steps());
  auto means = [](const std::vector<std::pair<double, Runs>>& points) {
    std::vector<double> m;
    for (const auto& p : points) m.push_back(Over(p.second, DeadTotal).mean);
    return m;
  };
  const std::vector<double> lr_means = means(lr_points);
  const std::vector<double> warmup_means = means(warmup_points);
  const std::string lr_trend = Trend(lr_means, 0.01);
  const std::string warmup_trend = Trend(warmup_means, 0.01);

  const Ranks ranks = RanksOf(ref, -1);
  const Fade fade = FadeOf(ref);
  // last / first bin; a unit already silent at the window's start has no
  // fade to measure (0 then).
  const double fade_ratio = fade.first > 0 ? fade.last / fade.first : 0;

  // ---- Headline and conclusion ----
  const NeuronDeathFindings findings = AnalyzeNeuronDeath(r);
  report.claims = findings.claims;
  report.headline = absl::StrFormat(
      "%s of MLP units dead on the training stream at the end (most: layer "
      "%d, %s)%s. [W]'s \"dynamics, not outliers\": input outliers %s, "
      "update outliers %s (no valid null yet); pruning the dead units: %s.",
      PctSpread(dead_total), most, PctSpread(dead_layer[most]),
      c.lr.empty()
          ? ""
          : absl::StrCat("; dead fraction ", lr_trend, " with learning rate"),
      VerdictName(FindResult(findings.verdicts, kW4Input).verdict),
      VerdictName(FindResult(findings.verdicts, kW4Update).verdict),
      VerdictName(FindResult(findings.verdicts, kW5Prune).verdict));

  std::string& md = report.markdown;
  absl::StrAppend(
      &md, "# Neuron death: which ReLU units turn off, when, and why\n\n",
      "Replication of the neuron-death finding of Wild & Anderson (2024) "
      "([W] in [docs/method.md](../docs/method.md)), experiment 2: [W] "
      "claims that units \"turning off\" is driven by the dynamics of "
      "training, not by chance or by outlier inputs; this report measures "
      "deaths and tests what it can of that claim (section \"Verdicts\"). "
      "Generated by `bazel run //reports:render` from "
      "the results file below; every number here was measured in those "
      "runs. Do not edit by hand.\n\n");

  // Setup.
  const ModelConfig& m = rc.model();
  absl::StrAppend(
      &md, "## Setup\n\n",
      absl::StrFormat(
          "- Model: %d-layer decoder-only ReLU transformer, d_model %d, %d "
          "heads, d_ff %d, %s, byte-level Brown corpus; %lld steps of %lld "
          "training tokens (%d sequences of %d), AdamW, peak lr %g, %d "
          "warmup steps, cosine to %g.\n",
          m.n_layers(), m.d_model(), m.n_heads(), m.d_ff(),
          m.post_norm() ? "post-norm" : "pre-norm", steps,
          static_cast<long long>(nd0.tokens_per_step()), rc.data().batch_size(),
          rc.data().seq_len(), rc.optim().lr(), rc.optim().warmup_steps(),
          rc.optim().min_lr()),
      absl::StrFormat(
          "- **Dead on the training stream** (docs/method.md, \"Neuron "
          "death\"): a unit is dead from step d when it fires on no token of "
          "any training batch from d on, for at least %d steps (%lld "
          "tokens). A silence of %d steps or more that ends is a death and a "
          "revival. A unit firing on a fraction p of tokens stays silent "
          "that long by chance with probability (1-p)^%lld: below e^-6 for "
          "p >= %.1e.\n",
          nd0.dead_window(), static_cast<long long>(window_tokens),
          nd0.dead_window(), static_cast<long long>(window_tokens),
          6.0 / window_tokens),
      absl::StrFormat(
          "- **Dead on the probe set**: fires on none of the %lld held-out "
          "probe tokens (measured every %d steps).\n",
          static_cast<long long>(first.data().probe_tokens()),
          rc.probe().every()),
      absl::StrFormat("- Reference runs: %d (init seeds x data orders: %s). "
                      "Values are %s.\n\n",
                      static_cast<int>(ref.size()), SeedList(ref, ", "),
                      seeds_note));

  // Conclusion.
  absl::StrAppend(&md, "## What the evidence says\n\n");
  absl::StrAppend(
      &md,
      absl::StrFormat(
          "- **Extent.** At step %lld, %s of all MLP units are dead on the "
          "training stream; layer %d loses the most (%s). On the %lld-token "
          "probe set %s fire on no token.\n",
          steps, PctSpread(dead_total), most, PctSpread(dead_layer[most]),
          static_cast<long long>(first.data().probe_tokens()),
          PctSpread(probe_dead_total)));
  if (ref.size() > 1) {
    absl::StrAppend(
        &md,
        absl::StrFormat(
            "- **Seeds.** Across %d runs the per-layer dead fractions "
            "correlate with r = %.2f (%.2f–%.2f) between runs, and layer %d "
            "loses the most in %d of %d runs: the layers that lose units are "
            "%s. Which units die: runs sharing the init seed (other data "
            "order) share a fraction %.2f of their dead units (Jaccard), "
            "runs with different init seeds %.2f; random sets of the same "
            "sizes would share %.2f. %s\n",
            static_cast<int>(ref.size()), corr.mean, corr.min, corr.max, most,
            same_argmax, static_cast<int>(ref.size()),
            corr.mean >= 0.8 && same_argmax == static_cast<int>(ref.size())
                ? "reproducible (mean r >= 0.8 and the same layer loses the "
                  "most in every run: the rule of docs/method.md)"
                : "not reproducible by the rule of docs/method.md (mean r "
                  ">= 0.8 and the same layer losing the most in every run)",
            jac_same.mean, jac_other.mean, jac_chance,
            jac_same.n == 0 ? ""
            : jac_same.mean > 2 * std::max(jac_other.mean, jac_chance)
                ? "Descriptively (no test yet), the initialisation largely "
                  "decides which units die; the data order much less."
            : jac_same.mean > 1.25 * std::max(jac_other.mean, jac_chance)
                ? "Descriptively (no test yet), the initialisation partly "
                  "decides which units die."
                : "Descriptively (no test yet), which units die is not "
                  "decided by the initialisation."));
  }
  if (!c.lr.empty()) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < lr_points.size(); ++i) {
      parts.push_back(
          absl::StrFormat("%g: %s", lr_points[i].first, Pct(lr_means[i])));
    }
    absl::StrAppend(
        &md, absl::StrFormat(
                 "- **Learning rate.** The dead fraction %s with the peak "
                 "learning rate (%s; means over %s at every point).\n",
                 lr_trend, absl::StrJoin(parts, ", "),
                 SeedList(lr_points[0].second, " and ")));
  }
  if (!c.warmup.empty()) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < warmup_points.size(); ++i) {
      parts.push_back(absl::StrFormat("%g steps: %s", warmup_points[i].first,
                                      Pct(warmup_means[i])));
    }
    absl::StrAppend(&md, "- **Warmup.** The dead fraction ", warmup_trend,
                    " with longer warmup (", absl::StrJoin(parts, ", "),
                    ").\n");
  }
  if (ranks.n == 0) {
    absl::StrAppend(&md,
                    "- **Outliers.** No death in the reference runs has a "
                    "window before it: nothing to test.\n");
  } else {
    absl::StrAppend(
        &md,
        absl::StrFormat(
            "- **Outliers.** Of %d deaths in the reference runs, the layer's "
            "largest MLP-input norm in the %d steps before the death ranks "
            "%s on average among the same window statistic at steps of the "
            "same phase of training where no unit died (%s among all such "
            "steps); %.0f%% of deaths rank in the top 10%%. The dying unit's "
            "largest weight update ranks %s (%s among all steps; %.0f%% in the "
            "top 10%%). These ranks are a description, not a test: %s.\n",
            ranks.n, nd0.outlier_window(), R(ranks.input_local), R(ranks.input),
            100 * ranks.input_top, R(ranks.update_local), R(ranks.update),
            100 * ranks.update_top,
            FindResult(findings.verdicts, kW4Update).reason));
  }
  if (fade.full > 0) {
    absl::StrAppend(
        &md,
        absl::StrFormat(
            "- **How units die.** Aligned at the death step (%d units' first "
            "deaths with %d steps of history before them, of %d first "
            "deaths), the median dying unit fires on %s of tokens %d to %d "
            "steps before it dies and on %s in the last %d steps; %.0f%% of "
            "them already fire on fewer than 1%% of tokens %d steps before "
            "dying. %s\n",
            fade.full, nd0.fade_steps(), fade.deaths, Pct(fade.first),
            nd0.fade_steps(), nd0.fade_steps() - nd0.fade_bin() + 1,
            absl::StrFormat("%.3f%%", 100 * fade.last), nd0.fade_bin(),
            100 * fade.quiet_first, nd0.fade_steps(),
            fade.first <= 0
                ? "The median unit was already silent at the window's start: "
                  "the window is too short to see how it faded."
            : fade_ratio < 0.5
                ? "A gradual fade: the rate falls over the window before the "
                  "unit stops, not a sudden drop from normal activity (a "
                  "description: without a matched cohort of units that do "
                  "not die, units that fire as rarely may fade as much)."
            : fade_ratio < 0.8
                ? "A partial fade before a drop."
                : "A sudden drop: the median unit fires at its earlier rate "
                  "until it stops."));
  }
  if (c.no_learning != nullptr || c.frozen != nullptr) {
    std::string text = "- **No learning.** ";
    auto count = [&](const TrainingRecord& t) {
      return static_cast<int>(std::lround(DeadTotal(t) * layers * units));
    };
    if (c.no_learning != nullptr) {
      const int deaths = AllDeaths(*c.no_learning);
      absl::StrAppend(
          &text,
          absl::StrFormat(
              "With learning rate 0 from initialisation, on the same data "
              "stream, %d units end dead and %d silences of %d+ steps occur: "
              "%s ",
              count(*c.no_learning), deaths, nd0.dead_window(),
              deaths == 0 ? "at initialisation the data alone turn no unit "
                            "off."
                          : "the data alone turn units off here."));
    }
    if (c.frozen != nullptr) {
      const TrainingRecord* source = nullptr;
      for (const TrainingRecord* t : ref) {
        if (t->name() == c.frozen->config().init_from()) source = t;
      }
      absl::StrAppend(
          &text,
          absl::StrFormat("With the weights frozen at %s's end, on data "
                          "order %d from its start, %d units end dead and "
                          "%d silences of %d+ steps end in a revival.",
                          c.frozen->config().init_from(), c.frozen->data_seed(),
                          count(*c.frozen), AllRevivals(*c.frozen),
                          nd0.dead_window()));
      if (source != nullptr) {
        const auto trained = DeadSet(*source), frozen = DeadSet(*c.frozen);
        int kept = 0;
        for (const auto& unit : trained) kept += frozen.count(unit);
        absl::StrAppend(
            &text,
            absl::StrFormat(
                " Of the %d units dead when training ended, %d are dead in "
                "the frozen run too%s; %d units dead there were alive at the "
                "end of training: %s",
                static_cast<int>(trained.size()), kept,
                source->data_seed() == c.frozen->data_seed()
                    ? " (same data order)"
                    : "",
                static_cast<int>(frozen.size()) - kept,
                kept == static_cast<int>(trained.size())
                    ? "without updates no dead unit comes back, and the "
                      "data alone silence only those rare units."
                    : "some units dead after training fire again on other "
                      "batches of the same data."));
      }
    }
    absl::StrAppend(&md, text, "\n");
  }
  if (r.pruning_size() > 0) {
    // Mean over runs, per level: units removed (all layers) and loss change.
    std::vector<double> removed, delta;
    for (int i = 0; i < r.pruning(0).levels_size(); ++i) {
      double rem = 0, d = 0;
      for (const PruneCurve& p : r.pruning()) {
        for (int n : p.levels(i).removed()) rem += n;
        d += p.levels(i).loss() - p.loss();
      }
      removed.push_back(rem / (r.pruning_size() * layers * units));
      delta.push_back(d / r.pruning_size());
    }
    int harmless = -1;  // the last level costing under 0.01 nats
    for (size_t i = 0; i < delta.size(); ++i) {
      if (delta[i] < 0.01) harmless = static_cast<int>(i);
    }
    std::string text = absl::StrFormat(
        "- **Does death matter?** Removing the dead units (%s of all) "
        "changes the held-out loss by %+.4f nats/byte",
        Pct(removed[0]), delta[0]);
    if (harmless > 0) {
      absl::StrAppend(
          &text, absl::StrFormat(
                     "; removing every unit that fires on fewer than %s of the "
                     "training tokens (%s of all) costs %+.4f",
                     Pct(r.pruning(0).levels(harmless).threshold()),
                     Pct(removed[harmless]), delta[harmless]));
    }
    const int last = static_cast<int>(delta.size()) - 1;
    if (harmless != last) {
      absl::StrAppend(&text, absl::StrFormat(", and removing %s costs %+.3f",
                                             Pct(removed[last]), delta[last]));
    }
    absl::StrAppend(&md, text,
                    ". W5 (removing the dead units costs no "
                    "held-out loss, within ±",
                    absl::StrFormat("%g", kW5PruneMargin), " nats): ",
                    EffectProse(FindResult(findings.verdicts, kW5Prune)),
                    ".\n");
  }
  // Overall: what the verdict layer can say.
  const ComparisonResult& w4_input = FindResult(findings.verdicts, kW4Input);
  const ComparisonResult& w4_update = FindResult(findings.verdicts, kW4Update);
  absl::StrAppend(
      &md, "- **Dynamics or outliers?** Input outliers: **",
      VerdictName(w4_input.verdict), "** (", w4_input.reason,
      "). Update outliers: **", VerdictName(w4_update.verdict), "** (",
      w4_update.reason,
      "). The controls below (step size, warmup, learning rate 0) describe "
      "what moves the dead fraction; none of them separates the data from "
      "the weights yet (learning rate 0 from initialisation keeps both at "
      "their initial state).\n\n",
      "## Verdicts\n\n",
      "[W]'s claims on the verdict layer (docs/method.md, \"Verdicts\" and "
      "\"Neuron death: the claims as tested\"); the rest of this report is "
      "descriptive.\n\n",
      VerdictTable(findings.verdicts), "\n");

  // ---- Dead units over training ----
  const std::string band =
      ref.size() > 1 ? " (mean over reference runs; band: min..max)" : "";
  absl::StrAppend(&md, "## Dead units per layer\n\n");
  {
    std::vector<std::vector<std::string>> rows;
    const std::vector<Spread> deaths =
        PerLayer(ref, [&](const TrainingRecord& t) {
          std::vector<double> v;
          for (int l = 0; l < layers; ++l) v.push_back(Deaths(t, l));
          return v;
        });
    const std::vector<Spread> revivals =
        PerLayer(ref, [&](const TrainingRecord& t) {
          std::vector<double> v;
          for (int l = 0; l < layers; ++l) v.push_back(Revivals(t, l));
          return v;
        });
    const std::vector<Spread> lazy =
        PerLayer(ref, [&](const TrainingRecord& t) {
          std::vector<double> v;
          for (const LayerDeath& l : t.neuron_death().layers()) {
            int n = 0;
            for (float f : l.final_frequency()) n += f > 0 && f < 1e-3;
            v.push_back(n / UnitsOf(t));
          }
          return v;
        });
    for (int l = 0; l < layers; ++l) {
      rows.push_back({absl::StrCat(l), PctSpread(dead_layer[l]),
                      PctSpread(probe_dead_layer[l]), PctSpread(lazy[l]),
                      NumSpread(deaths[l], "%.1f"),
                      NumSpread(revivals[l], "%.1f")});
    }
    rows.push_back({"all", PctSpread(dead_total), PctSpread(probe_dead_total),
                    "", NumSpread(Over(ref, AllDeaths), "%.1f"),
                    NumSpread(Over(ref, AllRevivals), "%.1f")});
    absl::StrAppend(
        &md,
        absl::StrFormat(
            "At the end of training, %s. Dead (training): units dead on the "
            "training stream. Dead (probe): units firing on none of the %lld "
            "probe tokens. Rare: firing on fewer than 0.1%% of the training "
            "tokens of the last %d steps, but not dead. Deaths: silences of "
            "%d+ steps (revived or not); revivals: those that ended.\n\n",
            seeds_note, static_cast<long long>(first.data().probe_tokens()),
            nd0.dead_window(), nd0.dead_window()),
        MarkdownTable({"layer", "dead (training)", "dead (probe)", "rare",
                       "deaths", "revivals"},
                      rows),
        "\n",
        report.AddPlot(
            "dead_training", "dead units on the training stream",
            StepPlot(ref,
                     absl::StrCat("Units dead on the training stream", band),
                     "fraction of the layer's units", DeadFractionSeries)),
        "\n\n",
        report.AddPlot(
            "dead_probe", "dead units on the probe set",
            ProbeDeadPlot(
                ref, absl::StrFormat(
                         "Units firing on none of %lld probe "
                         "tokens%s",
                         static_cast<long long>(first.data().probe_tokens()),
                         band))),
        "\n\n",
        report.AddPlot("revivals", "revivals over training",
                       StepPlot(ref, absl::StrCat("Revivals so far", band),
                                "revivals (cumulative)", CumulativeRevivals)),
        "\n\n");
  }

  // ---- How units die ----
  absl::StrAppend(&md, "## How units die\n\n");
  if (fade.deaths > 0) {
    LinePlot plot{absl::StrFormat("Firing frequency before death, aligned "
                                  "(%d first deaths; band: quartiles)",
                                  fade.deaths),
                  "steps before the death",
                  "fraction of tokens fired on",
                  {}};
    Series s;
    s.title = "median";
    s.x = fade.x;
    s.y = fade.median;
    s.lo = fade.p25;
    s.hi = fade.p75;
    s.points = true;
    plot.series.push_back(s);
    std::vector<std::vector<std::string>> rows;
    for (size_t b = 0; b < fade.x.size(); ++b) {
      rows.push_back({absl::StrFormat("%.0f", fade.x[b]),
                      absl::StrCat(fade.n[b]), PctFine(fade.median[b]),
                      PctFine(fade.p25[b]), PctFine(fade.p75[b])});
    }
    absl::StrAppend(
        &md,
        absl::StrFormat(
            "Each unit's first death (pooled over the reference runs and "
            "layers): its firing frequency over the %d steps before it, in "
            "%d-step bins, aligned at the death step; a death earlier than "
            "that has no data in the bins before step 1. The last bin "
            "includes the unit's last firing, so it is never 0.\n\n",
            nd0.fade_steps(), nd0.fade_bin()),
        report.AddPlot("fade", "aligned fade-out", plot), "\n\n",
        MarkdownTable({"steps before death (bin centre)", "units with data",
                       "median", "p25", "p75"},
                      rows),
        "\n");
  } else {
    absl::StrAppend(&md,
                    "No death had enough history for a fade-out curve.\n\n");
  }
  // Histograms.
  {
    static const char* kBins[] = {"never",      "(0, 0.01%)", "[0.01%, 0.1%)",
                                  "[0.1%, 1%)", "[1%, 10%)",  "[10%, 50%)",
                                  ">= 50%"};
    std::vector<std::vector<std::string>> rows;
    for (int h = 0; h < nd0.layers(0).histograms_size(); ++h) {
      for (int l = 0; l < layers; ++l) {
        std::vector<std::string> row = {
            absl::StrCat(nd0.layers(0).histograms(h).step()), absl::StrCat(l)};
        for (int b = 0; b < 7; ++b) {
          double sum = 0;
          for (const TrainingRecord* t : ref) {
            const LayerDeath& ld = t->neuron_death().layers(l);
            // Runs of one variant have the same steps and so the same windows.
            if (h < ld.histograms_size()) sum += ld.histograms(h).counts(b);
          }
          row.push_back(absl::StrFormat("%.1f", sum / ref.size()));
        }
        rows.push_back(std::move(row));
      }
    }
    std::vector<std::string> header = {"window ending at step", "layer"};
    for (const char* b : kBins) header.push_back(b);
    LinePlot plot{
        absl::StrFormat("Units by firing frequency over the last %d training "
                        "steps (reference runs pooled; dead units not shown)",
                        nd0.dead_window()),
        "fraction of training tokens the unit fires on (log)",
        "units per layer (mean over runs)",
        {}};
    plot.log_x = true;
    for (int l = 0; l < layers; ++l) {
      std::vector<double> values;
      for (const TrainingRecord* t : ref) {
        for (float f : t->neuron_death().layers(l).final_frequency()) {
          values.push_back(f);
        }
      }
      plot.series.push_back(HistogramSeries(
          absl::StrCat("layer ", l), values, 24, 1.0 / window_tokens, 1.0,
          /*log_bins=*/true, static_cast<double>(ref.size())));
    }
    absl::StrAppend(
        &md, "### Dead or lazy? Firing frequency on the training stream\n\n",
        absl::StrFormat(
            "Units per layer by the fraction of training tokens they fire on "
            "over a %d-step window (%lld tokens) early, midway and at the "
            "end; mean over the reference runs.\n\n",
            nd0.dead_window(), static_cast<long long>(window_tokens)),
        MarkdownTable(header, rows), "\n",
        report.AddPlot("firing_histogram", "firing-frequency histogram", plot),
        "\n\n");
  }

  // ---- Controls ----
  absl::StrAppend(&md, "## Controls\n\n### 1. Seeds and data orders\n\n");
  {
    std::vector<std::string> header = {"run", "dead (all layers)"};
    for (int l = 0; l < layers; ++l)
      header.push_back(absl::StrCat("layer ", l));
    header.push_back("held-out loss");
    std::vector<std::vector<std::string>> rows;
    for (const TrainingRecord* t : ref) {
      std::vector<std::string> row = {SeedsOf(*t), Pct(DeadTotal(*t))};
      for (double v : DeadAtEnd(*t)) row.push_back(Pct(v));
      row.push_back(absl::StrFormat("%.3f", HeldOutLoss(*t)));
      rows.push_back(std::move(row));
    }
    std::vector<std::string> row = {"mean (min–max)", PctSpread(dead_total)};
    for (const Spread& s : dead_layer) row.push_back(PctSpread(s));
    row.push_back(NumSpread(Over(ref, HeldOutLoss), "%.3f"));
    rows.push_back(std::move(row));
    absl::StrAppend(
        &md,
        "Fraction of each layer's units dead on the training stream at the "
        "end, per reference run (iI-dD: init seed I, data order D).\n\n",
        MarkdownTable(header, rows), "\n");
    if (ref.size() > 1) {
      absl::StrAppend(
          &md,
          MarkdownTable(
              {"between runs", "value"},
              {{"correlation of per-layer dead fractions (mean, min–max)",
                NumSpread(corr, "%.2f")},
               {"runs where the same layer loses the most",
                absl::StrCat(same_argmax, " of ", ref.size())},
               {"shared dead units (Jaccard), same init seed",
                NumSpread(jac_same, "%.2f")},
               {"shared dead units (Jaccard), different init seeds",
                NumSpread(jac_other, "%.2f")},
               {"shared dead units expected by chance (same sizes)",
                absl::StrFormat("%.2f", jac_chance)}}),
          "\n");
    }
  }
  auto step_table = [&](const std::vector<std::pair<double, Runs>>& points,
                        const char* what) {
    std::vector<std::string> header = {what, "runs", "dead (all layers)"};
    for (int l = 0; l < layers; ++l)
      header.push_back(absl::StrCat("layer ", l));
    header.insert(header.end(), {"deaths", "revivals", "held-out loss"});
    std::vector<std::vector<std::string>> rows;
    for (const auto& [value, runs] : points) {
      std::vector<std::string> row = {
          absl::StrFormat("%g", value) +
              (runs[0]->variant() == first.variant() ? " (reference)" : ""),
          absl::StrCat(runs.size()), PctSpread(Over(runs, DeadTotal))};
      for (const Spread& s : PerLayer(runs, DeadAtEnd)) {
        row.push_back(Pct(s.mean));
      }
      row.push_back(NumSpread(Over(runs, AllDeaths), "%.0f"));
      row.push_back(NumSpread(Over(runs, AllRevivals), "%.0f"));
      row.push_back(NumSpread(Over(runs, HeldOutLoss), "%.3f"));
      rows.push_back(std::move(row));
    }
    return MarkdownTable(header, rows);
  };
  if (!c.lr.empty() || !c.warmup.empty()) {
    LinePlot plot{
        "Dead units at the end against the peak learning rate "
        "(mean over seeds; band: min..max)",
        "peak learning rate (log)",
        "fraction of all MLP units dead",
        {}};
    plot.log_x = true;
    for (const auto& point : lr_points) plot.x_tics.push_back(point.first);
    if (!plot.x_tics.empty()) {  // room around the end tics, so both show
      const auto [lo, hi] =
          std::minmax_element(plot.x_tics.begin(), plot.x_tics.end());
      plot.x_min = *lo / 1.3;
      plot.x_max = *hi * 1.3;
    }
    Series s;
    s.title = "dead";
    s.points = true;
    for (const auto& [value, runs] : lr_points) {
      const Spread sp = Over(runs, DeadTotal);
      s.x.push_back(value);
      s.y.push_back(sp.mean);
      s.lo.push_back(sp.min);
      s.hi.push_back(sp.max);
    }
    plot.series.push_back(s);
    absl::StrAppend(
        &md, "### 2. Step size\n\n",
        "Each control changes one setting of the reference and runs the "
        "reference's seed pairs that it lists; the reference row uses the "
        "same seed pairs. Per-layer columns: mean dead fraction.\n\n",
        step_table(lr_points, "peak learning rate"), "\n",
        report.AddPlot("learning_rate", "dead units against learning rate",
                       plot),
        "\n\n", step_table(warmup_points, "warmup steps"), "\n");
  }
  {
    std::vector<std::vector<std::string>> rows;
    for (int l = -1; l < layers; ++l) {
      const Ranks k = RanksOf(ref, l);
      const std::string layer = l < 0 ? "all" : absl::StrCat(l);
      if (k.n == 0) {
        rows.push_back({layer, "0", "-", "-", "-", "-", "-", "-"});
        continue;
      }
      rows.push_back({layer, absl::StrCat(k.n), R(k.input_local), R(k.input),
                      absl::StrFormat("%.0f%%", 100 * k.input_top),
                      R(k.update_local), R(k.update),
                      absl::StrFormat("%.0f%%", 100 * k.update_top)});
    }
    // The range of the layers' baseline medians (the spread of the largest
    // post-LayerNorm token norm is the findings').
    double lo = 0, hi = 0;
    std::vector<std::vector<std::string>> base;
    for (int l = 0; l < layers; ++l) {
      std::vector<double> im, ip, um, up;
      for (const TrainingRecord* t : ref) {
        const LayerDeath& ld = t->neuron_death().layers(l);
        im.push_back(ld.input_norm_median());
        ip.push_back(ld.input_norm_p99());
        if (ld.input_norm_median() > 0) {
          lo = lo == 0 ? ld.input_norm_median()
                       : std::min<double>(lo, ld.input_norm_median());
          hi = std::max<double>(hi, ld.input_norm_median());
        }
        um.push_back(ld.update_norm_median());
        up.push_back(ld.update_norm_p99());
      }
      std::vector<double> di, du;
      for (const TrainingRecord* t : ref) {
        for (const DeathEvent& e : t->neuron_death().deaths()) {
          if (e.layer() != l || e.input_rank() < 0) continue;
          di.push_back(e.input_norm());
          du.push_back(e.update_norm());
        }
      }
      base.push_back(
          {absl::StrCat(l),
           di.empty() ? "-" : absl::StrFormat("%.2f", Quantile(di, 0.5)),
           absl::StrFormat("%.2f", SpreadOf(im).mean),
           absl::StrFormat("%.2f", SpreadOf(ip).mean),
           du.empty() ? "-" : absl::StrFormat("%.2e", Quantile(du, 0.5)),
           absl::StrFormat("%.2e", SpreadOf(um).mean),
           absl::StrFormat("%.2e", SpreadOf(up).mean)});
    }
    absl::StrAppend(
        &md, "### 3. Outliers\n\n",
        absl::StrFormat(
            "For each death in the reference runs (a death at step 1 has no "
            "window and is left out): the layer's largest MLP-input token "
            "norm (after the LayerNorm) and the unit's largest update of its "
            "fc1 row and bias over the %d steps up to its last firing, "
            "ranked among the same window statistic at steps where no unit "
            "of the layer died; \"local\": only such steps within %d steps "
            "of the death (the same phase of the learning-rate schedule); "
            "update baselines take the layer's units that fired on the step "
            "before. Rank = fraction of the baseline below (ties half): "
            "0.50 and 10%% in the top 10%% when deaths are unrelated to the "
            "statistic.\n\n",
            nd0.outlier_window(), nd0.dead_window()),
        MarkdownTable({"layer", "deaths", "input rank (local)",
                       "input rank "
                       "(all)",
                       "input top 10% (local)", "update rank (local)",
                       "update rank (all)", "update top 10% (local)"},
                      rows),
        "\n",
        MarkdownTable(
            {"layer", "input norm before deaths (median)", "baseline median",
             "baseline p99", "update before deaths (median)", "baseline median",
             "baseline p99"},
            base),
        "\n",
        absl::StrFormat(
            "A caveat on inputs: after the LayerNorm every token's norm is "
            "close to sqrt(d_model) (%.1f) times the gain. The largest norm "
            "of a step sits at %.2f–%.2f (baseline medians over layers) and "
            "its 99th percentile at most %.1f%% above the median%s The "
            "residual stream before the LayerNorm is not measured.\n\n",
            std::sqrt(static_cast<double>(rc.model().d_model())), lo, hi,
            100 * findings.input_norm_spread,
            findings.input_norm_spread < kMinOutlierSpread
                ? ", so large-norm inputs barely exist at the MLP's "
                  "input: this test can only catch outliers that "
                  "survive the normalisation."
                : "."));
    AppendRankDistributions(findings, report);
  }
  if (c.no_learning != nullptr || c.frozen != nullptr) {
    std::vector<std::vector<std::string>> rows;
    auto row = [&](const TrainingRecord& t, const std::string& what) {
      rows.push_back({what, t.name(), Pct(DeadTotal(t)),
                      Pct(Total(ProbeDeadAtEnd(t))), absl::StrCat(AllDeaths(t)),
                      absl::StrCat(AllRevivals(t))});
    };
    for (const TrainingRecord* t : ref) {
      if (c.frozen != nullptr && t->name() == c.frozen->config().init_from()) {
        row(*t, "trained (the frozen run's source)");
      }
    }
    if (c.no_learning != nullptr) row(*c.no_learning, "lr 0 from init");
    if (c.frozen != nullptr) row(*c.frozen, "lr 0 from the trained weights");
    absl::StrAppend(
        &md, "### 4. No learning\n\n",
        "The same data stream with learning rate 0: any unit that goes "
        "silent here does so because of the data alone.\n\n",
        MarkdownTable({"control", "run", "dead (training, all layers)",
                       "dead (probe)", "deaths", "revivals"},
                      rows),
        "\n");
  }

  // ---- Pruning ----
  if (r.pruning_size() > 0) {
    const int levels = r.pruning(0).levels_size();
    std::vector<std::vector<std::string>> rows;
    LinePlot plot{
        "Held-out loss with units removed (mean over reference "
        "runs; band: min..max)",
        "fraction of all MLP units removed",
        "held-out loss increase (nats/byte)",
        {}};
    Series s;
    s.title = "loss increase";
    s.points = true;
    std::vector<double> xs;
    for (int i = 0; i < levels; ++i) {
      std::vector<double> removed_total, delta;
      std::vector<std::vector<double>> removed(layers);
      for (const PruneCurve& p : r.pruning()) {
        double total = 0;
        for (int l = 0; l < layers; ++l) {
          removed[l].push_back(p.levels(i).removed(l) /
                               static_cast<double>(units));
          total += p.levels(i).removed(l);
        }
        removed_total.push_back(total / (layers * units));
        delta.push_back(p.levels(i).loss() - p.loss());
      }
      const float t = r.pruning(0).levels(i).threshold();
      std::vector<std::string> row = {
          t == 0 ? "silent over the last window" : absl::StrFormat("< %g", t),
          PctSpread(SpreadOf(removed_total))};
      for (int l = 0; l < layers; ++l)
        row.push_back(Pct(SpreadOf(removed[l]).mean));
      const Spread d = SpreadOf(delta);
      row.push_back(NumSpread(d, "%+.4f"));
      rows.push_back(std::move(row));
      s.x.push_back(SpreadOf(removed_total).mean);
      s.y.push_back(d.mean);
      s.lo.push_back(d.min);
      s.hi.push_back(d.max);
    }
    plot.series.push_back(s);
    std::vector<std::string> header = {"units removed: firing frequency",
                                       "removed (all layers)"};
    for (int l = 0; l < layers; ++l)
      header.push_back(absl::StrCat("layer ", l));
    header.push_back("held-out loss change");
    std::vector<double> intact;
    for (const PruneCurve& p : r.pruning()) intact.push_back(p.loss());
    absl::StrAppend(
        &md, "## Does death matter? Removing units\n\n",
        absl::StrFormat(
            "Each reference run's final model with units removed (their fc2 "
            "columns zeroed), by their firing frequency over the last %d "
            "training steps; held-out loss on the %lld-token probe batch "
            "(intact: %s nats/byte). Cumulative: each row removes the units "
            "of the rows above too.\n\n",
            nd0.dead_window(),
            static_cast<long long>(first.data().probe_tokens()),
            NumSpread(SpreadOf(intact), "%.4f")),
        MarkdownTable(header, rows), "\n",
        report.AddPlot("pruning", "pruning curve", plot), "\n\n");
  }

  absl::StrAppend(&md, SweepHowMeasured(results.run(), results_file, r.runs(),
                                        "neuron_death"));
  return report;
}

}  // namespace sparsity
