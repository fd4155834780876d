#include "reports/norm_growth_findings.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "metrics/norm_growth.h"
#include "reports/claims.h"

namespace sparsity {
namespace {

const NormPoint& LastPoint(const TrainingRecord& t) {
  const auto& p = t.norm_growth().points();
  return p[p.size() - 1];
}

// The power fit of `group` against `clock` ("steps" or "cumulative_lr").
const NormFit* FindFit(const TrainingRecord& t, const std::string& group,
                       const std::string& clock) {
  for (const GroupFits& g : t.norm_growth().group_fits()) {
    if (g.group() == group && g.clock() == clock && g.fits_size() == 3) {
      return &g.fits(2);
    }
  }
  return nullptr;
}

PowerFit PowerOver(const Runs& runs, const std::string& group,
                   const std::string& clock) {
  PowerFit f;
  f.alpha = Over(runs, [&](const TrainingRecord& t) {
    const NormFit* fit = FindFit(t, group, clock);
    return fit ? fit->alpha() : 0.0;
  });
  f.r2 = Over(runs, [&](const TrainingRecord& t) {
    const NormFit* fit = FindFit(t, group, clock);
    return fit ? fit->r2() : 0.0;
  });
  return f;
}

std::string OptimiserOf(const RunConfig& c) {
  const OptimConfig& o = c.optim();
  const std::string schedule =
      o.min_lr() == o.lr() ? "constant after warmup"
                           : absl::StrFormat("cosine to %g", o.min_lr());
  if (o.optimizer() == OptimConfig::SGD) {
    return absl::StrFormat("SGD (momentum %g, lr %g, %s, weight decay %g)",
                           o.momentum(), o.lr(), schedule, o.weight_decay());
  }
  return absl::StrFormat("AdamW (lr %g, %s, weight decay %g)", o.lr(), schedule,
                         o.weight_decay());
}

std::string ArchitectureOf(const RunConfig& c) {
  return absl::StrCat(c.model().post_norm() ? "post-norm" : "pre-norm", ", ",
                      c.model().no_bias() ? "no biases" : "biases");
}

double HeldOutLoss(const TrainingRecord& t) {
  return LastPoint(t).probe_loss();
}

VariantGrowth GrowthOf(const Runs& v, const Runs& reference) {
  VariantGrowth g;
  const TrainingRecord& first = *v[0];
  g.name = first.variant();
  g.role = first.role();
  g.optimiser = OptimiserOf(first.config());
  g.architecture = ArchitectureOf(first.config());
  g.runs = static_cast<int>(v.size());
  g.rho0 = Over(v, [](const TrainingRecord& t) {
    return t.norm_growth().points(0).rho();
  });
  g.rho_end =
      Over(v, [](const TrainingRecord& t) { return LastPoint(t).rho(); });
  g.rise = Over(v, [](const TrainingRecord& t) {
    return LastPoint(t).rho() / t.norm_growth().points(0).rho() - 1;
  });
  g.loss = Over(v, HeldOutLoss);
  g.r2_t = Over(
      v, [](const TrainingRecord& t) { return t.norm_growth().fits(0).r2(); });
  g.r2_sqrt = Over(
      v, [](const TrainingRecord& t) { return t.norm_growth().fits(1).r2(); });
  g.all_steps = PowerOver(v, "all", "steps");
  g.body_steps = PowerOver(v, "body", "steps");
  g.all_lr = PowerOver(v, "all", "cumulative_lr");
  g.body_lr = PowerOver(v, "body", "cumulative_lr");
  g.late = Over(v, [](const TrainingRecord& t) {
    return t.norm_growth().late_growth_fraction();
  });
  g.at95 = Over(v, [](const TrainingRecord& t) {
    return static_cast<double>(t.norm_growth().growth_95_step());
  });
  const SeedPairs pairs = PairBySeeds(v, reference);
  std::vector<double> d;
  for (size_t i = 0; i < pairs.a.size(); ++i) {
    d.push_back(HeldOutLoss(*pairs.a[i]) - HeldOutLoss(*pairs.b[i]));
  }
  g.loss_excess =
      d.empty() ? std::numeric_limits<double>::quiet_NaN() : SpreadOf(d).mean;
  g.comparable = !d.empty() && g.loss_excess <= kComparableLoss;
  return g;
}

// The norm of group index g (-1: all, -2: body) at a point.
double NormAt(const TrainingRecord& t, const NormPoint& p, int g) {
  if (g == -1) return p.rho();
  if (g >= 0) return p.group_rho(g);
  const auto& groups = t.norm_growth().groups();
  return BodyNorm(p.rho(), {groups.begin(), groups.end()},
                  {p.group_rho().begin(), p.group_rho().end()});
}

GroupGrowth GroupOf(const Runs& ref, const std::string& name, int g) {
  auto first = [g](const TrainingRecord& t) {
    return NormAt(t, t.norm_growth().points(0), g);
  };
  auto last = [g](const TrainingRecord& t) {
    return NormAt(t, LastPoint(t), g);
  };
  GroupGrowth gg;
  gg.group = name;
  gg.init = Over(ref, first);
  gg.end = Over(ref, last);
  gg.growth = Over(
      ref, [&](const TrainingRecord& t) { return last(t) / first(t) - 1; });
  gg.share = Over(ref, [&](const TrainingRecord& t) {
    const double r0 = NormAt(t, t.norm_growth().points(0), -1);
    const double r1 = NormAt(t, LastPoint(t), -1);
    const double rise = r1 * r1 - r0 * r0;
    return rise == 0 ? 0.0 : (last(t) * last(t) - first(t) * first(t)) / rise;
  });
  gg.steps = PowerOver(ref, name, "steps");
  gg.lr = PowerOver(ref, name, "cumulative_lr");
  return gg;
}

// "all", "body", then every group.
std::vector<GroupGrowth> GroupsOf(const Runs& ref) {
  std::vector<GroupGrowth> out = {GroupOf(ref, "all", -1),
                                  GroupOf(ref, "body", -2)};
  const auto& names = ref[0]->norm_growth().groups();
  for (int g = 0; g < names.size(); ++g) {
    out.push_back(GroupOf(ref, names[g], g));
  }
  return out;
}

ExampleFit ExampleOf(const TrainingRecord& t) {
  ExampleFit e;
  e.run = t.name();
  for (const NormPoint& p : t.norm_growth().points()) {
    e.x.push_back(static_cast<double>(p.step()));
    const double body = NormAt(t, p, -2);
    e.y.push_back(body * body);
  }
  for (const GroupFits& g : t.norm_growth().group_fits()) {
    if (g.group() == "body" && g.clock() == "steps") {
      e.fits.assign(g.fits().begin(), g.fits().end());
    }
  }
  return e;
}

BodyCurve BodyCurveOf(const Runs& runs) {
  BodyCurve c;
  c.variant = runs[0]->variant();
  for (const NormPoint& p : runs[0]->norm_growth().points()) {
    c.cumulative_lr.push_back(p.cumulative_lr());
  }
  for (const TrainingRecord* t : runs) {
    c.body.emplace_back();
    for (const NormPoint& p : t->norm_growth().points()) {
      c.body.back().push_back(NormAt(*t, p, -2));
    }
  }
  return c;
}

std::vector<KindShare> KindsOf(const Runs& ref) {
  std::vector<std::string> kinds;
  for (const ParameterNorm& p : ref[0]->norm_growth().parameter_norms()) {
    const std::string k = ParameterKind(p.name());
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) {
      kinds.push_back(k);
    }
  }
  std::vector<KindShare> out;
  for (const std::string& k : kinds) {
    KindShare s{k, {}, {}};
    auto sums = [k](const TrainingRecord& t) {
      double init = 0, fin = 0, init_all = 0, fin_all = 0;
      for (const ParameterNorm& p : t.norm_growth().parameter_norms()) {
        const double a = p.init() * p.init(), b = p.final() * p.final();
        init_all += a;
        fin_all += b;
        if (ParameterKind(p.name()) == k) init += a, fin += b;
      }
      return std::vector<double>{init, fin, init_all, fin_all};
    };
    s.init_share = Over(ref, [&](const TrainingRecord& t) {
      const std::vector<double> v = sums(t);
      return v[2] > 0 ? v[0] / v[2] : 0.0;
    });
    s.rise_share = Over(ref, [&](const TrainingRecord& t) {
      const std::vector<double> v = sums(t);
      return v[3] != v[2] ? (v[1] - v[0]) / (v[3] - v[2]) : 0.0;
    });
    out.push_back(s);
  }
  return out;
}

// 1 - cos between the trajectory steps a and b (present in m, or the
// nearest ones).
double DirectionChange(const DirectionMatrix& m, int64_t a, int64_t b) {
  const int n = m.steps_size();
  auto nearest = [&](int64_t s) {
    int best = 0;
    for (int i = 0; i < n; ++i) {
      if (std::llabs(m.steps(i) - s) < std::llabs(m.steps(best) - s)) best = i;
    }
    return best;
  };
  return 1 - m.cos(nearest(a) * n + nearest(b));
}

DirectionSummary DirectionOf(const Runs& runs) {
  DirectionSummary d;
  d.variant = runs[0]->variant();
  const DirectionMatrix& m0 = runs[0]->norm_growth().direction();
  const int n = m0.steps_size();
  for (int64_t s : m0.steps()) d.steps.push_back(static_cast<double>(s));
  // The windows' ends are trajectory steps: indices round(e/2), round(3e/4)
  // and e of the n = e + 1 steps.
  const int e = n - 1;
  d.end = n > 0 ? m0.steps(e) : 0;
  d.half = n > 0 ? m0.steps(static_cast<int>(std::lround(e * 0.5))) : 0;
  d.three_quarters =
      n > 0 ? m0.steps(static_cast<int>(std::lround(e * 0.75))) : 0;
  for (const TrainingRecord* t : runs) {
    const DirectionMatrix& m = t->norm_growth().direction();
    d.to_end.emplace_back();
    for (int i = 0; i < m.steps_size(); ++i) {
      d.to_end.back().push_back(1 - m.cos(i * m.steps_size() + n - 1));
    }
  }
  d.early = Over(runs, [&](const TrainingRecord& t) {
    return DirectionChange(t.norm_growth().direction(), d.half,
                           d.three_quarters);
  });
  d.late = Over(runs, [&](const TrainingRecord& t) {
    return DirectionChange(t.norm_growth().direction(), d.three_quarters,
                           d.end);
  });
  return d;
}

SaturationFindings SaturationOf(const Runs& ref) {
  SaturationFindings s;
  for (const NormPoint& p : ref[0]->norm_growth().points()) {
    if (p.saturation_size() > 0) s.steps.push_back(p.step());
  }
  for (const TrainingRecord* t : ref) {
    s.per.emplace_back();
    for (const NormPoint& p : t->norm_growth().points()) {
      if (p.saturation_size() == 0) continue;
      s.per.back().emplace_back(p.saturation().begin(), p.saturation().end());
    }
  }
  const int layers = s.per.empty() || s.per[0].empty()
                         ? 0
                         : static_cast<int>(s.per[0][0].size());
  for (int l = 0; l < layers; ++l) {
    std::vector<double> a, b;
    for (const auto& run : s.per) {
      a.push_back(run.front()[l]);
      b.push_back(run.back()[l]);
    }
    s.init.push_back(SpreadOf(a));
    s.end.push_back(SpreadOf(b));
    double best = -2, at = 0;
    for (size_t i = 0; i < s.steps.size(); ++i) {
      double mean = 0;
      for (const auto& run : s.per) mean += run[i][l] / s.per.size();
      if (mean > best) best = mean, at = s.steps[i];
    }
    s.peak.push_back(best);
    s.peak_step.push_back(at);
  }
  return s;
}

double MeanOf(const google::protobuf::RepeatedField<float>& v) {
  double sum = 0;
  for (float x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

CurveRow CurveOf(const Runs& v) {
  CurveRow c;
  c.variant = v[0]->variant();
  c.architecture = ArchitectureOf(v[0]->config());
  c.runs = static_cast<int>(v.size());
  for (const SimilarityAtScale& s : v[0]->norm_growth().curve()) {
    c.scales.push_back(s.scale());
  }
  for (const TrainingRecord* t : v) {
    c.last_layer.emplace_back();
    for (const SimilarityAtScale& s : t->norm_growth().curve()) {
      c.last_layer.back().push_back(s.layers(s.layers_size() - 1));
    }
  }
  c.trained = Over(v, [](const TrainingRecord& t) {
    return MeanOf(t.norm_growth().saturated_trained().layers());
  });
  c.init = Over(v, [](const TrainingRecord& t) {
    return MeanOf(t.norm_growth().saturated_init().layers());
  });
  return c;
}

void CountHead(bool argmax, bool mean, HeadCounts* c) {
  if (argmax) {
    ++c->argmax;
  } else if (mean) {
    ++c->mean;
  } else {
    ++c->between;
  }
}

HeadFindings HeadsOf(const Runs& ref) {
  HeadFindings h;
  h.visible = ref[0]->norm_growth().mean_visible_keys();
  std::vector<double> between;
  for (const TrainingRecord* t : ref) {
    HeadCounts run;
    for (const HeadPositions& p : t->norm_growth().heads()) {
      CountHead(p.mean() <= kArgmaxKeys,
                p.mean() >= kSaturatedMeanShare * h.visible, &h.saturated);
      CountHead(p.c1_effective_keys() <= kArgmaxKeys,
                p.c1_spread() >= kMeanSpread, &run);
      h.saturated_keys.push_back(p.mean());
      h.at_one_keys.push_back(p.c1_effective_keys());
      h.at_one_spread.push_back(p.c1_spread());
    }
    const int n = t->norm_growth().heads_size();
    h.heads += n;
    h.at_one.argmax += run.argmax;
    h.at_one.mean += run.mean;
    h.at_one.between += run.between;
    between.push_back(n > 0 ? static_cast<double>(run.between) / n : 0);
  }
  h.between_share = SpreadOf(between);
  h.agreement = Over(ref, [](const TrainingRecord& t) {
    return static_cast<double>(t.norm_growth().kernel_softmax_agreement());
  });
  const auto& first = ref[0]->norm_growth().heads();
  h.first_run.assign(first.begin(), first.end());
  return h;
}

Comparison ExponentRow(const char* id, const Runs& runs,
                       const std::string& group, const std::string& clock) {
  Comparison c{id,
               "rho grows like sqrt(t): the exponent beta of rho^2 = a + "
               "b x^beta, - 1",
               Claimed::kEquivalent,
               {},
               kExponentMargin};
  double min_r2 = 1;
  for (const TrainingRecord* t : runs) {
    const NormFit* fit = FindFit(*t, group, clock);
    if (fit == nullptr) continue;
    c.differences.push_back(fit->alpha() - kSqrtLawExponent);
    min_r2 = std::min(min_r2, fit->r2());
  }
  if (runs.empty()) c.no_valid_test = "the preset has no runs of this role";
  if (!runs.empty() && min_r2 < kMinPowerR2) {
    c.no_valid_test = absl::StrFormat(
        "no power of the clock fits closely (R^2 down to %.4f, below %.2f): "
        "the exponent is no growth law",
        min_r2, kMinPowerR2);
  }
  return c;
}

Comparison DirectionRow(const char* id, const Runs& runs,
                        const DirectionSummary& d) {
  Comparison c{id,
               "the direction converges: ln(change over the third quarter / "
               "change over the last)",
               Claimed::kPositive};
  if (!(d.half < d.three_quarters && d.three_quarters < d.end)) {
    c.not_testable = "too few trajectory steps for two windows";
    return c;
  }
  for (const TrainingRecord* t : runs) {
    const DirectionMatrix& m = t->norm_growth().direction();
    const double early = DirectionChange(m, d.half, d.three_quarters);
    const double late = DirectionChange(m, d.three_quarters, d.end);
    if (!(early > 0 && late > 0)) {
      c.not_testable = "1 - cos rounds to 0 in some run";
      continue;
    }
    c.differences.push_back(std::log(early / late));
  }
  if (runs.empty()) c.no_valid_test = "the preset has no runs of this role";
  return c;
}

std::vector<Comparison> SaturationRows(const SaturationFindings& s) {
  std::vector<Comparison> rows;
  for (size_t l = 0; l < s.init.size(); ++l) {
    Comparison c{absl::StrCat(kM3Layer, l),
                 absl::StrCat("layer ", l,
                              " approaches its saturated version: similarity "
                              "at the end - at initialisation"),
                 Claimed::kPositive};
    for (const auto& run : s.per) {
      c.differences.push_back(run.back()[l] - run.front()[l]);
    }
    rows.push_back(c);
  }
  return rows;
}

std::vector<Comparison> HeadRows(const NormGrowthResults& r, const Runs& ref) {
  Comparison saturated{kM4Saturated,
                       "saturated heads are argmax or mean heads: share of "
                       "heads that are neither",
                       Claimed::kAtMost,
                       {},
                       kBetweenMargin};
  if (r.config().tie_tolerance() == 0) {
    double most = 0;  // the largest share of queries with n > 1, any head
    for (const TrainingRecord* t : ref) {
      for (const HeadPositions& p : t->norm_growth().heads()) {
        most = std::max(most, static_cast<double>(p.p_more_than_one()));
      }
    }
    saturated.not_testable = absl::StrFormat(
        "with exact ties at c = 1000 a query attends to several keys only "
        "where float32 scores tie exactly (in at most %.1f%% of a head's "
        "queries here): the measure cannot produce a mean head",
        100 * most);
  }
  Comparison at_one{kM4AtOne,
                    "heads are argmax-like or mean-like at c = 1: share of "
                    "heads that are neither",
                    Claimed::kAtMost,
                    {},
                    kBetweenMargin};
  for (const TrainingRecord* t : ref) {
    const double visible = t->norm_growth().mean_visible_keys();
    int between = 0, saturated_between = 0;
    for (const HeadPositions& p : t->norm_growth().heads()) {
      between +=
          p.c1_effective_keys() > kArgmaxKeys && p.c1_spread() < kMeanSpread;
      saturated_between +=
          p.mean() > kArgmaxKeys && p.mean() < kSaturatedMeanShare * visible;
    }
    const double n = std::max(t->norm_growth().heads_size(), 1);
    at_one.differences.push_back(between / n);
    if (saturated.not_testable.empty()) {
      saturated.differences.push_back(saturated_between / n);
    }
  }
  for (Comparison* c : {&saturated, &at_one}) {
    c->scale = 100;
    c->unit = "points";
  }
  return {saturated, at_one};
}

std::vector<Comparison> StopRows(const NormGrowthFindings& f,
                                 const std::vector<Runs>& variants) {
  std::vector<Comparison> rows;
  for (size_t i = 0; i < variants.size(); ++i) {
    const VariantGrowth& g = f.variants[i];
    if (g.role == "architecture") continue;
    Comparison c{absl::StrCat(kStop, g.name),
                 "growth has stopped: share of rho's rise in the last quarter",
                 Claimed::kAtMost,
                 {},
                 kStopMargin};
    for (const TrainingRecord* t : variants[i]) {
      c.differences.push_back(t->norm_growth().late_growth_fraction());
    }
    if (!g.comparable) {
      c.no_valid_test = absl::StrFormat(
          "it did not train comparably (held-out loss %+.3f nats against "
          "the reference)",
          g.loss_excess);
    }
    c.scale = 100;
    c.unit = "points";
    rows.push_back(c);
  }
  return rows;
}

std::vector<ClaimRow> ClaimRows(const NormGrowthFindings& f) {
  std::vector<ClaimRow> rows = {
      {"M1",
       "exponent beta of the body's rho^2 = a + b t^beta (every parameter "
       "but the head and last LayerNorm) - 1, constant learning rate",
       FindResult(f.verdicts, kM1BodyConstant),
       "4-layer byte-level LM, 1200 steps; the output head grows faster "
       "and is left out"},
      {"M1",
       "the same under warmup + cosine decay, against the cumulative "
       "learning rate",
       FindResult(f.verdicts, kM1BodySchedule), "the reference's schedule"},
      {"M1", "the same for the whole vector against steps (the reference)",
       FindResult(f.verdicts, kM1AllReference),
       "carried by the output head; the schedule bends the curve"},
      {"M2",
       "ln(1 - cos over the third quarter / the last quarter), "
       "constant learning rate",
       FindResult(f.verdicts, kM2Constant), "1200 steps"},
      {"M2", "the same under warmup + cosine decay",
       FindResult(f.verdicts, kM2Reference),
       "the decaying learning rate shrinks late steps too"},
  };
  for (size_t l = 0; l < f.saturation.init.size(); ++l) {
    rows.push_back({"M3",
                    absl::StrCat("layer ", l,
                                 ": similarity to c·theta at c = 1000, end "
                                 "- initialisation"),
                    FindResult(f.verdicts, absl::StrCat(kM3Layer, l)),
                    "per layer; saturated attention by the kernel"});
  }
  rows.push_back(
      {"M4", "saturated heads (c = 1000, exact ties) neither argmax nor mean",
       FindResult(f.verdicts, kM4Saturated),
       "the measure cannot produce a mean head"});
  rows.push_back({"M4", "heads at c = 1 neither argmax- nor mean-like, share",
                  FindResult(f.verdicts, kM4AtOne),
                  "entropy of the trained model's attention, not the "
                  "saturated limit"});
  return rows;
}

void Verdicts(const NormGrowthResults& r, const Runs& ref,
              const std::vector<Runs>& variants, NormGrowthFindings* f) {
  const Runs constant = WithRole(r.runs(), "constant_lr");
  const DirectionSummary none;
  std::vector<Comparison> family = {
      ExponentRow(kM1BodyConstant, constant, "body", "steps"),
      ExponentRow(kM1BodySchedule, ref, "body", "cumulative_lr"),
      ExponentRow(kM1AllReference, ref, "all", "steps"),
      DirectionRow(kM2Constant, constant,
                   f->directions.size() > 1 ? f->directions[1] : none),
      DirectionRow(kM2Reference, ref, f->directions[0])};
  for (Comparison& c : SaturationRows(f->saturation)) family.push_back(c);
  for (Comparison& c : HeadRows(r, ref)) family.push_back(c);
  for (Comparison& c : StopRows(*f, variants)) family.push_back(c);
  f->verdicts = Decide(family);
  f->claims = ClaimRows(*f);
}

}  // namespace

NormGrowthFindings AnalyzeNormGrowth(const NormGrowthResults& results) {
  NormGrowthFindings f;
  const Runs ref = WithRole(results.runs(), "reference");
  if (ref.empty()) return f;
  f.reference = ref[0]->variant();
  f.reference_runs = static_cast<int>(ref.size());
  f.saturation_scale = results.config().saturation_scale();
  f.tie_tolerance = results.config().tie_tolerance();
  f.attended_threshold = results.config().attended_threshold();
  const std::vector<Runs> variants = ByVariant(results.runs());
  for (const Runs& v : variants) {
    f.variants.push_back(GrowthOf(v, ref));
    if (v[0]->role() == "reference" || v[0]->role() == "architecture") {
      f.curves.push_back(CurveOf(v));
    }
  }
  f.groups = GroupsOf(ref);
  f.kinds = KindsOf(ref);
  f.directions.push_back(DirectionOf(ref));
  f.body_curves.push_back(BodyCurveOf(ref));
  const Runs constant = WithRole(results.runs(), "constant_lr");
  f.example = ExampleOf(constant.empty() ? *ref[0] : *constant[0]);
  if (!constant.empty()) {
    f.directions.push_back(DirectionOf(constant));
    f.body_curves.push_back(BodyCurveOf(constant));
  }
  f.saturation = SaturationOf(ref);
  f.heads = HeadsOf(ref);
  Verdicts(results, ref, variants, &f);
  return f;
}

std::string ParameterKind(const std::string& name) {
  const bool layer_norm = absl::StrContains(name, "ln");
  if (layer_norm && absl::EndsWith(name, ".weight")) return "LayerNorm gains";
  if (layer_norm && absl::EndsWith(name, ".bias")) return "LayerNorm biases";
  if (absl::StartsWith(name, "tok_emb") || absl::StartsWith(name, "pos_emb")) {
    return "embeddings";
  }
  if (absl::StartsWith(name, "head")) return "output head";
  if (absl::EndsWith(name, ".bias")) return "other biases";
  if (absl::StrContains(name, "attn.")) return "attention weights";
  if (absl::StrContains(name, "mlp.")) return "MLP weights";
  return "other";
}

}  // namespace sparsity
