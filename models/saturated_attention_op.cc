#include "models/saturated_attention_op.h"

#include <string>

#include "c10/core/DeviceGuard.h"
#include "kernels/saturated_attention.h"
#include "kernels/saturated_attention_cuda.h"
#include "models/cuda_stream.h"

namespace sparsity {

std::pair<torch::Tensor, torch::Tensor> SaturatedAttentionOp(
    const torch::Tensor& scores, const torch::Tensor& values, bool causal,
    float tie_tolerance) {
  TORCH_CHECK(scores.dim() >= 2 && values.dim() == scores.dim(),
              "saturated attention: scores [..., tq, tk] and values "
              "[..., tk, dv] of the same rank, got ",
              scores.sizes(), " and ", values.sizes());
  const int64_t r = scores.dim();
  const int64_t tq = scores.size(r - 2), tk = scores.size(r - 1);
  const int64_t dv = values.size(r - 1);
  TORCH_CHECK(values.size(r - 2) == tk && scores.sizes().slice(0, r - 2) ==
                                              values.sizes().slice(0, r - 2),
              "saturated attention: scores ", scores.sizes(),
              " do not match values ", values.sizes());
  TORCH_CHECK(scores.scalar_type() == torch::kFloat &&
                  values.scalar_type() == torch::kFloat,
              "saturated attention takes float32 tensors");
  TORCH_CHECK(!(torch::GradMode::is_enabled() &&
                (scores.requires_grad() || values.requires_grad())),
              "saturated attention is forward only: evaluate the saturated "
              "model under torch::NoGradGuard");
  TORCH_CHECK(tie_tolerance >= 0, "tie_tolerance must be >= 0, got ",
              tie_tolerance);
  // A CUDA tensor runs the CUDA twin on its device, without host copies.
  const c10::DeviceGuard guard(scores.device());
  TORCH_CHECK(values.device() == scores.device(),
              "saturated attention: scores on ", scores.device(),
              ", values on ", values.device());
  const torch::Tensor s = scores.contiguous();
  const torch::Tensor v = values.contiguous();
  const int64_t n = tq == 0 || tk == 0 ? 0 : s.numel() / (tq * tk);
  torch::Tensor probs = torch::empty(s.sizes(), s.options());
  std::vector<int64_t> out_sizes = s.sizes().vec();
  out_sizes.back() = dv;
  torch::Tensor out = torch::empty(out_sizes, s.options());
  if (s.numel() == 0) {
    out.zero_();
  } else if (s.is_cuda()) {
    std::string error;
    TORCH_CHECK(
        SaturatedAttentionCuda(s.data_ptr<float>(), v.data_ptr<float>(), n, tq,
                               tk, dv, causal, tie_tolerance,
                               probs.data_ptr<float>(), out.data_ptr<float>(),
                               &error, CurrentCudaStream(s.device())),
        "saturated attention on ", s.device(), ": ", error);
  } else {
    TORCH_CHECK(s.is_cpu(), "saturated attention runs on CPU or CUDA, got ",
                s.device());
    SaturatedAttentionCpu(s.data_ptr<float>(), v.data_ptr<float>(), n, tq, tk,
                          dv, causal, tie_tolerance, probs.data_ptr<float>(),
                          out.data_ptr<float>());
  }
  return {probs, out};
}

}  // namespace sparsity
