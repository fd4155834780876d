#include "reports/validate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sparsity {
namespace {

absl::Status Bad(const std::string& where, const std::string& what) {
  return absl::DataLossError(
      absl::StrCat(where, ": ", what,
                   " (the file is damaged or was made by "
                   "a bug; re-run the experiment)"));
}

bool InUnit(double v) { return std::isfinite(v) && v >= 0 && v <= 1; }

absl::Status ValidateLayer(const LayerSparsity& l, int index, int64_t d_ff,
                           const std::string& where) {
  const std::string at = absl::StrCat(where, ", layer ", index);
  if (l.layer() != index) {
    return Bad(at, absl::StrCat("holds layer ", l.layer()));
  }
  const std::pair<const char*, double> fields[] = {
      {"token_density_mean", l.token_density_mean()},
      {"token_density_p10", l.token_density_p10()},
      {"token_density_p50", l.token_density_p50()},
      {"token_density_p90", l.token_density_p90()},
      {"sequence_union_density", l.sequence_union_density()},
      {"batch_union_density", l.batch_union_density()},
      {"window_union_density", l.window_union_density()},
      {"rare_unit_fraction", l.rare_unit_fraction()},
  };
  for (const auto& [name, v] : fields) {
    if (!InUnit(v)) {
      return Bad(at, absl::StrCat(name, " is ", v, ", not in [0, 1]"));
    }
  }
  constexpr double kTol = 1e-6;
  if (l.token_density_p10() > l.token_density_p50() + kTol ||
      l.token_density_p50() > l.token_density_p90() + kTol) {
    return Bad(at, "token density percentiles are not ordered");
  }
  if (l.token_density_mean() > l.sequence_union_density() + kTol ||
      l.sequence_union_density() > l.batch_union_density() + kTol) {
    return Bad(at,
               "token density <= sequence union <= batch union does not hold");
  }
  // Results written before the window union existed have window_tokens 0.
  if (l.window_tokens() < 0 ||
      (l.window_tokens() > 0 &&
       (l.sequence_union_density() > l.window_union_density() + kTol ||
        l.window_union_density() > l.batch_union_density() + kTol))) {
    return Bad(at,
               "sequence union <= window union <= batch union does not "
               "hold, or window_tokens is negative");
  }
  if (l.dead_units() < 0 || l.dead_units() > d_ff) {
    return Bad(at, absl::StrCat("dead_units is ", l.dead_units(),
                                ", not in [0, d_ff = ", d_ff, "]"));
  }
  if (l.firing_frequency_size() != 0 && l.firing_frequency_size() != d_ff) {
    return Bad(at, absl::StrCat("has ", l.firing_frequency_size(),
                                " firing frequencies for d_ff = ", d_ff));
  }
  for (float f : l.firing_frequency()) {
    if (!InUnit(f)) {
      return Bad(at, absl::StrCat("a firing frequency is ", f));
    }
  }
  return absl::OkStatus();
}

// `first`: the first run of the same variant; runs of one variant are
// averaged, so they must share layers, units and probe steps. `probes`:
// the experiment measures sparsity probes (every run must hold some).
absl::Status ValidateRun(const TrainingRecord& run, const TrainingRecord& first,
                         bool probes, const std::string& file) {
  const std::string where = absl::StrCat(file, ", run ", run.name());
  const ModelConfig& m = run.config().model();
  if (m.n_layers() <= 0 || m.n_layers() > 1024 || m.d_ff() <= 0 ||
      m.d_ff() > (1 << 20)) {
    return Bad(where, absl::StrCat("config has n_layers ", m.n_layers(),
                                   " and d_ff ", m.d_ff()));
  }
  const ModelConfig& f = first.config().model();
  if (run.loss_size() != first.loss_size()) {
    return Bad(where, absl::StrCat("has ", run.loss_size(), " steps; run ",
                                   first.name(), " of the same variant ",
                                   first.loss_size()));
  }
  if (m.n_layers() != f.n_layers() || m.d_ff() != f.d_ff()) {
    return Bad(where, absl::StrCat("has ", m.n_layers(), " layers of ",
                                   m.d_ff(), " units; run ", first.name(),
                                   " of the same variant ", f.n_layers(),
                                   " of ", f.d_ff()));
  }
  if (run.loss_size() == 0 || (probes && run.probes_size() == 0)) {
    return Bad(where, "holds no loss curve or no probes");
  }
  const DataSummary& d = run.data();
  for (double fraction :
       {d.train_unknown_fraction(), d.probe_unknown_fraction()}) {
    if (!(fraction >= 0 && fraction <= 1)) {
      return Bad(where, absl::StrCat("an <unk> fraction is ", fraction));
    }
  }
  const bool words = run.config().data().tokenizer() == DataConfig::WORDS;
  if (words ? d.vocabulary_size() < 2 || d.distinct_training_words() < 1
            : d.vocabulary_size() != 0 || d.distinct_training_words() != 0) {
    return Bad(
        where,
        absl::StrCat(words ? "words" : "bytes", " with a vocabulary of ",
                     d.vocabulary_size(), " and ", d.distinct_training_words(),
                     " distinct training words"));
  }
  for (const LossPoint& p : run.loss()) {
    if (!std::isfinite(p.loss())) {
      return Bad(where,
                 absl::StrCat("loss at step ", p.step(), " is ", p.loss()));
    }
  }
  if (run.probes_size() != first.probes_size()) {
    return Bad(where, absl::StrCat("has ", run.probes_size(), " probes, run ",
                                   first.name(), " ", first.probes_size()));
  }
  for (int i = 0; i < run.probes_size(); ++i) {
    const Probe& p = run.probes(i);
    const std::string at = absl::StrCat(where, ", probe at step ", p.step());
    if (i > 0 && p.step() <= run.probes(i - 1).step()) {
      return Bad(at, "probe steps are not increasing");
    }
    if (p.step() != first.probes(i).step()) {
      return Bad(at, absl::StrCat("run ", first.name(), " probed at step ",
                                  first.probes(i).step()));
    }
    if (!std::isfinite(p.probe_loss())) {
      return Bad(at, absl::StrCat("probe_loss is ", p.probe_loss()));
    }
    if (p.layers_size() != m.n_layers()) {
      return Bad(at, absl::StrCat("has ", p.layers_size(),
                                  " layers; the config has ", m.n_layers()));
    }
    for (int l = 0; l < p.layers_size(); ++l) {
      if (absl::Status s = ValidateLayer(p.layers(l), l, m.d_ff(), at);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

// The frozen continuations: steps inside the run, one unit set per layer,
// units in range, learning_silent and active within alive.
absl::Status ValidateFrozen(const NeuronDeathRecord& nd, int64_t units,
                            int64_t steps, const std::string& where) {
  for (const FrozenSilence& f : nd.frozen()) {
    const std::string at = absl::StrCat(where, ", frozen at step ", f.step());
    bool ok = f.step() >= 1 && f.steps() >= 1 &&
              f.step() + f.steps() <= steps &&
              f.frozen_silent_size() == nd.layers_size() &&
              f.alive_size() == nd.layers_size() &&
              f.learning_silent_size() == nd.layers_size();
    for (int l = 0; ok && l < f.alive_size(); ++l) {
      const std::set<int> alive(f.alive(l).units().begin(),
                                f.alive(l).units().end());
      for (int u : f.learning_silent(l).units()) ok &= alive.count(u) > 0;
      if (l < f.active_size()) {
        for (int u : f.active(l).units()) ok &= alive.count(u) > 0;
      }
      for (const UnitSet* set : {&f.alive(l), &f.frozen_silent(l)}) {
        for (int u : set->units()) ok &= u >= 0 && u < units;
      }
    }
    if (!ok) return Bad(at, "has steps, layers or units out of range");
  }
  return absl::OkStatus();
}

absl::Status ValidateDeathRecord(const TrainingRecord& run,
                                 const std::string& file) {
  const std::string where =
      absl::StrCat(file, ", run ", run.name(), ", neuron death");
  const NeuronDeathRecord& nd = run.neuron_death();
  const int64_t units = run.config().model().d_ff();
  const int64_t steps = run.loss_size();
  if (steps != run.config().train().steps()) {
    return Bad(where, absl::StrCat("holds ", steps, " loss points for ",
                                   run.config().train().steps(), " steps"));
  }
  if (nd.history().fire_counts_size() > 0) {
    return Bad(where, "still holds its raw history (the run did not finish)");
  }
  if (nd.dead_window() < 1 || nd.outlier_window() < 1 || nd.fade_bin() < 1 ||
      nd.fade_steps() < nd.fade_bin() || nd.fade_steps() % nd.fade_bin() != 0 ||
      nd.fade_steps() > steps || nd.tokens_per_step() < 1) {
    return Bad(where, absl::StrCat("dead_window ", nd.dead_window(),
                                   ", outlier_window ", nd.outlier_window(),
                                   ", fade_steps ", nd.fade_steps(),
                                   ", fade_bin ", nd.fade_bin(),
                                   ", tokens_per_step ", nd.tokens_per_step()));
  }
  if (nd.layers_size() != run.config().model().n_layers()) {
    return Bad(where, absl::StrCat("has ", nd.layers_size(),
                                   " layers; the config has ",
                                   run.config().model().n_layers()));
  }
  for (const LayerDeath& l : nd.layers()) {
    const std::string at = absl::StrCat(where, ", layer ", l.layer());
    if (l.last_fired_size() != units || l.death_step_size() != units ||
        l.revivals_size() != units || l.final_frequency_size() != units ||
        l.dead_size() != steps || l.revived_size() != steps) {
      return Bad(at, absl::StrCat("per-unit or per-step fields do not hold ",
                                  units, " units and ", steps, " steps"));
    }
    for (int j = 0; j < units; ++j) {
      if (l.last_fired(j) < 0 || l.last_fired(j) > steps ||
          l.death_step(j) < 0 || l.death_step(j) > steps || l.revivals(j) < 0 ||
          !InUnit(l.final_frequency(j))) {
        return Bad(at,
                   absl::StrCat("unit ", j, " has last_fired ", l.last_fired(j),
                                ", death_step ", l.death_step(j),
                                ", final_frequency ", l.final_frequency(j)));
      }
    }
    for (int d : l.dead()) {
      if (d < 0 || d > units) return Bad(at, absl::StrCat("dead count ", d));
    }
    if (l.histograms_size() != nd.layers(0).histograms_size()) {
      return Bad(at, "has another number of histograms than layer 0");
    }
    for (const FiringHistogram& h : l.histograms()) {
      int64_t sum = 0;
      for (int c : h.counts()) sum += c < 0 ? units + 1 : c;
      if (h.counts_size() != 7 || sum != units) {
        return Bad(at, absl::StrCat("histogram at step ", h.step(),
                                    " does not hold ", units, " units"));
      }
    }
  }
  if (absl::Status s = ValidateFrozen(nd, units, steps, where); !s.ok()) {
    return s;
  }
  const int fade_points = nd.fade_steps() / nd.fade_bin();
  for (const DeathEvent& e : nd.deaths()) {
    const std::string at =
        absl::StrCat(where, ", death of layer ", e.layer(), " unit ", e.unit());
    const bool no_window = e.input_rank() == -1;
    bool ok = e.layer() >= 0 && e.layer() < nd.layers_size() && e.unit() >= 0 &&
              e.unit() < units && e.step() >= 1 && e.step() <= steps &&
              e.fade_size() == fade_points &&
              (e.cohort_unit() < 0 ? e.cohort_fade_size() == 0
                                   : e.cohort_unit() < units &&
                                         e.cohort_fade_size() == fade_points);
    for (float rank : {e.input_rank(), e.update_rank(), e.residual_rank(),
                       e.update_rank_matched()}) {
      ok &= no_window ? rank == -1 : InUnit(rank);
    }
    for (float f : e.fade()) ok &= f == -1 || InUnit(f);
    for (float f : e.cohort_fade()) ok &= f == -1 || InUnit(f);
    if (!ok) {
      return Bad(
          at, absl::StrCat("at step ", e.step(), " has a field out of range"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePruning(const NeuronDeathResults& r,
                             const std::string& file) {
  std::map<std::string, const TrainingRecord*> runs;
  for (const TrainingRecord& t : r.runs()) runs[t.name()] = &t;
  for (const PruneCurve& p : r.pruning()) {
    const std::string where = absl::StrCat(file, ", pruning of ", p.run());
    auto it = runs.find(p.run());
    if (it == runs.end() || it->second->variant() != r.config().reference()) {
      return Bad(where, "names no reference run");
    }
    const ModelConfig& m = it->second->config().model();
    if (p.levels_size() == 0 || !std::isfinite(p.loss())) {
      return Bad(where, "holds no levels or a non-finite loss");
    }
    if (p.levels_size() != r.pruning(0).levels_size()) {
      return Bad(where, "has a different number of levels than the first");
    }
    for (int i = 0; i < p.levels_size(); ++i) {
      const PruneLevel& level = p.levels(i);
      bool ok = std::isfinite(level.loss()) &&
                level.removed_size() == m.n_layers() &&
                (i == 0 || level.threshold() > p.levels(i - 1).threshold());
      for (int l = 0; ok && l < level.removed_size(); ++l) {
        ok = level.removed(l) >= 0 && level.removed(l) <= m.d_ff() &&
             (i == 0 || level.removed(l) >= p.levels(i - 1).removed(l));
      }
      if (!ok) {
        return Bad(where, absl::StrCat("level ", i, " (threshold ",
                                       level.threshold(), ") is inconsistent"));
      }
    }
  }
  return absl::OkStatus();
}

// Every run against the first of its variant (runs of a variant are
// averaged).
absl::Status ValidateRuns(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
    const std::string& file_name, bool probes = true) {
  if (runs.empty()) return Bad(file_name, "holds no runs");
  std::map<std::string, const TrainingRecord*> first_of_variant;
  for (const TrainingRecord& run : runs) {
    const TrainingRecord* first =
        first_of_variant.emplace(run.variant(), &run).first->second;
    if (absl::Status s = ValidateRun(run, *first, probes, file_name); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status HasReference(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
    const std::string& reference, const std::string& file_name) {
  for (const TrainingRecord& run : runs) {
    if (run.variant() == reference) return absl::OkStatus();
  }
  return Bad(file_name, absl::StrCat("holds no run of the reference variant '",
                                     reference, "'"));
}

bool InRange(double v, double lo, double hi) {
  return std::isfinite(v) && v >= lo && v <= hi;
}

absl::Status ValidateSimilarity(const SimilarityAtScale& s, float scale,
                                int layers, const std::string& where) {
  if (s.scale() != scale) {
    return Bad(where, absl::StrCat("similarity at c = ", s.scale(),
                                   " where the config says ", scale));
  }
  if (s.layers_size() != layers) {
    return Bad(where, absl::StrCat("similarity has ", s.layers_size(),
                                   " layers for ", layers));
  }
  for (float v : s.layers()) {
    if (!InRange(v, -1 - 1e-5, 1 + 1e-5)) {
      return Bad(where, absl::StrCat("a similarity is ", v));
    }
  }
  return absl::OkStatus();
}

// The trajectory of a norm-growth record: cumulative learning rates,
// per-layer saturation, group fits, parameter norms and the direction
// matrix.
absl::Status ValidateNormTrajectory(const NormGrowthRecord& r, int layers,
                                    const std::string& where) {
  double previous_lr = 0;
  for (const NormPoint& p : r.points()) {
    if (!InRange(p.cumulative_lr(), previous_lr, 1e12) ||
        (p.saturation_size() != 0 && p.saturation_size() != layers)) {
      return Bad(where,
                 absl::StrCat("at step ", p.step(), ": cumulative lr ",
                              p.cumulative_lr(), ", ", p.saturation_size(),
                              " saturation values"));
    }
    previous_lr = p.cumulative_lr();
    for (float v : p.saturation()) {
      if (!InRange(v, -1 - 1e-5, 1 + 1e-5)) {
        return Bad(where, absl::StrCat("a saturation cosine is ", v));
      }
    }
  }
  if (r.group_fits_size() != 2 * (r.groups_size() + 2)) {
    return Bad(where,
               absl::StrCat("holds ", r.group_fits_size(), " group fits for ",
                            r.groups_size(), " groups"));
  }
  for (const GroupFits& g : r.group_fits()) {
    if (g.fits_size() != 3 || !InRange(g.fits(2).alpha(), 0, 10) ||
        !InRange(g.fits(2).r2(), -1e9, 1 + 1e-9)) {
      return Bad(where,
                 absl::StrCat("the fits of ", g.group(), " against ", g.clock(),
                              " are incomplete or out of "
                              "range"));
    }
  }
  for (const ParameterNorm& p : r.parameter_norms()) {
    if (!InRange(p.init(), 0, 1e30) || !InRange(p.final(), 0, 1e30)) {
      return Bad(where, absl::StrCat("parameter ", p.name(), " has norms ",
                                     p.init(), " and ", p.final()));
    }
  }
  const DirectionMatrix& d = r.direction();
  if (d.steps_size() < 2 || d.cos_size() != d.steps_size() * d.steps_size()) {
    return Bad(where, absl::StrCat("the direction matrix has ", d.steps_size(),
                                   " steps and ", d.cos_size(), " cosines"));
  }
  for (double v : d.cos()) {
    if (!InRange(v, -1 - 1e-9, 1 + 1e-9)) {
      return Bad(where, absl::StrCat("a direction cosine is ", v));
    }
  }
  return absl::OkStatus();
}

// One run's norm-growth record against its config and the first run of its
// variant (whose probe steps it must share).
absl::Status ValidateNormRecord(const TrainingRecord& run,
                                const TrainingRecord& first,
                                const NormGrowthConfig& config,
                                const std::string& file) {
  const std::string where = absl::StrCat(file, ", run ", run.name());
  const NormGrowthRecord& r = run.norm_growth();
  const int64_t steps = run.config().train().steps();
  const int layers = run.config().model().n_layers();
  const int heads = run.config().model().n_heads();
  if (r.groups_size() == 0 || r.points_size() < 3) {
    return Bad(where, absl::StrCat("holds ", r.groups_size(), " groups and ",
                                   r.points_size(), " norm points"));
  }
  if (r.points_size() != first.norm_growth().points_size()) {
    return Bad(where, absl::StrCat("has ", r.points_size(),
                                   " norm points; run ", first.name(), " ",
                                   first.norm_growth().points_size()));
  }
  for (int i = 0; i < r.points_size(); ++i) {
    const NormPoint& p = r.points(i);
    const std::string at = absl::StrCat(where, ", norm at step ", p.step());
    if (p.step() != first.norm_growth().points(i).step() ||
        (i == 0 ? p.step() != 0 : p.step() <= r.points(i - 1).step()) ||
        p.step() > steps) {
      return Bad(at, "norm steps do not rise from 0 as the variant's do");
    }
    if (!(std::isfinite(p.rho()) && p.rho() > 0) ||
        p.group_rho_size() != r.groups_size() ||
        !std::isfinite(p.probe_loss())) {
      return Bad(at, absl::StrCat("rho ", p.rho(), ", ", p.group_rho_size(),
                                  " group norms, probe loss ", p.probe_loss()));
    }
    double sum = 0;
    for (double g : p.group_rho()) {
      if (!InRange(g, 0, 1e30))
        return Bad(at, absl::StrCat("a group norm is ", g));
      sum += g * g;
    }
    if (std::abs(std::sqrt(sum) - p.rho()) > 1e-6 * p.rho()) {
      return Bad(at, absl::StrCat("the group norms make ", std::sqrt(sum),
                                  ", not rho ", p.rho()));
    }
    const bool last = i + 1 == r.points_size();
    if (p.has_next() == last) {
      return Bad(at, last ? "the last point has a next step"
                          : "the next step's geometry is missing");
    }
    if (!last && !(InRange(p.direction_cos(), -1 - 1e-9, 1 + 1e-9) &&
                   InRange(p.alignment_cos(), -1 - 1e-9, 1 + 1e-9) &&
                   InRange(p.step_size(), 0, 1e30))) {
      return Bad(
          at, absl::StrCat("direction ", p.direction_cos(), ", alignment ",
                           p.alignment_cos(), ", step size ", p.step_size()));
    }
  }
  if (r.points(r.points_size() - 1).step() != steps) {
    return Bad(where, "the last norm point is not at the last step");
  }
  const char* forms[] = {"t", "sqrt_t", "power"};
  if (r.fits_size() != 3) {
    return Bad(where, absl::StrCat("holds ", r.fits_size(), " fits, not 3"));
  }
  for (int i = 0; i < 3; ++i) {
    const NormFit& f = r.fits(i);
    if (f.form() != forms[i] || !std::isfinite(f.a()) ||
        !std::isfinite(f.b()) || !InRange(f.alpha(), 0, 10) ||
        !InRange(f.r2(), -1e-9, 1 + 1e-9) || (i == 0 && f.alpha() != 1) ||
        (i == 1 && f.alpha() != 0.5)) {
      return Bad(where, absl::StrCat("fit ", i, " (", f.form(), ") has a ",
                                     f.a(), ", b ", f.b(), ", alpha ",
                                     f.alpha(), ", R^2 ", f.r2()));
    }
  }
  if (!InRange(r.growth_95_step(), 0, steps) ||
      !InRange(r.late_growth_fraction(), -1e9, 1e9)) {
    return Bad(where, absl::StrCat("growth stops at step ", r.growth_95_step(),
                                   ", late growth ", r.late_growth_fraction()));
  }
  const float c = config.saturation_scale();
  if (absl::Status s = ValidateSimilarity(r.saturated_trained(), c, layers,
                                          where + ", saturated trained");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateSimilarity(r.saturated_init(), c, layers,
                                          where + ", saturated init");
      !s.ok()) {
    return s;
  }
  if (r.curve_size() != config.similarity_scales_size()) {
    return Bad(where, absl::StrCat("has ", r.curve_size(), " curve points for ",
                                   config.similarity_scales_size(), " scales"));
  }
  for (int i = 0; i < r.curve_size(); ++i) {
    if (absl::Status s =
            ValidateSimilarity(r.curve(i), config.similarity_scales(i), layers,
                               where + ", similarity curve");
        !s.ok()) {
      return s;
    }
  }
  const double max_keys = run.config().probe().seq_len();
  if (!InRange(r.mean_visible_keys(), 1, max_keys) ||
      !InRange(r.kernel_softmax_agreement(), 0, 1)) {
    return Bad(where,
               absl::StrCat("mean visible keys ", r.mean_visible_keys(),
                            ", agreement ", r.kernel_softmax_agreement()));
  }
  if (r.heads_size() != layers * heads) {
    return Bad(where, absl::StrCat("holds ", r.heads_size(), " heads for ",
                                   layers, " layers of ", heads));
  }
  for (int i = 0; i < r.heads_size(); ++i) {
    const HeadPositions& h = r.heads(i);
    if (h.layer() != i / heads || h.head() != i % heads ||
        !InRange(h.mean(), 0, max_keys) || !InRange(h.std(), 0, max_keys) ||
        !InRange(h.p_more_than_one(), 0, 1) ||
        !InRange(h.c1_effective_keys(), 0, max_keys) ||
        !InRange(h.c1_spread(), 0, 1 + 1e-5)) {
      return Bad(where,
                 absl::StrCat("head ", i, " is layer ", h.layer(), " head ",
                              h.head(), " with mean ", h.mean(), ", std ",
                              h.std(), ", P(n > 1) ", h.p_more_than_one(),
                              ", at c = 1 ", h.c1_effective_keys(), " keys"));
    }
  }
  return ValidateNormTrajectory(r, layers, where);
}

// Experiment 5: every run's final probe holds loss and accuracy on
// held-out and training data, and both sets of layers with every unit's
// firing frequency; a ViT records its image geometry.
absl::Status ValidateLazyRun(const TrainingRecord& run,
                             bool measure_corruptions,
                             const std::string& file) {
  const std::string where = absl::StrCat(file, ", run ", run.name());
  const ModelConfig& m = run.config().model();
  const Probe& last = run.probes(run.probes_size() - 1);
  if (last.step() != run.config().train().steps() || !last.has_train()) {
    return Bad(where, "its last probe is not a final one with training data");
  }
  if (!std::isfinite(last.train_loss())) {
    return Bad(where, absl::StrCat("train_loss is ", last.train_loss()));
  }
  for (const Probe& p : run.probes()) {
    if (!InUnit(p.probe_accuracy())) {
      return Bad(where, absl::StrCat("probe accuracy ", p.probe_accuracy(),
                                     " at step ", p.step()));
    }
  }
  if (!InUnit(last.train_accuracy())) {
    return Bad(where, absl::StrCat("train accuracy ", last.train_accuracy()));
  }
  if (last.train_layers_size() != m.n_layers()) {
    return Bad(where, absl::StrCat("has ", last.train_layers_size(),
                                   " training-data layers for ", m.n_layers()));
  }
  for (int l = 0; l < m.n_layers(); ++l) {
    const std::string at = absl::StrCat(where, ", training data");
    if (absl::Status s = ValidateLayer(last.train_layers(l), l, m.d_ff(), at);
        !s.ok()) {
      return s;
    }
    if (last.layers(l).firing_frequency_size() != m.d_ff() ||
        last.train_layers(l).firing_frequency_size() != m.d_ff()) {
      return Bad(at, absl::StrCat("layer ", l, " lacks firing frequencies"));
    }
  }
  // Calibration: every run since part (e) (results written before it have
  // none, and no Top-k runs).
  const CalibrationRecord& c = run.calibration();
  if (run.has_calibration() &&
      (c.examples() < 1 || c.bins_size() != 15 || !InUnit(c.ece()) ||
       !InUnit(c.accuracy()) || !std::isfinite(c.nll()) || c.nll() < 0)) {
    return Bad(where, absl::StrCat("calibration of ", c.examples(),
                                   " examples in ", c.bins_size(),
                                   " bins, ECE ", c.ece(), ", NLL ", c.nll()));
  }
  int64_t binned = 0;
  for (const ReliabilityBin& b : c.bins()) {
    binned += b.count();
    if (b.count() < 0 || !InUnit(b.accuracy()) || !InUnit(b.confidence())) {
      return Bad(where, "a reliability bin is out of range");
    }
  }
  if (binned != c.examples()) {  // 0 == 0 without calibration
    return Bad(where, absl::StrCat("reliability bins hold ", binned,
                                   " examples of ", c.examples()));
  }
  if (measure_corruptions != (run.corruptions_size() > 0) ||
      (measure_corruptions && run.corruptions_size() != 4 * 6)) {
    return Bad(where, absl::StrCat("has ", run.corruptions_size(),
                                   " corruption measurements (expected ",
                                   measure_corruptions ? 24 : 0, ")"));
  }
  for (const CorruptionAccuracy& x : run.corruptions()) {
    if (x.severity() < 0 || x.severity() > 5 || x.examples() < 1 ||
        !InUnit(x.accuracy()) || !std::isfinite(x.nll())) {
      return Bad(where, absl::StrCat("corruption ", x.corruption(),
                                     " severity ", x.severity(), ": accuracy ",
                                     x.accuracy(), " of ", x.examples()));
    }
  }
  const bool vit = m.family() == ModelConfig::VIT;
  const DataSummary& d = run.data();
  if (vit && (d.tokens_per_example() < 2 || d.probe_sequences() < 1 ||
              d.heldout_examples() < d.probe_sequences())) {
    return Bad(where,
               absl::StrCat("a ViT with ", d.tokens_per_example(),
                            " tokens per image and ", d.probe_sequences(),
                            " probe images of ", d.heldout_examples()));
  }
  return absl::OkStatus();
}

// The part of a gradient layer beyond the activation zeros: shares in
// [0, 1], active fractions ordered by threshold.
bool ActiveGradientOk(const LayerGradient& x) {
  return InUnit(x.loss_token_fraction()) && InUnit(x.loss_token_density()) &&
         x.active_entries() >= 0 && x.active_eta_below_size() == 2 &&
         InUnit(x.active_eta_below(0)) && InUnit(x.active_eta_below(1)) &&
         x.active_eta_below(0) <= x.active_eta_below(1);
}

absl::Status ValidateFlatness(const TrainingRecord& run,
                              const std::string& where) {
  for (const FlatnessRecord& f : run.flatness()) {
    if (!(f.sigma() > 0 && f.sigma() <= 1) || f.draws() < 1 ||
        !InRange(f.loss(), 0, 1e6) || !InRange(f.increase(), -1e6, 1e6) ||
        !InRange(f.increase_sd(), 0, 1e6)) {
      return Bad(where, absl::StrCat("flatness at sigma ", f.sigma(), ": loss ",
                                     f.loss(), ", increase ", f.increase(),
                                     " (sd ", f.increase_sd(), ")"));
    }
  }
  return absl::OkStatus();
}

// The floor measurement and the fusion rows: every time and ratio positive
// and finite, no category's products longer than the category.
absl::Status ValidatePerformanceExtras(const PerformanceResults& p,
                                       const std::string& file_name) {
  const auto positive = [](double x) { return std::isfinite(x) && x > 0; };
  if (p.has_floor()) {
    const StepFloor& f = p.floor();
    bool ok = positive(f.step_seconds()) && positive(f.floor_seconds()) &&
              positive(f.ratio()) && positive(f.gemm_flops()) &&
              f.gemms() > 0 && f.breakdown_size() > 0;
    for (double x : f.round_ratios()) ok = ok && positive(x);
    for (const StepCategory& c : f.breakdown()) {
      ok = ok && std::isfinite(c.seconds()) && c.seconds() >= 0 &&
           std::isfinite(c.gemm_seconds()) && c.gemm_seconds() >= 0 &&
           c.gemm_seconds() <= c.seconds() && c.gemms() >= 0;
    }
    if (!ok) return Bad(file_name, "holds an impossible floor measurement");
  }
  for (const FusionEffect& e : p.fusions()) {
    if (!positive(e.fused_seconds()) || !positive(e.reference_seconds()) ||
        !positive(e.op_speedup()) ||
        (!e.reference_mode().empty() && p.probe_costs_size() > 0 &&
         !(positive(e.steps_per_second()) &&
           positive(e.reference_steps_per_second()) &&
           positive(e.step_speedup())))) {
      return Bad(file_name, absl::StrCat("fusion ", e.name(),
                                         " has an impossible timing"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// A gradient_sparsity run: one gradient probe at each probe step, with
// every layer's fractions in [0, 1] and ordered by threshold, finite norms,
// and both spectral thresholds.
absl::Status ValidateGradientRun(const TrainingRecord& run,
                                 const std::string& file) {
  const std::string where = absl::StrCat(file, ", run ", run.name());
  if (run.gradient_probes_size() != run.probes_size()) {
    return Bad(where, absl::StrCat("has ", run.gradient_probes_size(),
                                   " gradient probes for ", run.probes_size(),
                                   " probes"));
  }
  const int64_t layers = run.config().model().n_layers();
  const int64_t d_ff = run.config().model().d_ff();
  for (int i = 0; i < run.gradient_probes_size(); ++i) {
    const GradientProbe& g = run.gradient_probes(i);
    const std::string at = absl::StrCat(where, ", gradient probe ", i);
    if (g.step() != run.probes(i).step()) {
      return Bad(at, absl::StrCat("is at step ", g.step(), ", its probe at ",
                                  run.probes(i).step()));
    }
    if (!std::isfinite(g.loss()) || !InUnit(g.mix())) {
      return Bad(at, absl::StrCat("has loss ", g.loss(), " and mix ", g.mix()));
    }
    if (g.layers_size() != layers) {
      return Bad(
          at, absl::StrCat("has ", g.layers_size(), " layers, not ", layers));
    }
    for (int l = 0; l < layers; ++l) {
      const LayerGradient& x = g.layers(l);
      const std::string in = absl::StrCat(at, ", layer ", l);
      if (x.layer() != l || x.eta_below_size() != 3 || x.spectral_size() != 2) {
        return Bad(in, "is not a complete layer record");
      }
      for (int t = 0; t < 3; ++t) {
        if (!InUnit(x.eta_below(t)) ||
            (t > 0 && x.eta_below(t) < x.eta_below(t - 1))) {
          return Bad(in,
                     "has gradient fractions outside [0, 1] or not "
                     "rising with the threshold");
        }
      }
      if (!InUnit(x.density()) || !(x.eta_l1() >= 0) || !(x.eta_l2() >= 0) ||
          !std::isfinite(x.eta_l1()) || !std::isfinite(x.eta_l2()) ||
          x.entries() <= 0) {
        return Bad(in, "has a density outside [0, 1] or bad gradient norms");
      }
      for (const SpectralRecord& s : x.spectral()) {
        if (s.nonzero() < 0 || s.nonzero() > d_ff || !(s.ratio() >= 0) ||
            !std::isfinite(s.ratio()) || !(s.r() > 0)) {
          return Bad(in, "has a bad spectral record");
        }
      }
      if (!(x.eigenvalue_mean() >= 0) || !(x.eigenvalue_max() >= 0) ||
          !std::isfinite(x.eigenvalue_max())) {
        return Bad(in, "has bad eigenvalues");
      }
      if (!ActiveGradientOk(x)) {
        return Bad(in, "has a bad record of the gradient on active entries");
      }
    }
  }
  return ValidateFlatness(run, where);
}

absl::Status ValidateResults(const Results& results,
                             const std::string& file_name) {
  switch (results.experiment_case()) {
    case Results::kLayerwiseSparsity:
      return ValidateRuns(results.layerwise_sparsity().runs(), file_name);
    case Results::kNeuronDeath: {
      const NeuronDeathResults& r = results.neuron_death();
      if (absl::Status s = ValidateRuns(r.runs(), file_name); !s.ok()) {
        return s;
      }
      if (absl::Status s =
              HasReference(r.runs(), r.config().reference(), file_name);
          !s.ok()) {
        return s;
      }
      for (const TrainingRecord& run : r.runs()) {
        if (absl::Status s = ValidateDeathRecord(run, file_name); !s.ok()) {
          return s;
        }
      }
      return ValidatePruning(r, file_name);
    }
    case Results::kNormGrowth: {
      const NormGrowthResults& r = results.norm_growth();
      if (absl::Status s = ValidateRuns(r.runs(), file_name, false); !s.ok()) {
        return s;
      }
      if (absl::Status s =
              HasReference(r.runs(), r.config().reference(), file_name);
          !s.ok()) {
        return s;
      }
      if (std::none_of(r.runs().begin(), r.runs().end(),
                       [](const TrainingRecord& t) {
                         return t.role() == "reference";
                       })) {
        return Bad(file_name,
                   "holds no run of role \"reference\" (results from before "
                   "the roles: re-run the experiment)");
      }
      std::map<std::string, const TrainingRecord*> first_of_variant;
      for (const TrainingRecord& run : r.runs()) {
        const TrainingRecord* first =
            first_of_variant.emplace(run.variant(), &run).first->second;
        if (absl::Status s =
                ValidateNormRecord(run, *first, r.config(), file_name);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    case Results::kTopkThresholding: {
      const TopkThresholdingResults& r = results.topk_thresholding();
      if (absl::Status s = ValidateRuns(r.runs(), file_name); !s.ok()) {
        return s;
      }
      // A preset of ViTs only (memorise) names no LM reference.
      std::vector<std::string> refs = {r.config().vit_reference()};
      if (!r.config().lm_reference().empty()) {
        refs.push_back(r.config().lm_reference());
      }
      for (const std::string& ref : refs) {
        if (absl::Status s = HasReference(r.runs(), ref, file_name); !s.ok()) {
          return s;
        }
      }
      for (const TrainingRecord& run : r.runs()) {
        const bool vit = run.config().model().family() == ModelConfig::VIT;
        if ((run.variant() == r.config().vit_reference() && !vit) ||
            (run.variant() == r.config().lm_reference() && vit)) {
          return Bad(file_name, absl::StrCat("reference run ", run.name(),
                                             " is of the wrong model family"));
        }
        // Part (e) needs every run calibrated (files from before it have no
        // calibration and no Top-k or label-noise runs).
        const bool part_e =
            run.config().model().mlp().activation() != MlpConfig::RELU ||
            run.config().data().label_noise() > 0;
        if (run.has_calibration() != r.runs(0).has_calibration() ||
            (part_e && !run.has_calibration())) {
          return Bad(file_name, absl::StrCat("run ", run.name(),
                                             " lacks its calibration"));
        }
        const auto& corrupted = r.config().corruption_variants();
        const bool measured = std::find(corrupted.begin(), corrupted.end(),
                                        run.variant()) != corrupted.end();
        if (absl::Status s = ValidateLazyRun(run, measured, file_name);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    case Results::kGradientSparsity: {
      const GradientSparsityResults& r = results.gradient_sparsity();
      if (absl::Status s = ValidateRuns(r.runs(), file_name); !s.ok()) {
        return s;
      }
      if (std::none_of(
              r.runs().begin(), r.runs().end(),
              [](const TrainingRecord& t) { return t.role() == "baseline"; })) {
        return Bad(file_name,
                   "holds no run of role \"baseline\" (results from before "
                   "the roles: re-run the experiment)");
      }
      for (const TrainingRecord& run : r.runs()) {
        if (absl::Status s = ValidateGradientRun(run, file_name); !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    case Results::kPerformance: {
      const PerformanceResults& p = results.performance();
      if (p.samples_size() == 0) return Bad(file_name, "holds no samples");
      for (const SpeedSample& s : p.samples()) {
        if (!(std::isfinite(s.seconds()) && s.seconds() > 0 &&
              std::isfinite(s.steps_per_second()) &&
              s.steps_per_second() > 0)) {
          return Bad(file_name,
                     absl::StrCat("sample ", s.impl(), "/", s.size(),
                                  " has a timing of ", s.seconds(), " s"));
        }
      }
      return ValidatePerformanceExtras(p, file_name);
    }
    case Results::EXPERIMENT_NOT_SET:
      break;
  }
  return Bad(file_name, "names no experiment");
}

}  // namespace sparsity
