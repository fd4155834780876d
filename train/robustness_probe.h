// Final measurements of a trained model's calibration and robustness
// (docs/method.md, "Calibration" and "Corruptions"; [L]'s part (e)), as
// RunHooks for TrainOne (train/train_one.h):
//
//   TrainOne(run, {AddSparsityProbe, AddCalibrationProbe,
//                  AddCorruptionProbe(/*examples=*/2000, /*seed=*/7)},
//            options);
//
// Both run once, after the last step (Trainer::add_final_measurement), on
// the run's held-out probe.
#ifndef SPARSITY_TRAIN_ROBUSTNESS_PROBE_H_
#define SPARSITY_TRAIN_ROBUSTNESS_PROBE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "data/batch.h"
#include "metrics/calibration.h"
#include "models/model.h"
#include "proto/results.pb.h"
#include "train/train_one.h"

namespace sparsity {

// Calibration of `model` on `batch`: every target against its logits (ViT:
// one label an image; LM: every next token), evaluated in chunks of
// `chunk` examples (first dimension).
Calibration CalibrateOn(Model& model, const Batch& batch, int64_t chunk = 1024);
void ToProto(const Calibration& c, CalibrationRecord* out);

// The final model's calibration on the held-out probe ->
// TrainingRecord.calibration.
absl::Status AddCalibrationProbe(RunContext& ctx);

// ViT runs (an error for other families): accuracy and NLL of the final
// model on the first `examples` probe images under every corruption at
// severities 0-5 (data/corruptions.h; severity 0, the images as they are, is
// evaluated once and listed under each corruption). The images are taken
// back to [0, 1] pixels, corrupted, and normalised again; the noise of
// corruption c at severity s is seeded by seed + 16 c + s, so every run sees
// the same corrupted images -> TrainingRecord.corruptions.
RunHook AddCorruptionProbe(int64_t examples, uint64_t seed);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_ROBUSTNESS_PROBE_H_
