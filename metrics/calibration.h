// Calibration of a classifier (docs/method.md, "Calibration"; [L]'s part
// (e)): expected calibration error over equal-width confidence bins, the
// negative log-likelihood and the accuracy, from logits and labels.
//
//   Calibration c = CalibrationOf(logits /*[N, C]*/, labels /*int64 [N]*/);
//   c.ece;        // sum_b n_b / N * |accuracy_b - confidence_b|
//   c.bins[14];   // the reliability diagram's last bar: (14/15, 1]
//
// Confidence is the largest softmax probability, the prediction its class
// (argmax; ties to the lowest index). Bin b of B covers (b/B, (b+1)/B]; a
// confidence of exactly 0 cannot occur with finite logits (it is at least
// 1/C), and would land in bin 0.
#ifndef SPARSITY_METRICS_CALIBRATION_H_
#define SPARSITY_METRICS_CALIBRATION_H_

#include <cstdint>
#include <vector>

#include "torch/torch.h"

namespace sparsity {

inline constexpr int kCalibrationBins = 15;

struct CalibrationBin {
  double lo = 0, hi = 0;  // (lo, hi]
  int64_t count = 0;      // examples whose confidence falls here
  double accuracy = 0;    // fraction of them predicted right (0 if empty)
  double confidence = 0;  // their mean confidence (0 if empty)
};

struct Calibration {
  double ece = 0;
  double nll = 0;  // mean -log p(label), nats
  double accuracy = 0;
  int64_t examples = 0;
  std::vector<CalibrationBin> bins;
};

// logits: float [N, C] (any device); labels: int64 [N] in [0, C).
Calibration CalibrationOf(const torch::Tensor& logits,
                          const torch::Tensor& labels,
                          int bins = kCalibrationBins);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_CALIBRATION_H_
