// One transformer block, shared by the language model and the vision
// transformer: self-attention and an MLP, each with a residual connection
// and a LayerNorm, pre-norm (x + f(LN(x))) or post-norm (LN(x + f(x))).
//
//   Block block(BlockOptions(/*d_model=*/128, /*n_heads=*/4, /*d_ff=*/512,
//                            /*max_seq_len=*/128).post_norm(false));
//   torch::Tensor y = block->forward(x, /*layer=*/0, observer);
#ifndef SPARSITY_MODELS_BLOCK_H_
#define SPARSITY_MODELS_BLOCK_H_

#include "models/attention.h"
#include "models/mlp.h"
#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

struct BlockOptions {
  BlockOptions(int64_t d_model, int64_t n_heads, int64_t d_ff,
               int64_t max_seq_len)
      : d_model_(d_model),
        n_heads_(n_heads),
        max_seq_len_(max_seq_len),
        mlp_(d_model, d_ff) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_heads);
  TORCH_ARG(int64_t, max_seq_len);
  TORCH_ARG(bool, post_norm) = false;
  TORCH_ARG(bool, causal) = true;
  // false: no Linear biases (attention's and the MLP's, whatever mlp() says)
  // and LayerNorm biases held at 0, untrained (FreezeLayerNormBias).
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(MlpOptions, mlp);
};

class BlockImpl : public torch::nn::Cloneable<BlockImpl> {
 public:
  explicit BlockImpl(const BlockOptions& options);
  void reset() override;

  // x: [batch, seq, d_model]. Reports attention, MLP and the block's output.
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer = nullptr);

  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  SelfAttention attn{nullptr};
  Mlp mlp{nullptr};

 private:
  BlockOptions options_;
};
TORCH_MODULE(Block);

// N blocks registered on `owner` as "blocks" and, when pre-norm, the final
// LayerNorm after them as "ln_f" (nullptr for post-norm; bias frozen at 0
// when options.bias() is false): what the LM and the ViT both stack.
struct BlockStack {
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
};
BlockStack RegisterBlockStack(torch::nn::Module& owner,
                              const BlockOptions& options, int64_t n_layers);

// Holds a LayerNorm's bias at 0 and out of training (requires_grad false):
// LibTorch 1.13's LayerNorm cannot drop its bias, so a bias-free model keeps
// a zero one that no optimiser moves and no scaling changes.
void FreezeLayerNormBias(torch::nn::LayerNorm& norm);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_BLOCK_H_
