// Spectral concentration of an MLP's first weight ([P]; docs/method.md,
// "Spectral concentration"). K = fc1's weight, [d_ff, d_model]; lambda the
// d_ff eigenvalues of K K^T (the squared singular values of K, padded with
// zeros when d_ff > d_model). An eigenvalue is "nonzero" when
// lambda > r * mean(lambda); the ratio is sqrt(lambda_max /
// lambda_min_nonzero), a ratio of singular values.
//
//   Spectrum s = SpectrumOf(mlp.fc1->weight);
//   SpectralConcentration c = s.Concentration(/*r=*/10);
//   c.nonzero;  // eigenvalues above 10 x the mean
//   c.ratio;    // sqrt(max / smallest nonzero)
#ifndef SPARSITY_METRICS_SPECTRAL_H_
#define SPARSITY_METRICS_SPECTRAL_H_

#include <cstdint>
#include <vector>

#include "torch/torch.h"

namespace sparsity {

struct SpectralConcentration {
  double r = 0;
  int64_t nonzero = 0;  // eigenvalues > r * mean
  // sqrt(lambda_max / smallest nonzero lambda); 0 when none is nonzero.
  double ratio = 0;
};

struct Spectrum {
  std::vector<double> eigenvalues;  // of K K^T, descending, d_ff of them
  double mean() const;
  double max() const { return eigenvalues.empty() ? 0 : eigenvalues[0]; }
  // lambda_max / sum lambda: the share of the largest direction.
  double top_share() const;
  SpectralConcentration Concentration(double r) const;
};

// K: a matrix [rows, cols] (any device); eigenvalues of K K^T, computed in
// double from K's singular values.
Spectrum SpectrumOf(const torch::Tensor& k);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_SPECTRAL_H_
