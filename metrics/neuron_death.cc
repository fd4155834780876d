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
      h.input_norms_size() != steps * h.layers()) {
    return absl::InvalidArgumentError(
        absl::StrCat("neuron death history: sizes do not fit ", h.layers(),
                     " layers x ", h.units(), " units per step (",
                     h.fire_counts_size(), " counts, ", h.update_norms_size(),
                     " updates, ", h.input_norms_size(), " input norms)"));
  }
  return absl::OkStatus();
}

NeuronDeathRecord AnalyzeNeuronDeath(const NeuronDeathHistory& h,
                                     const DeathOptions& o) {
  const int64_t L = h.layers(), U = h.units();
  const int64_t per_step = L * U;
  const int64_t T = h.fire_counts_size() / per_step;
  const double tokens = static_cast<double>(h.tokens_per_step());
  const uint32_t* counts = h.fire_counts().data();
  const float* updates = h.update_norms().data();
  const int64_t W = o.dead_window;

  NeuronDeathRecord r;
  r.set_dead_window(o.dead_window);
  r.set_outlier_window(o.outlier_window);
  r.set_fade_steps(o.fade_steps);
  r.set_fade_bin(o.fade_bin);
  r.set_tokens_per_step(h.tokens_per_step());

  for (int64_t l = 0; l < L; ++l) {
    LayerDeath& layer = *r.add_layers();
    layer.set_layer(static_cast<int>(l));
    std::vector<int32_t> dead(T + 1, 0), revived(T + 1, 0);
    std::vector<char> death_at(T + 2, 0);  // a death of this layer starts at k
    std::vector<std::pair<int64_t, Silence>> deaths;  // (unit, silence)
    for (int64_t j = 0; j < U; ++j) {
      const uint32_t* unit = counts + l * U + j;
      int64_t last = 0;
      for (int64_t k = T; k >= 1; --k) {
        if (unit[(k - 1) * per_step] > 0) {
          last = k;
          break;
        }
      }
      layer.add_last_fired(static_cast<int32_t>(last));
      int32_t revivals = 0, death_step = 0;
      for (const Silence& s : Silences(unit, per_step, T, W)) {
        for (int64_t k = s.first; k < s.first + s.length; ++k) ++dead[k];
        if (s.revived) {
          ++revivals;
          ++revived[s.first + s.length];
        } else {
          death_step = static_cast<int32_t>(s.first);
        }
        death_at[s.first] = 1;
        deaths.emplace_back(j, s);
      }
      layer.add_revivals(revivals);
      layer.add_death_step(death_step);
      const int64_t window = std::min(W, T);
      double fires = 0;
      for (int64_t k = T - window + 1; k <= T; ++k) {
        fires += unit[(k - 1) * per_step];
      }
      layer.add_final_frequency(
          window > 0 ? static_cast<float>(fires / (window * tokens)) : 0.0f);
    }
    layer.mutable_dead()->Add(dead.begin() + 1, dead.end());
    layer.mutable_revived()->Add(revived.begin() + 1, revived.end());

    // Histograms over dead_window-step windows: early, middle, final.
    std::vector<int64_t> ends;
    const int64_t window = std::min(W, T);
    for (int64_t end : {window, std::max(window, T / 2), T}) {
      if (end >= 1 && (ends.empty() || end != ends.back())) ends.push_back(end);
    }
    for (int64_t end : ends) {
      FiringHistogram& hist = *layer.add_histograms();
      hist.set_step(static_cast<int>(end));
      hist.set_window_steps(static_cast<int>(window));
      std::vector<int32_t> bins(kFiringBins, 0);
      for (int64_t j = 0; j < U; ++j) {
        double fires = 0;
        for (int64_t k = end - window + 1; k <= end; ++k) {
          fires += counts[(k - 1) * per_step + l * U + j];
        }
        ++bins[FiringBin(fires / (window * tokens))];
      }
      hist.mutable_counts()->Add(bins.begin(), bins.end());
    }

    // Outliers: window maxima before every step, then baselines.
    const std::vector<float> input_max =
        WindowMaxBefore(h.input_norms().data() + l, L, T, o.outlier_window);
    std::vector<std::vector<float>> update_max(U);
    for (int64_t j = 0; j < U; ++j) {
      update_max[j] =
          WindowMaxBefore(updates + l * U + j, per_step, T, o.outlier_window);
    }
    // Baseline steps: 2..T with no death of this layer starting there.
    std::vector<float> input_base, update_base;
    std::vector<int64_t> base_steps;
    for (int64_t k = 2; k <= T; ++k) {
      if (death_at[k]) continue;
      base_steps.push_back(k);
      input_base.push_back(input_max[k]);
      for (int64_t j = 0; j < U; ++j) {
        if (counts[(k - 2) * per_step + l * U + j] > 0) {
          update_base.push_back(update_max[j][k]);
        }
      }
    }
    layer.set_input_norm_median(PercentileOf(input_base, 50));
    layer.set_input_norm_p99(PercentileOf(input_base, 99));
    layer.set_update_norm_median(PercentileOf(update_base, 50));
    layer.set_update_norm_p99(PercentileOf(update_base, 99));

    for (const auto& [j, s] : deaths) {
      DeathEvent& e = *r.add_deaths();
      e.set_layer(static_cast<int>(l));
      e.set_unit(static_cast<int>(j));
      e.set_step(static_cast<int>(s.first));
      e.set_silent_steps(static_cast<int>(s.length));
      e.set_revived(s.revived);
      const int64_t d = s.first;
      if (d >= 2) {
        e.set_input_norm(input_max[d]);
        e.set_update_norm(update_max[j][d]);
        e.set_input_rank(static_cast<float>(Rank(input_base, input_max[d])));
        e.set_update_rank(
            static_cast<float>(Rank(update_base, update_max[j][d])));
        std::vector<float> input_local, update_local;
        for (int64_t k : base_steps) {
          if (std::llabs(k - d) > W) continue;
          input_local.push_back(input_max[k]);
          for (int64_t u = 0; u < U; ++u) {
            if (counts[(k - 2) * per_step + l * U + u] > 0) {
              update_local.push_back(update_max[u][k]);
            }
          }
        }
        e.set_input_rank_local(
            static_cast<float>(Rank(input_local, input_max[d])));
        e.set_update_rank_local(
            static_cast<float>(Rank(update_local, update_max[j][d])));
      } else {
        for (auto set :
             {&DeathEvent::set_input_rank, &DeathEvent::set_update_rank,
              &DeathEvent::set_input_rank_local,
              &DeathEvent::set_update_rank_local}) {
          (e.*set)(-1);
        }
      }
      for (int64_t b = d - o.fade_steps; b < d; b += o.fade_bin) {
        if (b < 1) {  // before the first step: no data
          e.add_fade(-1);
          continue;
        }
        double fires = 0;
        for (int64_t k = b; k < b + o.fade_bin; ++k) {
          fires += counts[(k - 1) * per_step + l * U + j];
        }
        e.add_fade(static_cast<float>(fires / (o.fade_bin * tokens)));
      }
    }
  }
  return r;
}

}  // namespace sparsity
