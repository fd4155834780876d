#include "train/robustness_probe.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "data/corruptions.h"

namespace sparsity {

Calibration CalibrateOn(Model& model, const Batch& batch, int64_t chunk) {
  const Batch on_device = batch.To(model.device());
  std::vector<torch::Tensor> logits;
  for (int64_t begin = 0; begin < on_device.inputs.size(0); begin += chunk) {
    const int64_t end = std::min(begin + chunk, on_device.inputs.size(0));
    const torch::Tensor l =
        model.Logits(on_device.inputs.slice(0, begin, end), nullptr);
    logits.push_back(l.reshape({-1, l.size(-1)}).to(torch::kCPU));
  }
  return CalibrationOf(torch::cat(logits),
                       on_device.targets.reshape({-1}).to(torch::kCPU));
}

void ToProto(const Calibration& c, CalibrationRecord* out) {
  out->set_examples(c.examples);
  out->set_ece(static_cast<float>(c.ece));
  out->set_nll(static_cast<float>(c.nll));
  out->set_accuracy(static_cast<float>(c.accuracy));
  out->clear_bins();
  for (const CalibrationBin& b : c.bins) {
    ReliabilityBin* r = out->add_bins();
    r->set_lo(static_cast<float>(b.lo));
    r->set_hi(static_cast<float>(b.hi));
    r->set_count(b.count);
    r->set_accuracy(static_cast<float>(b.accuracy));
    r->set_confidence(static_cast<float>(b.confidence));
  }
}

absl::Status AddCalibrationProbe(RunContext& ctx) {
  TrainingRecord* record = &ctx.record;
  const Batch probe = ctx.data.probe;
  ctx.trainer.add_final_measurement([record, probe](Model& model) {
    ToProto(CalibrateOn(model, probe), record->mutable_calibration());
    return absl::OkStatus();
  });
  return absl::OkStatus();
}

RunHook AddCorruptionProbe(int64_t examples, uint64_t seed) {
  return [examples, seed](RunContext& ctx) -> absl::Status {
    if (ctx.config.model().family() != ModelConfig::VIT) {
      return absl::InvalidArgumentError(
          "corruption accuracy is measured on image models (model.family "
          "VIT) only");
    }
    if (examples < 1 || examples > ctx.data.probe.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "corruption_examples must be in [1, ", ctx.data.probe.size(),
          "] (the probe's images), got ", examples));
    }
    const double mean = ctx.data.pixel_mean, std = ctx.data.pixel_std;
    const torch::Tensor pixels =
        (ctx.data.probe.inputs.slice(0, 0, examples) * std + mean)
            .clamp(0.0, 1.0);
    const torch::Tensor labels = ctx.data.probe.targets.slice(0, 0, examples);
    TrainingRecord* record = &ctx.record;
    ctx.trainer.add_final_measurement([record, pixels, labels, mean, std,
                                       seed](Model& model) {
      record->clear_corruptions();
      const Calibration clean =
          CalibrateOn(model, Batch{(pixels - mean) / std, labels});
      for (Corruption c :
           {Corruption::kGaussianNoise, Corruption::kImpulseNoise,
            Corruption::kBlur, Corruption::kContrast}) {
        for (int severity = 0; severity <= kMaxSeverity; ++severity) {
          const Calibration m =
              severity == 0
                  ? clean
                  : CalibrateOn(model,
                                Batch{(Corrupt(pixels, c, severity,
                                               seed + 16 * static_cast<int>(c) +
                                                   severity) -
                                       mean) /
                                          std,
                                      labels});
          CorruptionAccuracy* out = record->add_corruptions();
          out->set_corruption(CorruptionName(c));
          out->set_severity(severity);
          out->set_examples(m.examples);
          out->set_accuracy(static_cast<float>(m.accuracy));
          out->set_nll(static_cast<float>(m.nll));
        }
      }
      return absl::OkStatus();
    });
    return absl::OkStatus();
  };
}

}  // namespace sparsity
