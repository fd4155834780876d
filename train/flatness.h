// A flatness proxy for [P]'s explanation of sparsity (docs/method.md,
// "Flatness"): how much the held-out loss rises when every trainable
// tensor W (ndim > 0) of the trained model gets independent Gaussian noise
// of standard deviation sigma * rms(W), relative to its own scale (so a
// module that rescales its weights, e.g. a zeroth bias against a
// LayerNorm's gain, is perturbed as much as any other).
//
//   FlatnessRecord f = LossUnderWeightNoise(model, probe, 0.05, 8, seed);
//   f.increase();   // mean perturbed - unperturbed loss over 8 draws
//
// The noise comes from a generator seeded with `seed` (the model and the
// global generator are left as they were); as a RunHook the proxy is
// measured once, on the trained model and the held-out probe, at each scale
// of `sigmas` -> TrainingRecord.flatness.
#ifndef SPARSITY_TRAIN_FLATNESS_H_
#define SPARSITY_TRAIN_FLATNESS_H_

#include <cstdint>
#include <vector>

#include "data/batch.h"
#include "models/model.h"
#include "proto/results.pb.h"
#include "train/train_one.h"

namespace sparsity {

FlatnessRecord LossUnderWeightNoise(Model& model, const Batch& batch,
                                    double sigma, int draws, uint64_t seed);

// The RunHook: a final measurement at every scale of `sigmas`.
RunHook MeasureFlatness(std::vector<float> sigmas, int draws);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_FLATNESS_H_
