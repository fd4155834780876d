#include "metrics/calibration.h"

#include <algorithm>
#include <cmath>

namespace sparsity {

Calibration CalibrationOf(const torch::Tensor& logits,
                          const torch::Tensor& labels, int bins) {
  TORCH_CHECK(logits.dim() == 2 && labels.dim() == 1 &&
                  logits.size(0) == labels.size(0),
              "calibration needs logits [N, C] and labels [N], got ",
              logits.sizes(), " and ", labels.sizes());
  TORCH_CHECK(bins > 0, "calibration needs at least one bin, got ", bins);
  const torch::Tensor log_probs =
      torch::log_softmax(logits.to(torch::kCPU, torch::kDouble), 1);
  const torch::Tensor y = labels.to(torch::kCPU, torch::kLong);
  const auto [max_log_prob, prediction] = log_probs.max(1);
  const torch::Tensor confidence = max_log_prob.exp();
  const torch::Tensor correct = prediction.eq(y);

  Calibration out;
  out.examples = logits.size(0);
  out.bins.resize(bins);
  for (int b = 0; b < bins; ++b) {
    out.bins[b].lo = static_cast<double>(b) / bins;
    out.bins[b].hi = static_cast<double>(b + 1) / bins;
  }
  if (out.examples == 0) return out;
  out.nll = -log_probs.gather(1, y.unsqueeze(1)).mean().item<double>();
  out.accuracy = correct.to(torch::kDouble).mean().item<double>();

  const double* conf = confidence.data_ptr<double>();
  const bool* ok = correct.data_ptr<bool>();
  std::vector<double> conf_sum(bins, 0), correct_sum(bins, 0);
  for (int64_t i = 0; i < out.examples; ++i) {
    const int b = std::clamp(static_cast<int>(std::ceil(conf[i] * bins)) - 1, 0,
                             bins - 1);
    out.bins[b].count += 1;
    conf_sum[b] += conf[i];
    correct_sum[b] += ok[i] ? 1 : 0;
  }
  for (int b = 0; b < bins; ++b) {
    CalibrationBin& bin = out.bins[b];
    if (bin.count == 0) continue;
    bin.accuracy = correct_sum[b] / bin.count;
    bin.confidence = conf_sum[b] / bin.count;
    out.ece += static_cast<double>(bin.count) / out.examples *
               std::fabs(bin.accuracy - bin.confidence);
  }
  return out;
}

}  // namespace sparsity
