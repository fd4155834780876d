#include "models/attention.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <tuple>

#include "ATen/record_function.h"
#include "models/saturated_attention_op.h"

namespace sparsity {

SelfAttentionImpl::SelfAttentionImpl(const AttentionOptions& options)
    : options_(options) {
  reset();
}

void SelfAttentionImpl::reset() {
  const AttentionOptions& o = options_;
  TORCH_CHECK(o.n_heads() > 0 && o.d_model() % o.n_heads() == 0, "d_model (",
              o.d_model(), ") must be divisible by n_heads (", o.n_heads(),
              ")");
  qkv = register_module(
      "qkv",
      torch::nn::Linear(torch::nn::LinearOptions(o.d_model(), 3 * o.d_model())
                            .bias(o.bias())));
  proj = register_module(
      "proj",
      torch::nn::Linear(
          torch::nn::LinearOptions(o.d_model(), o.d_model()).bias(o.bias())));
  const int64_t n = o.max_seq_len();
  mask_ = register_buffer(
      "mask", o.causal()
                  ? torch::full({n, n}, -std::numeric_limits<float>::infinity())
                        .triu(/*diagonal=*/1)
                  : torch::zeros({n, n}));
}

namespace {
std::atomic<FusedAttention> fused_attention{FusedAttention::kAuto};

bool TakeFusedPath(const torch::Tensor& q) {
  switch (fused_attention.load()) {
    case FusedAttention::kAlways:
      return true;
    case FusedAttention::kNever:
      return false;
    case FusedAttention::kAuto:
      break;
  }
  return q.is_cuda();
}
}  // namespace

void SetFusedAttention(FusedAttention policy) { fused_attention.store(policy); }

torch::Tensor SelfAttentionImpl::ExplicitAttention(
    const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
    double scale, int layer, ActivationObserver* observer) {
  const int64_t b = q.size(0), h = q.size(1), s = q.size(2), hd = q.size(3);
  // scores = mask + (q k^T) / sqrt(hd), the scale and the additive -inf
  // mask fused into one baddbmm.
  const torch::Tensor mask =
      mask_.slice(0, 0, s).slice(1, 0, s).expand({b * h, s, s});
  torch::Tensor scores =
      torch::baddbmm(mask, q.reshape({b * h, s, hd}),
                     k.reshape({b * h, s, hd}).transpose(1, 2), /*beta=*/1.0,
                     /*alpha=*/scale)
          .view({b, h, s, s});
  torch::Tensor probs, y;
  if (saturated_) {
    // The masked scores are -inf, and the kernel excludes those keys too.
    std::tie(probs, y) =
        SaturatedAttentionOp(scores, v, options_.causal(), tie_tolerance_);
  } else {
    probs = torch::softmax(scores, -1);
    y = torch::matmul(probs, v);
  }
  if (observer != nullptr) observer->OnAttention(AttentionEvent{layer, probs});
  return y;
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, int layer,
                                         ActivationObserver* observer) {
  RECORD_USER_SCOPE("attention");  // for profilers (bench/step_profile.h)
  const int64_t b = x.size(0), s = x.size(1), d = x.size(2);
  const int64_t h = options_.n_heads(), hd = d / h;
  TORCH_CHECK(s <= options_.max_seq_len(), "sequence length ", s,
              " exceeds max_seq_len ", options_.max_seq_len());
  // [b, s, 3, h, hd] -> 3 x [b, h, s, hd]. unbind, not three selects: its
  // backward stacks the three gradients instead of scattering each into a
  // zero-filled copy of the whole tensor. torch::linear fuses the bias
  // (see models/mlp.cc).
  std::vector<torch::Tensor> qkv_out = torch::linear(x, qkv->weight, qkv->bias)
                                           .view({b, s, 3, h, hd})
                                           .permute({2, 0, 3, 1, 4})
                                           .unbind(0);
  const torch::Tensor& q = qkv_out[0];
  const torch::Tensor& k = qkv_out[1];
  const torch::Tensor& v = qkv_out[2];
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  torch::Tensor y;
  if (TakeFusedPath(q) && !saturated_ &&
      (observer == nullptr || !observer->WantsAttention())) {
    // Nobody asks for the probabilities: one fused op (LibTorch's flash
    // attention on the CPU, its CUDA kernels on a GPU), with the same
    // causal mask (key j > query i excluded) and scale.
    y = at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{},
                                         /*dropout_p=*/0.0,
                                         /*is_causal=*/options_.causal(),
                                         /*scale=*/scale);
  } else {
    y = ExplicitAttention(q, k, v, scale, layer, observer);
  }
  y = y.transpose(1, 2).reshape({b, s, d});
  return torch::linear(y, proj->weight, proj->bias);
}

}  // namespace sparsity
