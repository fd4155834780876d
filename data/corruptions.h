// Image corruptions for robustness ([L]'s part (e); docs/method.md,
// "Corruptions"), in the style of ImageNet-C's severities 1-5, scaled to
// 28 x 28 grey images; and label flipping for label-noise training.
//
//   torch::Tensor x = ...;   // float [N, 28, 28], pixels in [0, 1]
//   torch::Tensor y = Corrupt(x, Corruption::kGaussianNoise, /*severity=*/3,
//                             /*seed=*/7);
//   torch::Tensor noisy = FlipLabels(labels, 0.2, /*classes=*/10, /*seed=*/1);
//
// Corruptions act on pixels in [0, 1] (before normalisation), keep the shape
// and the range [0, 1], are the identity at severity 0, and depend only on
// their arguments (noise from a generator seeded by `seed`).
#ifndef SPARSITY_DATA_CORRUPTIONS_H_
#define SPARSITY_DATA_CORRUPTIONS_H_

#include <cstdint>
#include <string>

#include "torch/torch.h"

namespace sparsity {

enum class Corruption { kGaussianNoise, kImpulseNoise, kBlur, kContrast };

inline constexpr int kMaxSeverity = 5;

// The parameter of a corruption at severity 1..5 (0 at severity 0):
//   Gaussian noise: the noise's standard deviation (0.08 0.12 0.18 0.26 0.38)
//   impulse noise:  the fraction of pixels set to 0 or 1, half each
//                   (0.03 0.06 0.09 0.17 0.27)
//   blur:           the Gaussian kernel's sigma in pixels
//                   (0.5 0.75 1 1.5 2; radius ceil(3 sigma), edges replicated)
//   contrast:       the factor c in mean + c (x - mean), per image
//                   (0.4 0.3 0.2 0.1 0.05; 1 at severity 0)
double CorruptionParameter(Corruption corruption, int severity);
std::string CorruptionName(Corruption corruption);

// images: float [N, H, W] in [0, 1]; severity in [0, kMaxSeverity].
torch::Tensor Corrupt(const torch::Tensor& images, Corruption corruption,
                      int severity, uint64_t seed);

// A copy of labels (int64 [N], in [0, classes)) with exactly
// round(fraction * N) of them changed, each to a class drawn uniformly from
// the other classes-1; which ones, and to what, is fixed by seed.
torch::Tensor FlipLabels(const torch::Tensor& labels, double fraction,
                         int64_t classes, uint64_t seed);

}  // namespace sparsity

#endif  // SPARSITY_DATA_CORRUPTIONS_H_
