// Measures activation sparsity of every MLP layer on one fixed probe batch.
//
//   SparsityProbe probe(probe_batch);            // int64 [B, S + 1]
//   SparsityMeasurement m = probe.Measure(*model);
//   m.layers[0].batch_union_density;             // metrics/sparsity.h
//
// The probe runs the model without gradients, observing each MLP's
// post-activation matrix through the observer interface.
#ifndef SPARSITY_TRAIN_SPARSITY_PROBE_H_
#define SPARSITY_TRAIN_SPARSITY_PROBE_H_

#include <vector>

#include "metrics/sparsity.h"
#include "models/observer.h"
#include "models/transformer_lm.h"
#include "proto/results.pb.h"

namespace sparsity {

struct SparsityMeasurement {
  float loss = 0;  // next-token cross-entropy on the probe batch
  std::vector<LayerSparsityStats> layers;
};

class SparsityProbe : public ActivationObserver {
 public:
  explicit SparsityProbe(torch::Tensor batch) : batch_(std::move(batch)) {}

  SparsityMeasurement Measure(TransformerLMImpl& model);

  int64_t tokens() const { return batch_.size(0) * (batch_.size(1) - 1); }
  int64_t sequences() const { return batch_.size(0); }

  void OnMlp(int layer, const torch::Tensor& pre,
             const torch::Tensor& post) override;

 private:
  torch::Tensor batch_;
  std::vector<SparsityAccumulator> accumulators_;
};

// Flattens a measurement into the per-layer results messages.
// `with_firing_frequency` also stores each unit's firing frequency.
void ToProto(const SparsityMeasurement& m, bool with_firing_frequency,
             Probe* out);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_SPARSITY_PROBE_H_
