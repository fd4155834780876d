#include "models/transformer_lm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace sparsity {

TransformerLMOptions TransformerLMOptions::FromConfig(const ModelConfig& c) {
  return TransformerLMOptions(c.vocab_size(), c.d_model(), c.n_layers(),
                              c.n_heads(), c.d_ff(), c.max_seq_len())
      .post_norm(c.post_norm())
      .tied_head(c.tied_head());
}

absl::Status ValidateModelConfig(const ModelConfig& c) {
  const std::pair<const char*, int64_t> sizes[] = {
      {"model.vocab_size", c.vocab_size()},
      {"model.d_model", c.d_model()},
      {"model.n_layers", c.n_layers()},
      {"model.n_heads", c.n_heads()},
      {"model.d_ff", c.d_ff()},
      {"model.max_seq_len", c.max_seq_len()},
  };
  for (const auto& [name, value] : sizes) {
    if (value <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be positive, got ", value));
    }
  }
  if (c.d_model() % c.n_heads() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.d_model (", c.d_model(),
        ") must be divisible by model.n_heads (", c.n_heads(), ")"));
  }
  return absl::OkStatus();
}

BlockImpl::BlockImpl(const TransformerLMOptions& o)
    : post_norm_(o.post_norm()) {
  ln1 = register_module(
      "ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model()})));
  attn =
      register_module("attn", CausalSelfAttention(AttentionOptions(
                                  o.d_model(), o.n_heads(), o.max_seq_len())));
  ln2 = register_module(
      "ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model()})));
  mlp = register_module("mlp", Mlp(MlpOptions(o.d_model(), o.d_ff())));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, int layer,
                                 ActivationObserver* observer) {
  if (post_norm_) {
    torch::Tensor y = ln1->forward(x + attn->forward(x, layer, observer));
    return ln2->forward(y + mlp->forward(y, layer, observer));
  }
  torch::Tensor y = x + attn->forward(ln1->forward(x), layer, observer);
  return y + mlp->forward(ln2->forward(y), layer, observer);
}

TransformerLMImpl::TransformerLMImpl(const TransformerLMOptions& o)
    : options_(o) {
  tok_emb = register_module("tok_emb",
                            torch::nn::Embedding(o.vocab_size(), o.d_model()));
  pos_emb = register_module("pos_emb",
                            torch::nn::Embedding(o.max_seq_len(), o.d_model()));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < o.n_layers(); ++i) {
    block_list_.push_back(Block(o));
    blocks->push_back(block_list_.back());
  }
  if (!o.post_norm()) {
    ln_f = register_module(
        "ln_f",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d_model()})));
  }
  if (!o.tied_head()) {
    head = register_module(
        "head",
        torch::nn::Linear(
            torch::nn::LinearOptions(o.d_model(), o.vocab_size()).bias(false)));
  }
  // GPT-2 initialisation: N(0, 0.02) weights, zero biases, residual output
  // projections scaled by 1/sqrt(2 * n_layers).
  torch::NoGradGuard no_grad;
  const double residual_std = 0.02 / std::sqrt(2.0 * o.n_layers());
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& p = item.value();
    if (name.find("ln") != std::string::npos) continue;  // LayerNorm: 1 and 0
    if (p.dim() == 1) {
      p.zero_();
    } else if (name.find("proj.weight") != std::string::npos ||
               name.find("fc2.weight") != std::string::npos) {
      p.normal_(0.0, residual_std);
    } else {
      p.normal_(0.0, 0.02);
    }
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
  for (size_t i = 0; i < block_list_.size(); ++i) {
    x = block_list_[i]->forward(x, static_cast<int>(i), observer);
  }
  if (ln_f) x = ln_f->forward(x);
  return torch::linear(x, head ? head->weight : tok_emb->weight);
}

torch::Tensor TransformerLMImpl::NextTokenLoss(const torch::Tensor& batch,
                                               ActivationObserver* observer) {
  const int64_t s = batch.size(1) - 1;
  torch::Tensor inputs = batch.slice(1, 0, s);
  torch::Tensor targets = batch.slice(1, 1, s + 1);
  torch::Tensor logits = forward(inputs, observer);
  return torch::nn::functional::cross_entropy(
      logits.reshape({-1, options_.vocab_size()}), targets.reshape({-1}));
}

int64_t TransformerLMImpl::NumParameters() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace sparsity
