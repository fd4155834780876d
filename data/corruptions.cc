#include "data/corruptions.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace sparsity {
namespace {

constexpr double kGaussian[] = {0.08, 0.12, 0.18, 0.26, 0.38};
constexpr double kImpulse[] = {0.03, 0.06, 0.09, 0.17, 0.27};
constexpr double kBlur[] = {0.5, 0.75, 1.0, 1.5, 2.0};
constexpr double kContrast[] = {0.4, 0.3, 0.2, 0.1, 0.05};

// Separable Gaussian blur of [N, H, W] with replicated edges.
torch::Tensor GaussianBlur(const torch::Tensor& x, double sigma) {
  const int64_t radius = static_cast<int64_t>(std::ceil(3 * sigma));
  std::vector<float> w(2 * radius + 1);
  double sum = 0;
  for (int64_t i = -radius; i <= radius; ++i) {
    w[i + radius] =
        static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
    sum += w[i + radius];
  }
  for (float& v : w) v = static_cast<float>(v / sum);
  const int64_t n = x.size(0), h = x.size(1), wd = x.size(2);
  const torch::Tensor in = x.contiguous();
  torch::Tensor tmp = torch::empty_like(in), out = torch::empty_like(in);
  const float* src = in.data_ptr<float>();
  float* t = tmp.data_ptr<float>();
  float* o = out.data_ptr<float>();
  for (int64_t k = 0; k < n; ++k) {
    const float* s = src + k * h * wd;
    float* tk = t + k * h * wd;
    float* ok = o + k * h * wd;
    for (int64_t r = 0; r < h; ++r) {
      for (int64_t c = 0; c < wd; ++c) {
        float acc = 0;
        for (int64_t i = -radius; i <= radius; ++i) {
          acc +=
              w[i + radius] * s[r * wd + std::clamp<int64_t>(c + i, 0, wd - 1)];
        }
        tk[r * wd + c] = acc;
      }
    }
    for (int64_t r = 0; r < h; ++r) {
      for (int64_t c = 0; c < wd; ++c) {
        float acc = 0;
        for (int64_t i = -radius; i <= radius; ++i) {
          acc +=
              w[i + radius] * tk[std::clamp<int64_t>(r + i, 0, h - 1) * wd + c];
        }
        ok[r * wd + c] = acc;
      }
    }
  }
  return out.clamp(0, 1);
}

}  // namespace

double CorruptionParameter(Corruption corruption, int severity) {
  TORCH_CHECK(severity >= 0 && severity <= kMaxSeverity,
              "corruption severity must be in [0, ", kMaxSeverity, "], got ",
              severity);
  if (severity == 0) return corruption == Corruption::kContrast ? 1.0 : 0.0;
  const int i = severity - 1;
  switch (corruption) {
    case Corruption::kGaussianNoise:
      return kGaussian[i];
    case Corruption::kImpulseNoise:
      return kImpulse[i];
    case Corruption::kBlur:
      return kBlur[i];
    case Corruption::kContrast:
      return kContrast[i];
  }
  return 0;
}

std::string CorruptionName(Corruption corruption) {
  switch (corruption) {
    case Corruption::kGaussianNoise:
      return "gaussian_noise";
    case Corruption::kImpulseNoise:
      return "impulse_noise";
    case Corruption::kBlur:
      return "blur";
    case Corruption::kContrast:
      return "contrast";
  }
  return "unknown";
}

torch::Tensor Corrupt(const torch::Tensor& images, Corruption corruption,
                      int severity, uint64_t seed) {
  TORCH_CHECK(images.dim() == 3 && images.scalar_type() == torch::kFloat,
              "corruptions need float images [N, H, W], got ", images.sizes(),
              " of ", images.scalar_type());
  const double p = CorruptionParameter(corruption, severity);
  const torch::Tensor x = images.to(torch::kCPU).contiguous();
  if (severity == 0) return x.clone();
  torch::Generator gen = torch::make_generator<torch::CPUGeneratorImpl>(seed);
  switch (corruption) {
    case Corruption::kGaussianNoise:
      return (x + p * torch::randn(x.sizes(), gen)).clamp(0, 1);
    case Corruption::kImpulseNoise: {
      const torch::Tensor u = torch::rand(x.sizes(), gen);
      torch::Tensor out = x.clone();
      out.masked_fill_(u < p / 2, 0.0);
      out.masked_fill_((u >= p / 2) & (u < p), 1.0);
      return out;
    }
    case Corruption::kBlur:
      return GaussianBlur(x, p);
    case Corruption::kContrast: {
      const torch::Tensor mean = x.mean({1, 2}, /*keepdim=*/true);
      return ((x - mean) * p + mean).clamp(0, 1);
    }
  }
  return x.clone();
}

torch::Tensor FlipLabels(const torch::Tensor& labels, double fraction,
                         int64_t classes, uint64_t seed) {
  TORCH_CHECK(labels.dim() == 1 && labels.scalar_type() == torch::kLong,
              "labels must be int64 [N]");
  TORCH_CHECK(fraction >= 0 && fraction <= 1, "flip fraction must be in [0, 1]",
              ", got ", fraction);
  TORCH_CHECK(classes >= 2, "flipping needs at least 2 classes");
  torch::Tensor out = labels.to(torch::kCPU).clone().contiguous();
  const int64_t n = out.size(0);
  const int64_t k = std::llround(fraction * static_cast<double>(n));
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::uniform_int_distribution<int64_t> other(1, classes - 1);
  int64_t* y = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < k; ++i) {
    const int64_t j = order[i];
    TORCH_CHECK(y[j] >= 0 && y[j] < classes, "label ", y[j], " not in [0, ",
                classes, ")");
    y[j] = (y[j] + other(rng)) % classes;
  }
  return out;
}

}  // namespace sparsity
