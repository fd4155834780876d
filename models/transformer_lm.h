// Decoder-only ReLU transformer language model (SPEC.md, "Models"): token +
// learned position embeddings, N blocks of (attention, MLP) with residuals and
// LayerNorm (pre-norm by default, post-norm selectable), tied or untied head.
//
//   TransformerLM lm(TransformerLMOptions(/*vocab=*/256, /*d_model=*/128,
//                                         /*n_layers=*/6, /*n_heads=*/4,
//                                         /*d_ff=*/512, /*max_seq_len=*/128));
//   torch::Tensor logits = lm->forward(tokens);           // [B, S, vocab]
//   torch::Tensor logits = lm->forward(tokens, &observer);  // + observations
#ifndef SPARSITY_MODELS_TRANSFORMER_LM_H_
#define SPARSITY_MODELS_TRANSFORMER_LM_H_

#include "absl/status/status.h"
#include "models/attention.h"
#include "models/mlp.h"
#include "models/observer.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

struct TransformerLMOptions {
  TransformerLMOptions(int64_t vocab_size, int64_t d_model, int64_t n_layers,
                       int64_t n_heads, int64_t d_ff, int64_t max_seq_len)
      : vocab_size_(vocab_size),
        d_model_(d_model),
        n_layers_(n_layers),
        n_heads_(n_heads),
        d_ff_(d_ff),
        max_seq_len_(max_seq_len) {}
  // From the config proto (call ValidateModelConfig first).
  static TransformerLMOptions FromConfig(const ModelConfig& config);

  TORCH_ARG(int64_t, vocab_size);
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_layers);
  TORCH_ARG(int64_t, n_heads);
  TORCH_ARG(int64_t, d_ff);
  TORCH_ARG(int64_t, max_seq_len);
  TORCH_ARG(bool, post_norm) = false;
  TORCH_ARG(bool, tied_head) = false;
};

// One clear error for a config that does not fit (sizes <= 0, d_model not
// divisible by n_heads, ...).
absl::Status ValidateModelConfig(const ModelConfig& config);

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const TransformerLMOptions& options);
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer);

  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  CausalSelfAttention attn{nullptr};
  Mlp mlp{nullptr};

 private:
  bool post_norm_;
};
TORCH_MODULE(Block);

class TransformerLMImpl : public torch::nn::Module {
 public:
  explicit TransformerLMImpl(const TransformerLMOptions& options);

  // tokens: int64 [batch, seq]; returns logits [batch, seq, vocab_size].
  torch::Tensor forward(const torch::Tensor& tokens,
                        ActivationObserver* observer = nullptr);

  // Mean next-token cross-entropy of tokens[:, 1:] given tokens[:, :-1]
  // (batch is [B, S+1]).
  torch::Tensor NextTokenLoss(const torch::Tensor& batch,
                              ActivationObserver* observer = nullptr);

  const TransformerLMOptions& options() const { return options_; }
  int64_t NumParameters() const;

  torch::nn::Embedding tok_emb{nullptr}, pos_emb{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};  // pre-norm only
  torch::nn::Linear head{nullptr};     // untied head only

 private:
  TransformerLMOptions options_;
  std::vector<Block> block_list_;
};
TORCH_MODULE(TransformerLM);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_TRANSFORMER_LM_H_
