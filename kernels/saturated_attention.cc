#include "kernels/saturated_attention.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace sparsity {

bool SaturatedAttentionCpu(const float* scores, const float* values, int64_t n,
                           int64_t tq, int64_t tk, int64_t dv, bool causal,
                           float tolerance, float* probs, float* out) {
  if (out != nullptr && values == nullptr) return false;
  for (int64_t b = 0; b < n; ++b) {
    const float* v = values == nullptr ? nullptr : values + b * tk * dv;
    for (int64_t i = 0; i < tq; ++i) {
      const int64_t row = b * tq + i;
      const float* s = scores + row * tk;
      const int64_t visible = VisibleKeys(i, tq, tk, causal);
      // The maximum of the visible scores; NaN never wins (x > NaN and
      // NaN > x are both false).
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < visible; ++j) m = s[j] > m ? s[j] : m;
      // All-NaN rows: m stays -inf and no NaN ties it (NaN >= x is false).
      const float threshold = m - tolerance;
      int64_t tied = 0;
      for (int64_t j = 0; j < visible; ++j) tied += s[j] >= threshold;
      const float w = tied > 0 ? 1.0f / static_cast<float>(tied) : 0.0f;
      if (probs != nullptr) {
        float* p = probs + row * tk;
        for (int64_t j = 0; j < visible; ++j) {
          p[j] = s[j] >= threshold ? w : 0.0f;
        }
        for (int64_t j = visible; j < tk; ++j) p[j] = 0.0f;
      }
      if (out != nullptr) {
        float* o = out + row * dv;
        std::memset(o, 0, dv * sizeof(float));
        if (tied == 0) continue;
        for (int64_t j = 0; j < visible; ++j) {
          if (!(s[j] >= threshold)) continue;
          const float* vj = v + j * dv;
          for (int64_t d = 0; d < dv; ++d) o[d] += vj[d];
        }
        for (int64_t d = 0; d < dv; ++d) o[d] *= w;
      }
    }
  }
  return true;
}

}  // namespace sparsity
