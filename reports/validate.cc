#include "reports/validate.h"

#include <cmath>
#include <map>
#include <string>

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
// averaged, so they must share layers, units and probe steps.
absl::Status ValidateRun(const TrainingRecord& run, const TrainingRecord& first,
                         const std::string& file) {
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
  if (run.loss_size() == 0 || run.probes_size() == 0) {
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
  const int fade_points = nd.fade_steps() / nd.fade_bin();
  for (const DeathEvent& e : nd.deaths()) {
    const std::string at =
        absl::StrCat(where, ", death of layer ", e.layer(), " unit ", e.unit());
    const bool no_window = e.input_rank() == -1;
    bool ok = e.layer() >= 0 && e.layer() < nd.layers_size() && e.unit() >= 0 &&
              e.unit() < units && e.step() >= 1 && e.step() <= steps &&
              e.fade_size() == fade_points;
    for (float rank : {e.input_rank(), e.update_rank(), e.input_rank_local(),
                       e.update_rank_local()}) {
      ok &= no_window ? rank == -1 : InUnit(rank);
    }
    for (float f : e.fade()) ok &= f == -1 || InUnit(f);
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
    const std::string& file_name) {
  if (runs.empty()) return Bad(file_name, "holds no runs");
  std::map<std::string, const TrainingRecord*> first_of_variant;
  for (const TrainingRecord& run : runs) {
    const TrainingRecord* first =
        first_of_variant.emplace(run.variant(), &run).first->second;
    if (absl::Status s = ValidateRun(run, *first, file_name); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

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
      bool reference = false;
      for (const TrainingRecord& run : r.runs()) {
        reference |= run.variant() == r.config().reference();
        if (absl::Status s = ValidateDeathRecord(run, file_name); !s.ok()) {
          return s;
        }
      }
      if (!reference) {
        return Bad(file_name, absl::StrCat("holds no run of the reference "
                                           "variant '",
                                           r.config().reference(), "'"));
      }
      return ValidatePruning(r, file_name);
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
      return absl::OkStatus();
    }
    case Results::EXPERIMENT_NOT_SET:
      break;
  }
  return Bad(file_name, "names no experiment");
}

}  // namespace sparsity
