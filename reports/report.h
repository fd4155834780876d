// A rendered report: Markdown text plus the plots it links to, and the
// helpers every report shares: number formatting, mean and spread over
// seeds, per-layer curves with a band over seeds, histograms, tables, and
// the provenance block.
//
//   Report report("layerwise_sparsity", "Layer-wise activation sparsity");
//   absl::StrAppend(&report.markdown,
//       report.AddPlot("loss", "training loss", loss_plot), "\n\n");
//   Spread s = SpreadOf({0.25, 0.27, 0.26});
//   PctSpread(s);   // "26.0% (25.0–27.0)"
#ifndef SPARSITY_REPORTS_REPORT_H_
#define SPARSITY_REPORTS_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"
#include "proto/results.pb.h"
#include "reports/plot.h"
#include "reports/verdict.h"

namespace sparsity {

struct Report {
  Report(std::string name, std::string title)
      : name(std::move(name)), title(std::move(title)) {}

  // Registers `plot` as NAME_<suffix>.png (its data as NAME_<suffix>.gp) and
  // returns the Markdown image link to it.
  std::string AddPlot(const std::string& suffix, const std::string& alt,
                      LinePlot plot);

  std::string name;      // NAME: written as NAME.md
  std::string title;     // shown in reports/README.md
  std::string headline;  // one or two sentences for reports/README.md
  std::string markdown;
  std::vector<std::pair<std::string, LinePlot>> plots;  // NAME_x.png, plot
  // This report's rows of the claims scorecard (reports/claims.h).
  std::vector<ClaimRow> claims;
};

// Mean, min and max of values (n of them); all zero for none.
struct Spread {
  double mean = 0;
  double min = 0;
  double max = 0;
  int n = 0;
};
Spread SpreadOf(const std::vector<double>& values);

// The runs of one variant (or any selection of runs).
using Runs = std::vector<const TrainingRecord*>;

// Runs grouped by variant, in order of first appearance.
std::vector<Runs> ByVariant(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs);

// The runs of `b` with the same init and data seeds as each run of `a`, in
// a's order; a run of `a` without a partner is left out of both. For paired
// comparisons across variants (docs/method.md, "Verdicts").
struct SeedPairs {
  Runs a, b;
};
SeedPairs PairBySeeds(const Runs& a, const Runs& b);

// The run of `runs` with the init and data seeds of `run`, or nullptr.
const TrainingRecord* WithSameSeeds(const Runs& runs,
                                    const TrainingRecord& run);

// The runs whose declared role (TrainingRecord.role) is `role`, in order.
Runs WithRole(const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
              const std::string& role);

// A run's last probe (the run must have probes).
const Probe& FinalProbe(const TrainingRecord& run);

// Element-wise a[i] - b[i].
std::vector<double> Differences(const std::vector<double>& a,
                                const std::vector<double>& b);

// Over runs: the spread of f(run).
template <typename F>
Spread Over(const Runs& runs, F f) {
  std::vector<double> v;
  for (const TrainingRecord* r : runs) v.push_back(f(*r));
  return SpreadOf(v);
}

// Pearson correlation of two equally long series (0 if either is constant).
double Pearson(const std::vector<double>& a, const std::vector<double>& b);

// q-quantile (q in [0, 1]) with linear interpolation between order
// statistics, as numpy's default; 0 for no values.
double Quantile(std::vector<double> values, double q);

// "26.0%".
std::string Pct(double fraction);
// "26.0% (25.1–27.3)" over several values; "26.0%" for one.
std::string PctSpread(const Spread& s);
// printf-formatted mean, then "(min–max)" over several values.
std::string NumSpread(const Spread& s, const char* format);

// Curves over training with a band over seeds: values[run][point][layer];
// one series per layer ("layer l"), the line the mean over runs, the band
// min..max over runs. Every run must have the same points (x).
LinePlot PerLayerBandPlot(
    const std::string& title, const std::string& x_label,
    const std::string& y_label, const std::vector<double>& x,
    const std::vector<std::vector<std::vector<double>>>& values);

// One curve with a band: rows[run][point], line = mean, band = min..max.
Series BandSeries(const std::string& title, const std::vector<double>& x,
                  const std::vector<std::vector<double>>& rows);

// Histogram of `values` in `bins` bins over [lo, hi] (log-spaced bins when
// `log_bins`, lo > 0), counts divided by `scale` (e.g. the number of runs
// pooled). Values outside [lo, hi] are left out.
Series HistogramSeries(const std::string& title,
                       const std::vector<double>& values, int bins, double lo,
                       double hi, bool log_bins, double scale = 1);

// | a | b |\n|---|---|\n| 1 | 2 |
std::string MarkdownTable(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows);

// The leaf fields whose values differ between two messages of one type, as
// "model.d_model 128 -> 64" (unset fields print as "unset"), in field order.
std::vector<std::string> ConfigDifferences(
    const google::protobuf::Message& from, const google::protobuf::Message& to);

// "How this was measured": preset, git revision, command line, machine,
// threads, library versions and wall time from the results file's RunInfo.
std::string ProvenanceSection(const RunInfo& run,
                              const std::string& results_file);

// One row per run: name, seeds, resumed, training time, throughput.
std::string RunTimingsTable(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs);

// The closing section of a sweep's report: "## How this was measured" with
// the provenance, the per-run timings, and how to regenerate the results
// file NAME.pb with //experiments:<experiment> (its records and checkpoints
// in <out_dir>/NAME.runs/).
std::string SweepHowMeasured(
    const RunInfo& run, const std::string& results_file,
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
    const std::string& experiment);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_REPORT_H_
