// One transformer block, shared by the language model and the vision
// transformer: self-attention and an MLP, each with a residual connection
// and a LayerNorm, pre-norm (x + f(LN(x))) or post-norm (LN(x + f(x))).
//
//   Block block(BlockOptions(/*d_model=*/128, /*n_heads=*/4, /*d_ff=*/512,
//                            /*max_seq_len=*/128).post_norm(false));
//   torch::Tensor y = block->forward(x, /*layer=*/0, observer);
#ifndef SPARSITY_MODELS_BLOCK_H_
#define SPARSITY_MODELS_BLOCK_H_

#include <string>

#include "models/attention.h"
#include "models/mlp.h"
#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

// [P]'s plug-in modules (docs/method.md, "Other activations, plug-in
// modules"), all off by default. They apply to pre-norm blocks, around the
// LayerNorm before the MLP (ln2).
enum class ZerothBias {
  kNone,
  kMlpInput,   // MLP(LN(x) + B[t]): the follow-up paper's placement
  kMlpOutput,  // MLP(LN(x)) + B[t]: where the reference code's wrapper puts it
};
enum class RestrictedLn {
  kNone,
  kFromScratch,  // ln2 without bias (held at 0); gamma >= 1 after every step
  kFinetune,     // ln2's bias frozen; |gamma| >= min(steps / U, 1), sign kept
};
struct PlugIns {
  // A learnable B[max_seq_len, d_model], zero at the start, clipped after
  // every step to |B[t, j]| <= zeroth_bias_clip * |gamma_j| of ln2.
  TORCH_ARG(ZerothBias, zeroth_bias) = ZerothBias::kNone;
  TORCH_ARG(double, zeroth_bias_clip) = 0.1;
  TORCH_ARG(RestrictedLn, restricted_ln) = RestrictedLn::kNone;
  TORCH_ARG(int64_t, restricted_ln_steps) = 0;  // kFinetune: U
  // J-SquaredReLU MLPs only: the ReLU -> JSReLU mix over this many steps
  // (MlpOptions::mix_steps; 0: none).
  TORCH_ARG(int64_t, mix_steps) = 0;
};

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
  TORCH_ARG(PlugIns, plugins);
};

class BlockImpl : public torch::nn::Cloneable<BlockImpl> {
 public:
  explicit BlockImpl(const BlockOptions& options);
  void reset() override;

  // x: [batch, seq, d_model]. Reports attention, MLP and the block's output.
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer = nullptr);

  // The plug-ins' constraints after an optimiser step, `steps_done` steps
  // into the run: the activation mix, the restricted LayerNorm's gain, then
  // the zeroth-bias clip against that gain.
  void ApplyConstraints(int64_t steps_done);

  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  SelfAttention attn{nullptr};
  Mlp mlp{nullptr};
  torch::Tensor zeroth_bias;  // [max_seq_len, d_model], when enabled

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
// Whether a parameter name ("blocks.2.zeroth_bias") is a block's zeroth
// bias: a bias though a matrix, kept out of weight decay (train/optimizer.h).
bool IsZerothBias(const std::string& name);

// Whether a parameter or buffer name ("blocks.2.zeroth_bias",
// "blocks.0.mlp.mix") belongs to a plug-in: a finetuning run may add these
// to a checkpoint's model (train/checkpoint.h, LoadCheckpointWeights).
bool IsPlugInTensor(const std::string& name);

// Every block's ApplyConstraints, for a Model's ApplyConstraints(step)
// (`step`: the 0-based index of the step just taken).
void ApplyBlockConstraints(torch::nn::ModuleList& blocks, int64_t step);
BlockStack RegisterBlockStack(torch::nn::Module& owner,
                              const BlockOptions& options, int64_t n_layers);

// Holds a LayerNorm's bias at 0 and out of training (requires_grad false):
// LibTorch's C++ LayerNorm (1.13 and 2.11 alike) cannot drop its bias, so a
// bias-free model keeps a zero one that no optimiser moves and no scaling
// changes.
void FreezeLayerNormBias(torch::nn::LayerNorm& norm);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_BLOCK_H_
