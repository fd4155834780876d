#include "models/transformer_lm.h"

#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sparsity {

Activation ActivationFromConfig(const MlpConfig& c) {
  if (c.activation() == MlpConfig::TOPK_RELU) return Activation::kTopKRelu;
  if (c.activation() == MlpConfig::JSRELU) return Activation::kJsRelu;
  return Activation::kRelu;
}

PlugIns PlugInsFromConfig(const ModelConfig& c) {
  PlugIns p;
  if (c.zeroth_bias() == ModelConfig::MLP_INPUT) {
    p.zeroth_bias(ZerothBias::kMlpInput);
  } else if (c.zeroth_bias() == ModelConfig::MLP_OUTPUT) {
    p.zeroth_bias(ZerothBias::kMlpOutput);
  }
  if (c.has_zeroth_bias_clip()) p.zeroth_bias_clip(c.zeroth_bias_clip());
  if (c.restricted_ln() == ModelConfig::FROM_SCRATCH) {
    p.restricted_ln(RestrictedLn::kFromScratch);
  } else if (c.restricted_ln() == ModelConfig::FINETUNE) {
    p.restricted_ln(RestrictedLn::kFinetune);
  }
  return p.restricted_ln_steps(c.restricted_ln_steps())
      .mix_steps(c.mlp().mix_steps());
}

TransformerLMOptions TransformerLMOptions::FromConfig(const ModelConfig& c) {
  const Activation activation = ActivationFromConfig(c.mlp());
  return TransformerLMOptions(c.vocab_size(), c.d_model(), c.n_layers(),
                              c.n_heads(), c.d_ff(), c.max_seq_len())
      .post_norm(c.post_norm())
      .tied_head(c.tied_head())
      .activation(activation)
      .topk(c.mlp().topk())
      .bias(!c.no_bias())
      .plugins(PlugInsFromConfig(c));
}

BlockOptions TransformerLMOptions::block() const {
  return BlockOptions(d_model_, n_heads_, d_ff_, max_seq_len_)
      .post_norm(post_norm_)
      .causal(true)
      .bias(bias_)
      .mlp(MlpOptions(d_model_, d_ff_).activation(activation_).topk(topk_))
      .plugins(plugins_);
}

absl::Status ValidateModelConfig(const ModelConfig& c) {
  const bool vit = c.family() == ModelConfig::VIT;
  std::vector<std::tuple<const char*, int64_t, int64_t>> sizes = {
      {"model.d_model", c.d_model(), kMaxWidth},
      {"model.n_layers", c.n_layers(), kMaxLayers},
      {"model.n_heads", c.n_heads(), kMaxWidth},
      {"model.d_ff", c.d_ff(), kMaxUnits},
  };
  if (vit) {
    sizes.push_back({"model.num_classes", c.num_classes(), kMaxUnits});
    if (c.patch_size() != 4 && c.patch_size() != 7) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model.patch_size must be 4 or 7 for the ViT (28 x 28 images), "
          "got ",
          c.patch_size()));
    }
    if (c.tied_head()) {
      return absl::InvalidArgumentError(
          "model.tied_head does not apply to the ViT (it has no token "
          "embedding)");
    }
  } else {
    sizes.push_back({"model.vocab_size", c.vocab_size(), kMaxUnits});
    sizes.push_back({"model.max_seq_len", c.max_seq_len(), kMaxWidth});
  }
  for (const auto& [name, value, bound] : sizes) {
    if (value <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be positive, got ", value));
    }
    if (value > bound) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be at most ", bound, ", got ", value));
    }
  }
  if (c.d_model() % c.n_heads() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.d_model (", c.d_model(),
        ") must be divisible by model.n_heads (", c.n_heads(), ")"));
  }
  if (c.mlp().activation() == MlpConfig::TOPK_RELU &&
      (c.mlp().topk() <= 0 || c.mlp().topk() > c.d_ff())) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.mlp.topk must be in [1, model.d_ff = ", c.d_ff(),
                     "] for TOPK_RELU, got ", c.mlp().topk()));
  }
  if (c.mlp().mix_steps() < 0 || c.mlp().mix_steps() > kMaxRampSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.mlp.mix_steps must be in [0, ", kMaxRampSteps,
                     "], got ", c.mlp().mix_steps()));
  }
  if (c.mlp().mix_steps() > 0 && c.mlp().activation() != MlpConfig::JSRELU) {
    return absl::InvalidArgumentError(
        "model.mlp.mix_steps mixes ReLU into J-SquaredReLU: it needs "
        "model.mlp.activation JSRELU");
  }
  const bool plugins = c.zeroth_bias() != ModelConfig::ZEROTH_BIAS_NONE ||
                       c.restricted_ln() != ModelConfig::RESTRICTED_LN_NONE;
  if (plugins && c.post_norm()) {
    return absl::InvalidArgumentError(
        "model.zeroth_bias and model.restricted_ln act on the LayerNorm "
        "before the MLP of a pre-norm block: unset model.post_norm");
  }
  if (c.has_zeroth_bias_clip() &&
      !(c.zeroth_bias_clip() > 0 && c.zeroth_bias_clip() <= 1e6)) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.zeroth_bias_clip must be in (0, 1e6], got ",
                     c.zeroth_bias_clip()));
  }
  if (c.restricted_ln() == ModelConfig::FINETUNE &&
      (c.restricted_ln_steps() < 1 ||
       c.restricted_ln_steps() > kMaxRampSteps)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.restricted_ln_steps (U) must be in [1, ", kMaxRampSteps,
        "] for restricted_ln FINETUNE, got ", c.restricted_ln_steps()));
  }
  return absl::OkStatus();
}

