#include "metrics/flops.h"

namespace sparsity {

MlpFlops MlpFlopsPerToken(int64_t d_model, int64_t d_ff, double token_density) {
  const double one_layer = 2.0 * static_cast<double>(d_model) *
                           static_cast<double>(d_ff);  // one matmul
  MlpFlops out;
  out.dense = 2 * one_layer;
  out.sparse_fc2 = one_layer + one_layer * token_density;
  out.sparse_both = 2 * one_layer * token_density;
  return out;
}

}  // namespace sparsity
