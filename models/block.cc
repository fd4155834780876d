#include "models/block.h"

namespace sparsity {

BlockImpl::BlockImpl(const BlockOptions& options) : options_(options) {
  reset();
}

void BlockImpl::reset() {
  const BlockOptions& o = options_;
  ln1 = register_module(
      "ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model()})));
  attn = register_module(
      "attn",
      SelfAttention(AttentionOptions(o.d_model(), o.n_heads(), o.max_seq_len())
                        .causal(o.causal())
                        .bias(o.bias())));
  ln2 = register_module(
      "ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model()})));
  MlpOptions mlp_options = o.mlp();
  if (!o.bias()) {
    mlp_options.bias(false);
    FreezeLayerNormBias(ln1);
    FreezeLayerNormBias(ln2);
  }
  mlp = register_module("mlp", Mlp(mlp_options));
}

BlockStack RegisterBlockStack(torch::nn::Module& owner,
                              const BlockOptions& options, int64_t n_layers) {
  BlockStack out;
  out.blocks = owner.register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < n_layers; ++i) out.blocks->push_back(Block(options));
  if (!options.post_norm()) {
    out.ln_f = owner.register_module(
        "ln_f",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.d_model()})));
    if (!options.bias()) FreezeLayerNormBias(out.ln_f);
  }
  return out;
}

void FreezeLayerNormBias(torch::nn::LayerNorm& norm) {
  torch::NoGradGuard no_grad;
  norm->bias.zero_();
  norm->bias.requires_grad_(false);
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, int layer,
                                 ActivationObserver* observer) {
  torch::Tensor out;
  if (options_.post_norm()) {
    torch::Tensor y = ln1->forward(x + attn->forward(x, layer, observer));
    out = ln2->forward(y + mlp->forward(y, layer, observer));
  } else {
    torch::Tensor y = x + attn->forward(ln1->forward(x), layer, observer);
    out = y + mlp->forward(ln2->forward(y), layer, observer);
  }
  if (observer != nullptr) observer->OnBlock(BlockEvent{layer, out});
  return out;
}

}  // namespace sparsity