TransformerLMImpl::TransformerLMImpl(const TransformerLMOptions& o)
    : options_(o) {
  BuildModules();
  InitGpt2(*this, o.n_layers());
}

void TransformerLMImpl::BuildModules() {
  const TransformerLMOptions& o = options_;
  tok_emb = register_module("tok_emb",
                            torch::nn::Embedding(o.vocab_size(), o.d_model()));
  pos_emb = register_module("pos_emb",
                            torch::nn::Embedding(o.max_seq_len(), o.d_model()));
  BlockStack stack = RegisterBlockStack(*this, o.block(), o.n_layers());
  blocks = stack.blocks;
  ln_f = stack.ln_f;
  if (!o.tied_head()) {
    head = register_module(
        "head",
        torch::nn::Linear(
            torch::nn::LinearOptions(o.d_model(), o.vocab_size()).bias(false)));
  }
}

torch::Tensor TransformerLMImpl::forward(const torch::Tensor& tokens,
                                         ActivationObserver* observer) {
  TORCH_CHECK(tokens.dim() == 2, "tokens must be [batch, seq], got ",
              tokens.sizes());
  const int64_t s = tokens.size(1);
  TORCH_CHECK(s <= options_.max_seq_len(), "sequence length ", s,
              " exceeds max_seq_len ", options_.max_seq_len());
  torch::Tensor positions = torch::arange(s, tokens.options());
  torch::Tensor x = tok_emb->forward(tokens) + pos_emb->forward(positions);
  // Through the ModuleList (not a cached vector of blocks): clone() replaces
  // the list's contents in place.
  for (size_t i = 0; i < blocks->size(); ++i) {
    x = blocks->ptr<BlockImpl>(i)->forward(x, static_cast<int>(i), observer);
  }
  if (ln_f) x = ln_f->forward(x);
  return torch::linear(x, head ? head->weight : tok_emb->weight);
}

torch::Tensor TransformerLMImpl::Loss(const Batch& batch,
                                      ActivationObserver* observer) {
  torch::Tensor logits = forward(batch.inputs, observer);
  return torch::nn::functional::cross_entropy(
      logits.reshape({-1, options_.vocab_size()}), batch.targets.reshape({-1}));
}

}  // namespace sparsity
