// Per-layer statistics of probed training runs, shared by the reports:
// values at a probe with their spread over runs (seeds), final per-layer
// profiles, curves, and a probe's mean token density over layers.
//
//   Runs runs = {&record1, &record2};   // one variant, several seeds
//   std::vector<Spread> bu = AtProbe(runs, -1, BatchUnion);  // final, per
//   layer bu[0].mean, bu[0].min, bu[0].max
#ifndef SPARSITY_REPORTS_LAYER_STATS_H_
#define SPARSITY_REPORTS_LAYER_STATS_H_

#include <functional>
#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

using LayerValue = std::function<double(const LayerSparsity&)>;

double TokenDensity(const LayerSparsity& l);
double BatchUnion(const LayerSparsity& l);
double SequenceUnion(const LayerSparsity& l);
double WindowUnion(const LayerSparsity& l);
double RareUnits(const LayerSparsity& l);

// Per run: `value` of `layer` at probe index `probe` (-1: the last probe).
std::vector<double> PerRun(const Runs& runs, int probe, int layer,
                           const LayerValue& value);
// The mean over layers of their mean token density (0 for no layers).
double MeanTokenDensity(
    const google::protobuf::RepeatedPtrField<LayerSparsity>& layers);

// Per run: the mean over layers of `value` at probe index `probe`.
std::vector<double> MeanOverLayers(const Runs& runs, int probe,
                                   const LayerValue& value);

// One run's `value` per layer at its last probe.
std::vector<double> FinalProfile(const TrainingRecord& run,
                                 const LayerValue& value);

// Per layer: the spread over runs of `value` at probe index `probe` (-1:
// each run's last probe).
std::vector<Spread> AtProbe(const Runs& runs, int probe,
                            const LayerValue& value);

// Per probe of one layer: `value` of every run, rows[run][probe].
std::vector<std::vector<double>> LayerCurves(const Runs& runs, int layer,
                                             const LayerValue& value);

// The probe steps of the first run.
std::vector<double> ProbeSteps(const Runs& runs);

std::vector<double> Means(const std::vector<Spread>& s);
// Whether v[i] is below every other entry (a tie is not).
bool StrictlyLowest(const std::vector<double>& v, int i);
// The indices of the lowest value, tied ones joined: "1" or "0=2".
std::string LowestIndices(const std::vector<double>& v);
int ArgMin(const std::vector<double>& v);
int ArgMax(const std::vector<double>& v);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYER_STATS_H_
