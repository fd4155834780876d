#include "reports/layer_stats.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sparsity {

double TokenDensity(const LayerSparsity& l) { return l.token_density_mean(); }
double BatchUnion(const LayerSparsity& l) { return l.batch_union_density(); }
double SequenceUnion(const LayerSparsity& l) {
  return l.sequence_union_density();
}

double WindowUnion(const LayerSparsity& l) { return l.window_union_density(); }
double RareUnits(const LayerSparsity& l) { return l.rare_unit_fraction(); }

std::vector<double> PerRun(const Runs& runs, int probe, int layer,
                           const LayerValue& value) {
  std::vector<double> v;
  for (const TrainingRecord* r : runs) {
    const int i = probe < 0 ? r->probes_size() - 1 : probe;
    v.push_back(value(r->probes(i).layers(layer)));
  }
  return v;
}

double MeanTokenDensity(
    const google::protobuf::RepeatedPtrField<LayerSparsity>& layers) {
  double sum = 0;
  for (const LayerSparsity& l : layers) sum += l.token_density_mean();
  return layers.empty() ? 0 : sum / layers.size();
}

std::vector<double> MeanOverLayers(const Runs& runs, int probe,
                                   const LayerValue& value) {
  std::vector<double> v;
  for (const TrainingRecord* r : runs) {
    const Probe& p = r->probes(probe < 0 ? r->probes_size() - 1 : probe);
    double sum = 0;
    for (const LayerSparsity& l : p.layers()) sum += value(l);
    v.push_back(sum / p.layers_size());
  }
  return v;
}

std::vector<double> FinalProfile(const TrainingRecord& run,
                                 const LayerValue& value) {
  std::vector<double> v;
  for (const LayerSparsity& l : FinalProbe(run).layers()) {
    v.push_back(value(l));
  }
  return v;
}

std::vector<Spread> AtProbe(const Runs& runs, int probe,
                            const LayerValue& value) {
  const int layers = runs[0]->probes(0).layers_size();
  std::vector<Spread> out;
  for (int l = 0; l < layers; ++l) {
    std::vector<double> v;
    for (const TrainingRecord* r : runs) {
      const int i = probe < 0 ? r->probes_size() - 1 : probe;
      v.push_back(value(r->probes(i).layers(l)));
    }
    out.push_back(SpreadOf(v));
  }
  return out;
}

std::vector<std::vector<double>> LayerCurves(const Runs& runs, int layer,
                                             const LayerValue& value) {
  std::vector<std::vector<double>> rows;
  for (const TrainingRecord* r : runs) {
    std::vector<double> row;
    for (const Probe& p : r->probes()) row.push_back(value(p.layers(layer)));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<double> ProbeSteps(const Runs& runs) {
  std::vector<double> x;
  for (const Probe& p : runs[0]->probes()) x.push_back(p.step());
  return x;
}

std::vector<double> Means(const std::vector<Spread>& s) {
  std::vector<double> out;
  for (const Spread& x : s) out.push_back(x.mean);
  return out;
}

bool StrictlyLowest(const std::vector<double>& v, int i) {
  for (size_t j = 0; j < v.size(); ++j) {
    if (static_cast<int>(j) != i && v[j] <= v[i]) return false;
  }
  return true;
}

std::string LowestIndices(const std::vector<double>& v) {
  const double lowest = *std::min_element(v.begin(), v.end());
  std::vector<std::string> tied;
  for (size_t j = 0; j < v.size(); ++j) {
    if (v[j] == lowest) tied.push_back(absl::StrCat(j));
  }
  return absl::StrJoin(tied, "=");
}

int ArgMin(const std::vector<double>& v) {
  return static_cast<int>(std::min_element(v.begin(), v.end()) - v.begin());
}
int ArgMax(const std::vector<double>& v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace sparsity
