#include "metrics/spectral.h"

#include <cmath>
#include <numeric>

namespace sparsity {

double Spectrum::mean() const {
  if (eigenvalues.empty()) return 0;
  return std::accumulate(eigenvalues.begin(), eigenvalues.end(), 0.0) /
         static_cast<double>(eigenvalues.size());
}

double Spectrum::top_share() const {
  const double sum =
      std::accumulate(eigenvalues.begin(), eigenvalues.end(), 0.0);
  return sum > 0 ? max() / sum : 0;
}

SpectralConcentration Spectrum::Concentration(double r) const {
  SpectralConcentration c;
  c.r = r;
  const double threshold = r * mean();
  double smallest = 0;
  for (double lambda : eigenvalues) {  // descending
    if (!(lambda > threshold)) break;
    ++c.nonzero;
    smallest = lambda;
  }
  if (c.nonzero > 0 && smallest > 0) c.ratio = std::sqrt(max() / smallest);
  return c;
}

Spectrum SpectrumOf(const torch::Tensor& k) {
  TORCH_CHECK(k.dim() == 2, "K must be a matrix, got ", k.sizes());
  const torch::Tensor sigma =
      torch::linalg_svdvals(k.detach().to(torch::kCPU, torch::kDouble));
  Spectrum s;
  s.eigenvalues.assign(k.size(0), 0.0);
  auto a = sigma.accessor<double, 1>();
  for (int64_t i = 0; i < sigma.size(0) && i < k.size(0); ++i) {
    s.eigenvalues[i] = a[i] * a[i];  // svdvals are descending
  }
  return s;
}

}  // namespace sparsity
