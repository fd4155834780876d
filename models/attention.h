// Multi-head self-attention, causal or not. The causal mask is additive -inf
// on keys after the query (so masked probabilities are exactly 0), not the
// multiplicative mask of the norm-growth reference code.
//
//   SelfAttention attn(AttentionOptions(128, 4, /*max_seq_len=*/256));
//   torch::Tensor y = attn->forward(x, /*layer=*/0, observer);
#ifndef SPARSITY_MODELS_ATTENTION_H_
#define SPARSITY_MODELS_ATTENTION_H_

#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

struct AttentionOptions {
  AttentionOptions(int64_t d_model, int64_t n_heads, int64_t max_seq_len)
      : d_model_(d_model), n_heads_(n_heads), max_seq_len_(max_seq_len) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_heads);
  TORCH_ARG(int64_t, max_seq_len);
  TORCH_ARG(bool, causal) = true;
  TORCH_ARG(bool, bias) = true;  // qkv and proj have biases
};

class SelfAttentionImpl : public torch::nn::Cloneable<SelfAttentionImpl> {
 public:
  explicit SelfAttentionImpl(const AttentionOptions& options);
  void reset() override;

  // x: [batch, seq, d_model], seq <= max_seq_len. Without an observer that
  // wants the probabilities (ActivationObserver::WantsAttention), and not
  // saturated, attention is LibTorch's fused scaled-dot-product attention;
  // otherwise the explicit softmax(mask + q k^T / sqrt(hd)) v, whose
  // probabilities the observer sees. Both agree to float rounding
  // (models/attention_test.cc).
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer = nullptr);

  // Saturated attention (the c -> infinity limit of softmax(c * scores)):
  // uniform weight over the keys tying the row's maximum score within
  // `tie_tolerance` (models/saturated_attention_op.h), instead of softmax.
  // For evaluating the saturated model only: no gradient flows through it.
  void set_saturated(bool saturated, float tie_tolerance = 0) {
    saturated_ = saturated;
    tie_tolerance_ = tie_tolerance;
  }
  bool saturated() const { return saturated_; }
  bool causal() const { return options_.causal(); }

  torch::nn::Linear qkv{nullptr};   // fused query/key/value projection
  torch::nn::Linear proj{nullptr};  // output projection (residual stream)

 private:
  // q, k, v: [batch, heads, seq, head dim]; returns the heads' outputs.
  torch::Tensor ExplicitAttention(const torch::Tensor& q,
                                  const torch::Tensor& k,
                                  const torch::Tensor& v, double scale,
                                  int layer, ActivationObserver* observer);

  AttentionOptions options_;
  torch::Tensor mask_;  // [max_seq_len, max_seq_len]: 0 or -inf (all 0 if
                        // not causal)
  bool saturated_ = false;
  float tie_tolerance_ = 0;
};
TORCH_MODULE(SelfAttention);

// Which path attention takes when no observer asks for the probabilities
// (an observer that does always gets the explicit, exact path).
enum class FusedAttention {
  // Fused on CUDA devices, explicit on the CPU, where LibTorch's fused
  // kernel measured slower than the explicit path at this project's shapes
  // (reports/performance.md, "Fused paths").
  kAuto,
  kAlways,  // fused on every device
  kNever,   // explicit everywhere
};
// For the whole process (default kAuto): benchmarks and tests compare them.
void SetFusedAttention(FusedAttention policy);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_ATTENTION_H_
