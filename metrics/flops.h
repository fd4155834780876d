// MLP FLOPs per token (docs/method.md, "FLOPs"), dense and counting only the
// units that fire, from a measured token density. Multiply-adds count as 2
// FLOPs; biases and the activation are left out (d_ff + d_model adds, small
// beside 4 d_model d_ff).
//
//   MlpFlops f = MlpFlopsPerToken(/*d_model=*/64, /*d_ff=*/256, 0.1);
//   f.dense;        // 4 * 64 * 256 = 65536
//   f.sparse_fc2;   // fc1 dense, fc2 on the firing units only: 36044.8
//   f.sparse_both;  // both on the firing units (a perfect predictor): 6553.6
//
// Depends on nothing but the standard library, so reports can link it.
#ifndef SPARSITY_METRICS_FLOPS_H_
#define SPARSITY_METRICS_FLOPS_H_

#include <cstdint>

namespace sparsity {

struct MlpFlops {
  double dense = 0;        // fc1 and fc2 over every unit: 4 d_model d_ff
  double sparse_fc2 = 0;   // fc1 dense, fc2 over firing units only
  double sparse_both = 0;  // fc1 and fc2 over firing units only
};

// token_density: the mean fraction of the d_ff units that fire per token,
// in [0, 1].
MlpFlops MlpFlopsPerToken(int64_t d_model, int64_t d_ff, double token_density);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_FLOPS_H_
