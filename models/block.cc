#include "models/block.h"

#include "absl/strings/match.h"

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
  const PlugIns& p = o.plugins();
  TORCH_CHECK(!o.post_norm() || (p.zeroth_bias() == ZerothBias::kNone &&
                                 p.restricted_ln() == RestrictedLn::kNone),
              "the zeroth bias and the restricted LayerNorm need a pre-norm "
              "block");
  mlp_options.mix_steps(p.mix_steps());
  mlp = register_module("mlp", Mlp(mlp_options));
  if (p.restricted_ln() == RestrictedLn::kFromScratch) {
    FreezeLayerNormBias(ln2);
  } else if (p.restricted_ln() == RestrictedLn::kFinetune) {
    TORCH_CHECK(p.restricted_ln_steps() > 0,
                "the finetuning restricted LayerNorm needs U > 0 steps");
    ln2->bias.requires_grad_(false);
  }
  if (p.zeroth_bias() != ZerothBias::kNone) {
    TORCH_CHECK(p.zeroth_bias_clip() > 0, "the zeroth-bias clip must be > 0");
    zeroth_bias = register_parameter(
        "zeroth_bias", torch::zeros({o.max_seq_len(), o.d_model()}));
  }
}

void BlockImpl::ApplyConstraints(int64_t steps_done) {
  torch::NoGradGuard no_grad;
  mlp->SetStepsDone(steps_done);
  const PlugIns& p = options_.plugins();
  torch::Tensor gamma = ln2->weight;
  if (p.restricted_ln() == RestrictedLn::kFromScratch) {
    gamma.clamp_min_(1.0);
  } else if (p.restricted_ln() == RestrictedLn::kFinetune) {
    const double floor = RampAfter(steps_done, p.restricted_ln_steps());
    // A gain of exactly 0 counts as positive.
    torch::Tensor sign = torch::where(gamma >= 0, torch::ones_like(gamma),
                                      -torch::ones_like(gamma));
    gamma.copy_(sign * gamma.abs().clamp_min(floor));
  }
  if (zeroth_bias.defined()) {
    torch::Tensor bound = p.zeroth_bias_clip() * gamma.abs();  // [d_model]
    zeroth_bias.copy_(torch::max(torch::min(zeroth_bias, bound), -bound));
  }
}

bool IsZerothBias(const std::string& name) {
  return absl::EndsWith(name, "zeroth_bias");
}

bool IsPlugInTensor(const std::string& name) {
  return IsZerothBias(name) || absl::EndsWith(name, "mlp.mix");
}

void ApplyBlockConstraints(torch::nn::ModuleList& blocks, int64_t step) {
  for (size_t i = 0; i < blocks->size(); ++i) {
    blocks->ptr<BlockImpl>(i)->ApplyConstraints(step + 1);
  }
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
    if (observer != nullptr) observer->OnMlpResidual(ResidualEvent{layer, y});
    out = ln2->forward(y + mlp->forward(y, layer, observer));
  } else {
    torch::Tensor y = x + attn->forward(ln1->forward(x), layer, observer);
    if (observer != nullptr) observer->OnMlpResidual(ResidualEvent{layer, y});
    torch::Tensor h = ln2->forward(y);
    const ZerothBias placement = options_.plugins().zeroth_bias();
    torch::Tensor bias;  // B[t] for the sequence's positions
    if (placement != ZerothBias::kNone) {
      bias = zeroth_bias.slice(0, 0, y.size(1));
    }
    if (placement == ZerothBias::kMlpInput) h = h + bias;
    torch::Tensor m = mlp->forward(h, layer, observer);
    if (placement == ZerothBias::kMlpOutput) m = m + bias;
    out = y + m;
  }
  if (observer != nullptr) observer->OnBlock(BlockEvent{layer, out});
  return out;
}

}  // namespace sparsity
