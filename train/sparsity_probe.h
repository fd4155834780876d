// Measures activation sparsity of every MLP layer on one fixed probe batch.
//
//   SparsityProbe probe(data.probe);              // a Batch
//   SparsityMeasurement m = probe.Measure(*model);
//   m.layers[0].batch_union_density;              // metrics/sparsity.h
//
// The probe runs the model without gradients, observing each MLP's
// post-activation matrix through the observer interface. The model may sit
// on any device: the observed matrices are copied to the CPU for counting.
#ifndef SPARSITY_TRAIN_SPARSITY_PROBE_H_
#define SPARSITY_TRAIN_SPARSITY_PROBE_H_

#include <optional>
#include <vector>

#include "data/batch.h"
#include "metrics/sparsity.h"
#include "models/model.h"
#include "models/observer.h"
#include "proto/results.pb.h"
#include "train/train_one.h"

namespace sparsity {

struct SparsityMeasurement {
  float loss = 0;      // the model's loss on the probe batch
  float accuracy = 0;  // fraction of its targets predicted (argmax)
  std::vector<LayerSparsityStats> layers;
};

class SparsityProbe : public ActivationObserver {
 public:
  explicit SparsityProbe(Batch batch) : batch_(std::move(batch)) {}
  bool WantsAttention() const override { return false; }

  SparsityMeasurement Measure(Model& model);
  // The same measurement of another batch (e.g. training data).
  SparsityMeasurement Measure(Model& model, const Batch& batch);

  int64_t tokens() const { return batch_.targets.numel(); }
  int64_t sequences() const { return batch_.targets.size(0); }

  void OnMlp(const MlpEvent& event) override;

 private:
  Batch batch_;
  std::vector<std::optional<SparsityAccumulator>> accumulators_;
};

// Flattens a measurement into the per-layer results messages (loss,
// accuracy, layers). `with_firing_frequency` also stores each unit's firing
// frequency.
void ToProto(const SparsityMeasurement& m, bool with_firing_frequency,
             Probe* out);

// A RunHook (train/train_one.h): probes sparsity on the run's probe batch on
// the config's probe schedule, appending one Probe per measurement to the
// run's record (firing frequencies at the last step only), and shows
// per-layer token density on the progress line.
absl::Status AddSparsityProbe(RunContext& ctx);

// AddSparsityProbe whose final probe also measures the run's fixed batch of
// training data (RunData::train_probe, as many examples as the probe batch):
// Probe.train_loss, train_accuracy and train_layers with firing frequencies.
absl::Status AddSparsityProbeWithTrainingData(RunContext& ctx);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_SPARSITY_PROBE_H_
