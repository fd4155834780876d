#include "metrics/neuron_death.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "metrics/percentile.h"

namespace sparsity {
namespace {

// Window maxima: out[k] = max of series[(j) * stride] over steps
// [max(1, k - w), k - 1] (1-based), for k = 1..steps; out[0] unused and
// out[1] = 0 (no window before step 1).
std::vector<float> WindowMaxBefore(const float* series, int64_t stride,
                                   int64_t steps, int64_t w) {
  std::vector<float> out(steps + 1, 0.0f);
  for (int64_t k = 2; k <= steps; ++k) {
    float m = 0;
    for (int64_t s = std::max<int64_t>(1, k - w); s <= k - 1; ++s) {
      m = std::max(m, series[(s - 1) * stride]);
    }
    out[k] = m;
  }
  return out;
}

float PercentileOf(const std::vector<float>& v, double q) {
  if (v.empty()) return 0;
  return static_cast<float>(
      Percentile(std::vector<double>(v.begin(), v.end()), q));
}

}  // namespace

std::vector<Silence> Silences(const uint32_t* counts, int64_t stride,
                              int64_t steps, int64_t min_length) {
  std::vector<Silence> out;
  int64_t start = 0;  // 1-based first silent step of the current run; 0: none
  for (int64_t k = 1; k <= steps + 1; ++k) {
    const bool silent = k <= steps && counts[(k - 1) * stride] == 0;
    if (silent && start == 0) start = k;
    if (!silent && start != 0) {
      const int64_t length = k - start;
      if (length >= min_length) out.push_back({start, length, k <= steps});
      start = 0;
    }
  }
  return out;
}

double Rank(const std::vector<float>& baseline, float value) {
  if (baseline.empty()) return 0.5;
  int64_t below = 0, equal = 0;
  for (float b : baseline) {
    below += b < value;
    equal += b == value;
  }
  return (below + 0.5 * equal) / static_cast<double>(baseline.size());
}

int FiringBin(double f) {
  if (f <= 0) return 0;
  if (f < 1e-4) return 1;
  if (f < 1e-3) return 2;
  if (f < 1e-2) return 3;
  if (f < 0.1) return 4;
  if (f < 0.5) return 5;
  return 6;
}

absl::Status ValidateDeathOptions(const DeathOptions& o) {
  if (o.dead_window < 1 || o.outlier_window < 1 || o.fade_bin < 1 ||
      o.fade_steps < o.fade_bin || o.fade_steps % o.fade_bin != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "neuron death: dead_window (", o.dead_window, ") and outlier_window (",
        o.outlier_window, ") must be >= 1, and fade_steps (", o.fade_steps,
        ") a positive multiple of fade_bin (", o.fade_bin, ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHistory(const NeuronDeathHistory& h,
                             const DeathOptions& o) {
  if (absl::Status s = ValidateDeathOptions(o); !s.ok()) return s;
  const int64_t per_step = static_cast<int64_t>(h.layers()) * h.units();
  if (h.layers() < 1 || h.units() < 1 || h.tokens_per_step() < 1) {
    return absl::InvalidArgumentError(
        "neuron death history: layers, units and tokens_per_step must be "
        "positive");
  }
  const int64_t steps = h.fire_counts_size() / per_step;
  if (h.fire_counts_size() != steps * per_step ||
      h.update_norms_size() != steps * per_step ||
      h.input_norms_size() != steps * h.layers() ||
      h.residual_norms_size() != steps * h.layers()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "neuron death history: sizes do not fit ", h.layers(), " layers x ",
        h.units(), " units per step (", h.fire_counts_size(), " counts, ",
        h.update_norms_size(), " updates, ", h.input_norms_size(),
        " input norms, ", h.residual_norms_size(), " residual norms)"));
  }
  return absl::OkStatus();
}

namespace {

// The per-unit pieces of a layer's analysis.
struct LayerView {
  const uint32_t* counts;  // history's fire_counts
  const float* updates;    // history's update_norms
  int64_t layer, units, per_step, steps;
  double tokens;
  uint32_t count(int64_t step, int64_t unit) const {  // step 1-based
    return counts[(step - 1) * per_step + layer * units + unit];
  }
  // Tokens `unit` fired on over steps [first, last], clipped to [1, steps].
  double Fires(int64_t unit, int64_t first, int64_t last) const {
    double fires = 0;
    for (int64_t k = std::max<int64_t>(1, first); k <= std::min(steps, last);
         ++k) {
      fires += count(k, unit);
    }
    return fires;
  }
  double Frequency(int64_t unit, int64_t first, int64_t length) const {
    return Fires(unit, first, first + length - 1) / (length * tokens);
  }
};

LayerView ViewOf(const NeuronDeathHistory& h, int64_t layer) {
  const int64_t per_step = static_cast<int64_t>(h.layers()) * h.units();
  return {h.fire_counts().data(),
          h.update_norms().data(),
          layer,
          h.units(),
          per_step,
          h.fire_counts_size() / per_step,
          static_cast<double>(h.tokens_per_step())};
}

// Firing frequencies of `unit` in fade_bin-step bins over the fade_steps
// steps before d; -1 for a bin before step 1.
std::vector<float> FadeOf(const LayerView& v, int64_t unit, int64_t d,
                          const DeathOptions& o) {
  std::vector<float> out;
  for (int64_t b = d - o.fade_steps; b < d; b += o.fade_bin) {
    out.push_back(b < 1 ? -1.0f
                        : static_cast<float>(v.Frequency(unit, b, o.fade_bin)));
  }
  return out;
}

// The never-dying unit whose frequency in the first fade bin before d is
// closest to `unit`'s (lowest index on ties); -1 if none or the bin starts
// before step 1.
int64_t CohortUnit(const LayerView& v, const std::vector<char>& never_dies,
                   int64_t unit, int64_t d, const DeathOptions& o) {
  const int64_t first = d - o.fade_steps;
  if (first < 1) return -1;
  const double target = v.Frequency(unit, first, o.fade_bin);
  int64_t best = -1;
  double best_gap = 0;
  for (int64_t u = 0; u < v.units; ++u) {
    if (!never_dies[u]) continue;
    const double gap = std::abs(v.Frequency(u, first, o.fade_bin) - target);
    if (best < 0 || gap < best_gap) best = u, best_gap = gap;
  }
  return best;
}

// Units, counts, revivals, final frequencies and per-step dead counts of
// one layer; returns its deaths as (unit, silence).
std::vector<std::pair<int64_t, Silence>> UnitDeaths(const LayerView& v,
                                                    int64_t W,
                                                    LayerDeath* layer) {
  const int64_t T = v.steps;
  std::vector<int32_t> dead(T + 1, 0), revived(T + 1, 0);
  std::vector<std::pair<int64_t, Silence>> deaths;
  for (int64_t j = 0; j < v.units; ++j) {
    const uint32_t* unit = v.counts + v.layer * v.units + j;
    int64_t last = 0;
    for (int64_t k = T; k >= 1 && last == 0; --k) {
      if (v.count(k, j) > 0) last = k;
    }
    layer->add_last_fired(static_cast<int32_t>(last));
    int32_t revivals = 0, death_step = 0;
    for (const Silence& s : Silences(unit, v.per_step, T, W)) {
      for (int64_t k = s.first; k < s.first + s.length; ++k) ++dead[k];
      if (s.revived) {
        ++revivals;
        ++revived[s.first + s.length];
      } else {
        death_step = static_cast<int32_t>(s.first);
      }
      deaths.emplace_back(j, s);
    }
    layer->add_revivals(revivals);
    layer->add_death_step(death_step);
    const int64_t window = std::min(W, T);
    layer->add_final_frequency(
        static_cast<float>(v.Frequency(j, T - window + 1, window)));
  }
  layer->mutable_dead()->Add(dead.begin() + 1, dead.end());
  layer->mutable_revived()->Add(revived.begin() + 1, revived.end());
  return deaths;
}

// Histograms over dead_window-step windows: early, middle, final.
void AddHistograms(const LayerView& v, int64_t W, LayerDeath* layer) {
  const int64_t T = v.steps, window = std::min(W, T);
  std::vector<int64_t> ends;
  for (int64_t end : {window, std::max(window, T / 2), T}) {
    if (end >= 1 && (ends.empty() || end != ends.back())) ends.push_back(end);
  }
  for (int64_t end : ends) {
    FiringHistogram& hist = *layer->add_histograms();
    hist.set_step(static_cast<int>(end));
    hist.set_window_steps(static_cast<int>(window));
    std::vector<int32_t> bins(kFiringBins, 0);
    for (int64_t j = 0; j < v.units; ++j) {
      ++bins[FiringBin(v.Frequency(j, end - window + 1, window))];
    }
    hist.mutable_counts()->Add(bins.begin(), bins.end());
  }
}

// The outlier statistics of one layer: window maxima before every step.
struct LayerOutliers {
  std::vector<float> input, residual;       // [step]
  std::vector<std::vector<float>> updates;  // [unit][step]
};

LayerOutliers OutliersOf(const NeuronDeathHistory& h, const LayerView& v,
                         int64_t w, LayerDeath* layer) {
  const int64_t L = h.layers(), T = v.steps;
  LayerOutliers out;
  out.input = WindowMaxBefore(h.input_norms().data() + v.layer, L, T, w);
  out.residual = WindowMaxBefore(h.residual_norms().data() + v.layer, L, T, w);
  for (int64_t j = 0; j < v.units; ++j) {
    out.updates.push_back(
        WindowMaxBefore(v.updates + v.layer * v.units + j, v.per_step, T, w));
  }
  // Baselines for the report's spread: every step 2..T; updates of the
  // units that fired on the step before.
  std::vector<float> update_base;
  for (int64_t k = 2; k <= T; ++k) {
    for (int64_t j = 0; j < v.units; ++j) {
      if (v.count(k - 1, j) > 0) update_base.push_back(out.updates[j][k]);
    }
  }
  const std::vector<float> input(
      out.input.begin() + std::min<int64_t>(2, T + 1), out.input.end());
  const std::vector<float> residual(
      out.residual.begin() + std::min<int64_t>(2, T + 1), out.residual.end());
  layer->set_input_norm_median(PercentileOf(input, 50));
  layer->set_input_norm_p99(PercentileOf(input, 99));
  layer->set_residual_norm_median(PercentileOf(residual, 50));
  layer->set_residual_norm_p99(PercentileOf(residual, 99));
  layer->set_update_norm_median(PercentileOf(update_base, 50));
  layer->set_update_norm_p99(PercentileOf(update_base, 99));
  return out;
}

// The outlier values and ranks of a death of `unit` at step d >= 2.
void RankDeath(const LayerView& v, const LayerOutliers& x, int64_t unit,
               int64_t d, int64_t block, int64_t stride, DeathEvent* e) {
  e->set_input_norm(x.input[d]);
  e->set_residual_norm(x.residual[d]);
  e->set_update_norm(x.updates[unit][d]);
  e->set_input_rank(static_cast<float>(BlockRank(x.input, d, block, stride)));
  e->set_residual_rank(
      static_cast<float>(BlockRank(x.residual, d, block, stride)));
  std::vector<float> peers;
  // (distance in log firing count over the window, unit) of the peers.
  std::vector<std::pair<double, int64_t>> by_rarity;
  const auto fires = [&](int64_t u) { return v.Fires(u, d - stride, d - 1); };
  const double own = std::log(fires(unit));  // > 0: it fired on d - 1
  for (int64_t u = 0; u < v.units; ++u) {
    if (v.count(d - 1, u) == 0) continue;
    peers.push_back(x.updates[u][d]);
    by_rarity.push_back({std::abs(std::log(fires(u)) - own), u});
  }
  e->set_update_rank(static_cast<float>(Rank(peers, x.updates[unit][d])));
  const size_t k = std::min<size_t>(kRarityPeers, by_rarity.size());
  std::partial_sort(by_rarity.begin(), by_rarity.begin() + k, by_rarity.end());
  std::vector<float> matched;
  for (size_t i = 0; i < k; ++i) {
    matched.push_back(x.updates[by_rarity[i].second][d]);
  }
  e->set_update_rank_matched(
      static_cast<float>(Rank(matched, x.updates[unit][d])));
}

}  // namespace

double BlockRank(const std::vector<float>& by_step, int64_t step, int64_t block,
                 int64_t stride) {
  const int64_t steps = static_cast<int64_t>(by_step.size()) - 1;
  const int64_t start = (step - 1) / block * block + 1;
  const int64_t last = std::min(steps, start + block - 1);
  std::vector<float> candidates;
  for (int64_t k = step; k >= std::max<int64_t>(2, start); k -= stride) {
    candidates.push_back(by_step[k]);
  }
  for (int64_t k = step + stride; k <= last; k += stride) {
    candidates.push_back(by_step[k]);
  }
  return Rank(candidates, by_step[step]);
}

NeuronDeathRecord AnalyzeNeuronDeath(const NeuronDeathHistory& h,
                                     const DeathOptions& o) {
  const int64_t L = h.layers(), U = h.units();
  NeuronDeathRecord r;
  r.set_dead_window(o.dead_window);
  r.set_outlier_window(o.outlier_window);
  r.set_fade_steps(o.fade_steps);
  r.set_fade_bin(o.fade_bin);
  r.set_tokens_per_step(h.tokens_per_step());
  for (int64_t l = 0; l < L; ++l) {
    const LayerView v = ViewOf(h, l);
    LayerDeath& layer = *r.add_layers();
    layer.set_layer(static_cast<int>(l));
    const auto deaths = UnitDeaths(v, o.dead_window, &layer);
    AddHistograms(v, o.dead_window, &layer);
    const LayerOutliers x = OutliersOf(h, v, o.outlier_window, &layer);
    std::vector<char> never_dies(U, 1);
    for (const auto& [j, s] : deaths) never_dies[j] = 0;
    for (const auto& [j, s] : deaths) {
      DeathEvent& e = *r.add_deaths();
      e.set_layer(static_cast<int>(l));
      e.set_unit(static_cast<int>(j));
      e.set_step(static_cast<int>(s.first));
      e.set_silent_steps(static_cast<int>(s.length));
      e.set_revived(s.revived);
      if (s.first >= 2) {
        RankDeath(v, x, j, s.first, o.dead_window, o.outlier_window, &e);
      } else {
        e.set_input_rank(-1);
        e.set_update_rank(-1);
        e.set_residual_rank(-1);
        e.set_update_rank_matched(-1);
      }
      for (float f : FadeOf(v, j, s.first, o)) e.add_fade(f);
      const int64_t cohort = CohortUnit(v, never_dies, j, s.first, o);
      e.set_cohort_unit(static_cast<int>(cohort));
      if (cohort >= 0) {
        for (float f : FadeOf(v, cohort, s.first, o)) e.add_cohort_fade(f);
      }
    }
  }
  return r;
}

void FillLearningSilence(const NeuronDeathHistory& h, FrozenSilence* f) {
  const int64_t c = f->step(), W = f->steps();
  const int64_t recent_first = std::max<int64_t>(1, c - kActiveSteps + 1);
  const double recent_tokens =
      static_cast<double>(c - recent_first + 1) * h.tokens_per_step();
  f->clear_alive();
  f->clear_learning_silent();
  f->clear_active();
  for (int64_t l = 0; l < h.layers(); ++l) {
    const LayerView v = ViewOf(h, l);
    UnitSet& alive = *f->add_alive();
    UnitSet& silent = *f->add_learning_silent();
    UnitSet& active = *f->add_active();
    for (int64_t j = 0; j < v.units; ++j) {
      const double recent = v.Fires(j, recent_first, c);
      const double before = v.Fires(j, c - W + 1, c);
      const double after = v.Fires(j, c + 1, c + W);
      if (before == 0) continue;
      alive.add_units(static_cast<int32_t>(j));
      if (after == 0) silent.add_units(static_cast<int32_t>(j));
      if (recent >= kActiveFrequency * recent_tokens) {
        active.add_units(static_cast<int32_t>(j));
      }
    }
  }
}

}  // namespace sparsity
