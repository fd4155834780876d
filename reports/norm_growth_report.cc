#include "reports/norm_growth_report.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"

namespace sparsity {
namespace {

double MeanOf(const google::protobuf::RepeatedField<float>& v) {
  double sum = 0;
  for (float x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

std::vector<double> Steps(const TrainingRecord& r) {
  std::vector<double> x;
  for (const NormPoint& p : r.norm_growth().points()) x.push_back(p.step());
  return x;
}

// rows[run][point] of f(point) over the points with a next step (or all).
std::vector<std::vector<double>> PointRows(
    const Runs& runs, const std::function<double(const NormPoint&)>& f,
    bool with_next_only) {
  std::vector<std::vector<double>> rows;
  for (const TrainingRecord* r : runs) {
    rows.emplace_back();
    for (const NormPoint& p : r->norm_growth().points()) {
      if (!with_next_only || p.has_next()) rows.back().push_back(f(p));
    }
  }
  return rows;
}

std::vector<double> NextSteps(const TrainingRecord& r) {
  std::vector<double> x;
  for (const NormPoint& p : r.norm_growth().points()) {
    if (p.has_next()) x.push_back(p.step());
  }
  return x;
}

std::string ArchitectureOf(const RunConfig& c) {
  return absl::StrCat(c.model().post_norm() ? "post-norm" : "pre-norm", ", ",
                      c.model().no_bias() ? "no biases" : "biases");
}

std::string OptimiserOf(const RunConfig& c) {
  const OptimConfig& o = c.optim();
  if (o.optimizer() == OptimConfig::SGD) {
    return absl::StrFormat("SGD (momentum %g, lr %g, weight decay %g)",
                           o.momentum(), o.lr(), o.weight_decay());
  }
  return absl::StrFormat("AdamW (lr %g, weight decay %g)", o.lr(),
                         o.weight_decay());
}

bool SameMessage(const google::protobuf::Message& a,
                 const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

const double kArgmaxMax = 1.5;  // a head attending <= 1.5 keys on average
const double kMeanMin = 0.5;    // a head attending >= half the visible keys

struct HeadSplit {
  int argmax = 0, mean = 0, other = 0;
};
HeadSplit SplitHeads(const TrainingRecord& r) {
  HeadSplit s;
  const double visible = r.norm_growth().mean_visible_keys();
  for (const HeadPositions& h : r.norm_growth().heads()) {
    if (h.mean() <= kArgmaxMax) {
      ++s.argmax;
    } else if (h.mean() >= kMeanMin * visible) {
      ++s.mean;
    } else {
      ++s.other;
    }
  }
  return s;
}

std::string Fmt(double v, const char* format) {
  return absl::StrFormat(absl::FormatSpec<double>(format), v);
}

}  // namespace

Report NormGrowthReport(const Results& results,
                        const std::string& results_file) {
  const NormGrowthResults& r = results.norm_growth();
  const NormGrowthConfig& config = r.config();
  Report report("norm_growth", "Parameter norm growth and saturation");
  const std::vector<Runs> variants = ByVariant(r.runs());
  const Runs* ref_variant = nullptr;
  for (const Runs& v : variants) {
    if (v[0]->variant() == config.reference()) ref_variant = &v;
  }
  const Runs& ref = *ref_variant;
  const TrainingRecord& first = *ref[0];
  const RunConfig& rc = first.config();
  const int layers = rc.model().n_layers();
  const double c_big = config.saturation_scale();
  const std::string seeds_note =
      ref.size() > 1 ? absl::StrCat("mean over the ", ref.size(),
                                    " reference runs (min–max)")
                     : "one run";
  auto fit_of = [](int i) {
    return
        [i](const TrainingRecord& t) { return t.norm_growth().fits(i).r2(); };
  };
  auto alpha_of = [](const TrainingRecord& t) {
    return t.norm_growth().fits(2).alpha();
  };
  auto rho_first = [](const TrainingRecord& t) {
    return t.norm_growth().points(0).rho();
  };
  auto rho_last = [](const TrainingRecord& t) {
    const auto& p = t.norm_growth().points();
    return p[p.size() - 1].rho();
  };
  auto loss_last = [](const TrainingRecord& t) {
    const auto& p = t.norm_growth().points();
    return static_cast<double>(p[p.size() - 1].probe_loss());
  };
  auto sat_trained = [](const TrainingRecord& t) {
    return MeanOf(t.norm_growth().saturated_trained().layers());
  };
  auto sat_init = [](const TrainingRecord& t) {
    return MeanOf(t.norm_growth().saturated_init().layers());
  };

  // ---- Summary, computed ----
  const Spread alpha = Over(ref, alpha_of);
  const Spread r2_t = Over(ref, fit_of(0)), r2_sqrt = Over(ref, fit_of(1)),
               r2_pow = Over(ref, fit_of(2));
  const Spread rho0 = Over(ref, rho_first), rho1 = Over(ref, rho_last);
  const bool alpha_near_half = alpha.min >= 0.35 && alpha.max <= 0.65;
  const bool like_sqrt = alpha_near_half && r2_sqrt.min >= 0.95;
  std::string growth_verdict;
  if (like_sqrt) {
    growth_verdict =
        "yes: every reference run's free exponent lies within "
        "0.35–0.65 and sqrt(t) fits with R^2 >= 0.95";
  } else if (alpha_near_half) {
    growth_verdict = absl::StrCat(
        "only roughly: the free exponent is near 1/2 (alpha ",
        NumSpread(alpha, "%.2f"),
        ") but no power of t fits closely (sqrt(t)'s "
        "R^2 ",
        NumSpread(r2_sqrt, "%.3f"), ", below the 0.95 the rule asks)");
  } else if (alpha.mean > 0.5) {
    growth_verdict = absl::StrCat(
        "no: it grows faster than sqrt(t) (alpha ", NumSpread(alpha, "%.2f"),
        "; the rule for \"like sqrt(t)\" is every run's alpha in 0.35–0.65 "
        "with sqrt(t)'s R^2 >= 0.95)");
  } else {
    growth_verdict = absl::StrCat(
        "no: it grows slower than sqrt(t) (alpha ", NumSpread(alpha, "%.2f"),
        "; the rule for \"like sqrt(t)\" is every run's alpha in 0.35–0.65 "
        "with sqrt(t)'s R^2 >= 0.95)");
  }
  std::vector<std::string> stop_lines;
  for (const Runs& v : variants) {
    if (!SameMessage(v[0]->config().model(), rc.model())) continue;
    const Spread late = Over(v, [](const TrainingRecord& t) {
      return t.norm_growth().late_growth_fraction();
    });
    const Spread at95 = Over(v, [](const TrainingRecord& t) {
      return static_cast<double>(t.norm_growth().growth_95_step());
    });
    const Spread a = Over(v, alpha_of);
    const Spread rise = Over(v, [&](const TrainingRecord& t) {
      return rho_last(t) / rho_first(t) - 1;
    });
    const bool stopped = late.max < 0.05;
    stop_lines.push_back(absl::StrCat(
        "  - **", v[0]->variant(), "** (", OptimiserOf(v[0]->config()),
        "): rho ", rise.mean >= 0 ? "+" : "", PctSpread(rise),
        " over training, alpha ", NumSpread(a, "%.2f"), "; ",
        stopped ? absl::StrCat("growth has stopped: the last quarter adds ",
                               PctSpread(late),
                               " of the rise (95% reached at "
                               "step ",
                               NumSpread(at95, "%.0f"), ")")
                : absl::StrCat("still growing at the end: the last quarter "
                               "adds ",
                               PctSpread(late), " of the rise (95% at step ",
                               NumSpread(at95, "%.0f"), ")"),
        "; held-out loss ", NumSpread(Over(v, loss_last), "%.3f"),
        " nats/byte.\n"));
  }
  // Which parameter group carries the growth: its share of rho^2's rise.
  const auto& groups = first.norm_growth().groups();
  int top_group = 0;
  std::vector<Spread> shares;
  for (int g = 0; g < groups.size(); ++g) {
    shares.push_back(Over(ref, [g](const TrainingRecord& t) {
      const auto& p = t.norm_growth().points();
      const NormPoint &a = p[0], &b = p[p.size() - 1];
      const double rise = b.rho() * b.rho() - a.rho() * a.rho();
      return rise == 0 ? 0.0
                       : (b.group_rho(g) * b.group_rho(g) -
                          a.group_rho(g) * a.group_rho(g)) /
                             rise;
    }));
    if (shares[g].mean > shares[top_group].mean) top_group = g;
  }
  const Spread st = Over(ref, sat_trained), si = Over(ref, sat_init);
  HeadSplit split;
  int heads_total = 0;
  std::vector<double> head_means;
  for (const TrainingRecord* t : ref) {
    const HeadSplit s = SplitHeads(*t);
    split.argmax += s.argmax;
    split.mean += s.mean;
    split.other += s.other;
    heads_total += t->norm_growth().heads_size();
    for (const HeadPositions& h : t->norm_growth().heads()) {
      head_means.push_back(h.mean());
    }
  }
  const double visible = first.norm_growth().mean_visible_keys();
  const Spread agreement = Over(ref, [](const TrainingRecord& t) {
    return static_cast<double>(t.norm_growth().kernel_softmax_agreement());
  });
  std::string heads_verdict;
  if (split.argmax > 0 && split.mean > 0) {
    heads_verdict = "yes: both kinds are there";
  } else if (split.mean == 0) {
    heads_verdict =
        "no: there are no mean heads; the saturated heads are argmax heads";
  } else {
    heads_verdict = "no: there are no argmax heads";
  }
  if (split.other > 0) {
    absl::StrAppend(&heads_verdict, ", and ", split.other,
                    split.other == 1 ? " head falls" : " heads fall",
                    " between the two");
  }

  report.headline = absl::StrCat(
      "rho grows ", NumSpread(rho0, "%.1f"), " → ", NumSpread(rho1, "%.1f"),
      " with alpha ", NumSpread(alpha, "%.2f"),
      like_sqrt ? " (like sqrt(t))" : " (not sqrt(t))",
      "; at c = ", Fmt(c_big, "%g"), " hidden states keep cosine ",
      NumSpread(st, "%.3f"), " (trained) vs ", NumSpread(si, "%.3f"),
      " (init); ", split.argmax, " argmax and ", split.mean, " mean heads of ",
      heads_total, ".");

  absl::StrAppend(
      &report.markdown, "# Parameter norm growth and saturation\n\n",
      "Does the l2 norm rho of a ReLU transformer LM's parameters grow like "
      "sqrt(t) during training, when does that stop, and does the network "
      "approach its saturated version c·theta (c → ∞), whose attention heads "
      "split into argmax and mean heads (Merrill et al. 2021, [M])? The "
      "reference model: ",
      layers, " layers, d_model ", rc.model().d_model(), ", ",
      rc.model().n_heads(), " heads, d_ff ", rc.model().d_ff(),
      ", bytes of "
      "the Brown corpus, ",
      rc.data().batch_size(), " sequences of ", rc.data().seq_len(),
      " per step for ", rc.train().steps(), " steps, ", OptimiserOf(rc),
      " with ", rc.optim().warmup_steps(), " warmup steps and cosine decay to ",
      Fmt(rc.optim().min_lr(), "%g"), "; ", ArchitectureOf(rc),
      ". Norms are measured every ", rc.probe().every(),
      " steps; saturation on the ", rc.probe().batch_tokens(),
      "-token held-out probe batch. Definitions: "
      "[docs/method.md](../docs/method.md), \"Norm growth and "
      "saturation\". [M]'s own language-model figures come from code whose "
      "causal mask lets tokens see the future; this model masks with -inf, "
      "and nothing here is compared with those figures.\n\n");

  absl::StrAppend(
      &report.markdown, "## Summary (computed from the results)\n\n",
      "- **Does rho grow like sqrt(t)?** ", growth_verdict, ". Reference: rho ",
      NumSpread(rho0, "%.2f"), " → ", NumSpread(rho1, "%.2f"), "; R^2 of t ",
      NumSpread(r2_t, "%.4f"), ", sqrt(t) ", NumSpread(r2_sqrt, "%.4f"),
      ", t^alpha ", NumSpread(r2_pow, "%.4f"), " (", seeds_note,
      "). The group \"", groups[top_group], "\" carries ",
      PctSpread(shares[top_group]), " of the rise of rho^2.\n",
      "- **When does growth stop?** (\"stopped\": the last quarter of "
      "training adds under 5% of rho's rise in every run; the learning rate "
      "decays by a cosine to ",
      Fmt(rc.optim().min_lr() / rc.optim().lr(), "%g"),
      " of its peak, which slows late growth too)\n",
      absl::StrJoin(stop_lines, ""),
      "- **Is the trained network close to its saturated version?** Mean over "
      "layers of the cosine similarity between hidden states under theta and "
      "c·theta at c = ",
      Fmt(c_big, "%g"), ": ", NumSpread(st, "%.3f"),
      " for the trained model against ", NumSpread(si, "%.3f"),
      " for the same runs' initialisations (", seeds_note, ").\n",
      "- **Are the saturated heads argmax and mean heads?** ", heads_verdict,
      ". Of ", heads_total, " heads (", ref.size(), " reference runs pooled), ",
      split.argmax, " attend to at most ", Fmt(kArgmaxMax, "%.1f"),
      " keys on average (argmax heads), ", split.mean,
      " to at least half of the ", Fmt(visible, "%.1f"),
      " keys a query sees on average (mean heads: the visible prefix of a "
      "causal ",
      rc.probe().seq_len(), "-token window averages ", Fmt(visible, "%.1f"),
      " keys).\n",
      "- The saturated model's attention is computed by the saturated-"
      "attention kernel (exact ties, tolerance ",
      Fmt(config.tie_tolerance(), "%g"), "); on ", PctSpread(agreement),
      " of (layer, head, query) rows it counts the same attended keys "
      "(weight > ",
      Fmt(config.attended_threshold(), "%g"),
      ") as softmax at c = ", Fmt(c_big, "%g"), ".\n\n");

  // ---- Norm growth ----
  const std::vector<double> x = Steps(first);
  {
    LinePlot plot{absl::StrCat("rho(t) of ", first.name(), " and its fits"),
                  "step", "rho (l2 norm of all parameters)"};
    Series data{"measured", x, {}};
    for (const NormPoint& p : first.norm_growth().points()) {
      data.y.push_back(p.rho());
    }
    data.points = true;
    plot.series.push_back(data);
    for (const NormFit& f : first.norm_growth().fits()) {
      Series s{absl::StrFormat("%s: alpha %.2f, R^2 %.4f",
                               f.form() == "t"        ? "a + b t"
                               : f.form() == "sqrt_t" ? "a + b sqrt(t)"
                                                      : "a + b t^alpha",
                               f.alpha(), f.r2()),
               {},
               {}};
      for (int i = 0; i <= 200; ++i) {
        const double t = x.back() * i / 200.0;
        s.x.push_back(t);
        s.y.push_back(f.a() + f.b() * std::pow(t, f.alpha()));
      }
      plot.series.push_back(s);
    }
    absl::StrAppend(&report.markdown, "## Norm growth\n\n",
                    report.AddPlot("rho_fits", "rho with fits", plot), "\n\n");
  }
  std::vector<std::vector<std::string>> fit_rows;
  for (const Runs& v : variants) {
    std::vector<std::string> row = {
        v[0]->variant(), ArchitectureOf(v[0]->config()),
        OptimiserOf(v[0]->config()), absl::StrCat(v.size())};
    row.push_back(NumSpread(Over(v, rho_first), "%.2f"));
    row.push_back(NumSpread(Over(v, rho_last), "%.2f"));
    for (int i = 0; i < 3; ++i)
      row.push_back(NumSpread(Over(v, fit_of(i)), "%.4f"));
    row.push_back(NumSpread(Over(v, alpha_of), "%.2f"));
    row.push_back(NumSpread(Over(v, loss_last), "%.3f"));
    fit_rows.push_back(row);
  }
  absl::StrAppend(
      &report.markdown,
      "Least-squares fits of rho(t) = a + b·t^alpha over every probe step, "
      "alpha fixed at 1 (t) and 1/2 (sqrt t) or free; mean (min–max) over "
      "a variant's runs.\n\n",
      MarkdownTable(
          {"variant", "model", "optimiser", "runs", "rho(0)", "rho(end)",
           "R^2 t", "R^2 sqrt(t)", "R^2 t^alpha", "alpha", "held-out loss"},
          fit_rows),
      "\n");
  {
    LinePlot plot{"rho(t) per variant (line: mean, band: min-max over runs)",
                  "step", "rho"};
    for (const Runs& v : variants) {
      plot.series.push_back(BandSeries(
          v[0]->variant(), Steps(*v[0]),
          PointRows(
              v, [](const NormPoint& p) { return p.rho(); }, false)));
    }
    absl::StrAppend(&report.markdown,
                    report.AddPlot("rho_variants", "rho per variant", plot),
                    "\n\n");
  }
  {
    LinePlot plot{absl::StrCat("Norm per parameter group, ", config.reference(),
                               " (", seeds_note, ")"),
                  "step", "l2 norm of the group"};
    for (int g = 0; g < groups.size(); ++g) {
      plot.series.push_back(BandSeries(
          groups[g], x,
          PointRows(
              ref, [g](const NormPoint& p) { return p.group_rho(g); }, false)));
    }
    absl::StrAppend(&report.markdown, "### Per layer\n\n",
                    "Groups: \"embeddings\" (token and position), \"block "
                    "i\" (every parameter of block i), \"final\" (the last "
                    "LayerNorm and the untied output head).\n\n",
                    report.AddPlot("group_norms", "norm per group", plot),
                    "\n\n");
    std::vector<std::vector<std::string>> rows;
    for (int g = 0; g < groups.size(); ++g) {
      const Spread a = Over(ref, [g](const TrainingRecord& t) {
        return t.norm_growth().points(0).group_rho(g);
      });
      const Spread b = Over(ref, [g](const TrainingRecord& t) {
        const auto& p = t.norm_growth().points();
        return p[p.size() - 1].group_rho(g);
      });
      const Spread growth = Over(ref, [g](const TrainingRecord& t) {
        const auto& p = t.norm_growth().points();
        return p[p.size() - 1].group_rho(g) / p[0].group_rho(g) - 1;
      });
      rows.push_back({groups[g], NumSpread(a, "%.2f"), NumSpread(b, "%.2f"),
                      PctSpread(growth), PctSpread(shares[g])});
    }
    absl::StrAppend(&report.markdown,
                    MarkdownTable({"group", "norm at step 0", "norm at the end",
                                   "growth", "share of rho^2's rise"},
                                  rows),
                    "\n");
  }
  {
    LinePlot dir{"Direction: 1 - cos(theta_t, theta_t+1)", "step",
                 "1 - cos (log scale)"};
    dir.log_y = true;
    LinePlot align{"Alignment: cos(theta_t, theta_t+1 - theta_t)", "step",
                   "cosine"};
    LinePlot size{"Step size |theta_t+1 - theta_t|", "step", "l2 norm"};
    size.log_y = true;
    for (const Runs& v : variants) {
      if (!SameMessage(v[0]->config().model(), rc.model())) continue;
      const std::vector<double> xs = NextSteps(*v[0]);
      dir.series.push_back(BandSeries(v[0]->variant(), xs,
                                      PointRows(
                                          v,
                                          [](const NormPoint& p) {
                                            return std::max(
                                                1 - p.direction_cos(), 1e-16);
                                          },
                                          true)));
      align.series.push_back(BandSeries(
          v[0]->variant(), xs,
          PointRows(
              v, [](const NormPoint& p) { return p.alignment_cos(); }, true)));
      size.series.push_back(BandSeries(
          v[0]->variant(), xs,
          PointRows(
              v, [](const NormPoint& p) { return p.step_size(); }, true)));
    }
    absl::StrAppend(
        &report.markdown, "### Direction, alignment and step size\n\n",
        "Each point compares theta after t steps with theta after t + 1, at "
        "every probe step but the last; the variants that share the "
        "reference's model (they differ in the optimiser). A direction near 1 "
        "(1 - cos near 0) means the parameters' direction has converged; a "
        "positive alignment means the update points away from the origin "
        "(the norm grows).\n\n",
        report.AddPlot("direction", "direction convergence", dir), "\n\n",
        report.AddPlot("alignment", "alignment", align), "\n\n",
        report.AddPlot("step_size", "step size", size), "\n\n");
  }

  // ---- Saturation ----
  {
    std::vector<double> lx;
    for (int l = 0; l < layers; ++l) lx.push_back(l);
    auto layer_rows = [&](bool trained) {
      std::vector<std::vector<double>> rows;
      for (const TrainingRecord* t : ref) {
        const SimilarityAtScale& s = trained
                                         ? t->norm_growth().saturated_trained()
                                         : t->norm_growth().saturated_init();
        rows.emplace_back(s.layers().begin(), s.layers().end());
      }
      return rows;
    };
    LinePlot plot{absl::StrCat("Similarity to the saturated model (c = ",
                               Fmt(c_big, "%g"), "), ", config.reference()),
                  "layer (block output)", "mean cosine over tokens"};
    plot.series.push_back(BandSeries("trained", lx, layer_rows(true)));
    plot.series.push_back(BandSeries("initialisation", lx, layer_rows(false)));
    for (Series& s : plot.series) s.points = true;
    plot.x_tic = 1;
    std::vector<std::vector<std::string>> rows;
    for (int l = 0; l < layers; ++l) {
      rows.push_back(
          {absl::StrCat(l),
           NumSpread(Over(ref,
                          [l](const TrainingRecord& t) {
                            return static_cast<double>(
                                t.norm_growth().saturated_trained().layers(l));
                          }),
                     "%.3f"),
           NumSpread(Over(ref,
                          [l](const TrainingRecord& t) {
                            return static_cast<double>(
                                t.norm_growth().saturated_init().layers(l));
                          }),
                     "%.3f")});
    }
    absl::StrAppend(
        &report.markdown, "## Saturation\n\n",
        "Per layer, the mean over the probe tokens of the cosine similarity "
        "between the block's output under theta and under c·theta (every "
        "parameter scaled: embeddings, LayerNorm gains and biases, weights "
        "and biases), with the saturated model's attention computed by the "
        "saturated-attention kernel; ",
        seeds_note, ".\n\n",
        report.AddPlot("saturation", "saturation per layer", plot), "\n\n",
        MarkdownTable({"layer", absl::StrCat("trained, c = ", Fmt(c_big, "%g")),
                       absl::StrCat("initialisation, c = ", Fmt(c_big, "%g"))},
                      rows),
        "\n");
  }
  {
    LinePlot plot{"Similarity of the last layer's hidden states vs c",
                  "c (every parameter scaled by c)", "mean cosine over tokens"};
    std::vector<std::vector<std::string>> rows;
    for (const Runs& v : variants) {
      if (!SameMessage(v[0]->config().optim(), rc.optim())) continue;
      std::vector<double> cs;
      for (const SimilarityAtScale& s : v[0]->norm_growth().curve()) {
        cs.push_back(s.scale());
      }
      std::vector<std::vector<double>> last;
      for (const TrainingRecord* t : v) {
        last.emplace_back();
        for (const SimilarityAtScale& s : t->norm_growth().curve()) {
          last.back().push_back(s.layers(s.layers_size() - 1));
        }
      }
      Series s = BandSeries(v[0]->variant(), cs, last);
      s.points = true;
      plot.series.push_back(s);
      std::vector<std::string> row = {v[0]->variant(),
                                      ArchitectureOf(v[0]->config()),
                                      absl::StrCat(v.size())};
      for (int i = 0; i < config.similarity_scales_size(); ++i) {
        const float c = config.similarity_scales(i);
        if (c != 2 && c != 5 && c != 10) continue;
        row.push_back(NumSpread(Over(v,
                                     [i](const TrainingRecord& t) {
                                       const auto& s = t.norm_growth().curve(i);
                                       return static_cast<double>(
                                           s.layers(s.layers_size() - 1));
                                     }),
                                "%.3f"));
      }
      row.push_back(NumSpread(Over(v, sat_trained), "%.3f"));
      row.push_back(NumSpread(Over(v, sat_init), "%.3f"));
      rows.push_back(row);
    }
    std::vector<std::string> header = {"variant", "model", "runs"};
    for (float c : config.similarity_scales()) {
      if (c == 2 || c == 5 || c == 10) {
        header.push_back(absl::StrCat("last layer, c = ", Fmt(c, "%g")));
      }
    }
    header.push_back(
        absl::StrCat("all layers, c = ", Fmt(c_big, "%g"), " (trained)"));
    header.push_back(
        absl::StrCat("all layers, c = ", Fmt(c_big, "%g"), " (init)"));
    absl::StrAppend(
        &report.markdown, "### Similarity against c\n\n",
        "The trained models of the variants that share the reference's "
        "optimiser (pre- and post-norm, with and without biases), c from ",
        Fmt(config.similarity_scales(0), "%g"), " to ",
        Fmt(config.similarity_scales(config.similarity_scales_size() - 1),
            "%g"),
        " with softmax attention; the last block's output.\n\n",
        report.AddPlot("similarity_vs_c", "similarity against c", plot), "\n\n",
        MarkdownTable(header, rows), "\n");
  }

  // ---- Saturated heads ----
  {
    LinePlot plot{
        absl::StrCat("Heads of the saturated model (c = ", Fmt(c_big, "%g"),
                     "), ", ref.size(), " reference runs pooled"),
        "mean keys attended per query (log scale)", "heads"};
    plot.log_x = true;
    const double hi = rc.probe().seq_len();
    plot.series.push_back(
        HistogramSeries("heads", head_means, 24, 0.8, hi, /*log_bins=*/true));
    plot.series.push_back(
        Series{absl::StrFormat("mean visible keys (%.1f)", visible),
               {visible, visible},
               {0, static_cast<double>(heads_total)}});
    std::vector<std::vector<std::string>> rows;
    for (const HeadPositions& h : first.norm_growth().heads()) {
      rows.push_back({absl::StrCat(h.layer()), absl::StrCat(h.head()),
                      Fmt(h.mean(), "%.2f"), Fmt(h.std(), "%.2f"),
                      Pct(h.p_more_than_one()),
                      h.mean() <= kArgmaxMax           ? "argmax"
                      : h.mean() >= kMeanMin * visible ? "mean"
                                                       : "between"});
    }
    absl::StrAppend(
        &report.markdown, "## Saturated heads\n\n",
        "n(query) = keys with weight > ",
        Fmt(config.attended_threshold(), "%g"),
        " in the saturated trained model. An argmax head attends to about one "
        "key (mean n <= ",
        Fmt(kArgmaxMax, "%.1f"),
        "); a mean head spreads its weight over many (mean n >= half of the ",
        Fmt(visible, "%.1f"),
        " keys a query sees on average). Scaling every parameter by c scales "
        "a pre-norm block's attention scores by about c^4 (queries and keys "
        "by c^2 each), so at c = ",
        Fmt(c_big, "%g"),
        " a query attends to more than one key only where scores tie exactly "
        "in float32: the saturated limit.\n\n",
        report.AddPlot("heads", "saturated heads histogram", plot), "\n\n",
        "Every head of ", first.name(), ":\n\n",
        MarkdownTable({"layer", "head", "mean n", "std n", "P(n > 1)", "kind"},
                      rows),
        "\n");
  }
  absl::StrAppend(
      &report.markdown,
      SweepHowMeasured(results.run(), results_file, r.runs(), "norm_growth"));
  return report;
}

}  // namespace sparsity
