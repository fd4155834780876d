// Decoder-only transformer language model (docs/method.md, "Models"): token +
// learned position embeddings, N blocks (models/block.h) with residuals and
// LayerNorm (pre-norm by default, post-norm selectable), tied or untied head.
//
//   TransformerLM lm(TransformerLMOptions(/*vocab=*/256, /*d_model=*/128,
//                                         /*n_layers=*/6, /*n_heads=*/4,
//                                         /*d_ff=*/512, /*max_seq_len=*/128));
//   torch::Tensor logits = lm->forward(tokens);             // [B, S, vocab]
//   torch::Tensor loss = lm->Loss(NextTokenBatch(windows), &observer);
//   std::shared_ptr<Model> as_model = lm.ptr();
#ifndef SPARSITY_MODELS_TRANSFORMER_LM_H_
#define SPARSITY_MODELS_TRANSFORMER_LM_H_

#include <vector>

#include "absl/status/status.h"
#include "models/block.h"
#include "models/model.h"
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
  // The options of each of its blocks.
  BlockOptions block() const;

  TORCH_ARG(int64_t, vocab_size);
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_layers);
  TORCH_ARG(int64_t, n_heads);
  TORCH_ARG(int64_t, d_ff);
  TORCH_ARG(int64_t, max_seq_len);
  TORCH_ARG(bool, post_norm) = false;
  TORCH_ARG(bool, tied_head) = false;
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(int64_t, topk) = 0;
  TORCH_ARG(bool, bias) = true;  // false: see BlockOptions::bias
  TORCH_ARG(PlugIns, plugins);   // [P]'s plug-in modules, off by default
};

// The MLP activation a config names.
Activation ActivationFromConfig(const MlpConfig& config);
// [P]'s plug-ins of a config (models/block.h).
PlugIns PlugInsFromConfig(const ModelConfig& config);

// Upper bounds on sizes: beyond them a config is rejected with one line
// before anything is allocated.
inline constexpr int64_t kMaxWidth = 1 << 16;          // d_model, max_seq_len
inline constexpr int64_t kMaxUnits = 1 << 20;          // d_ff, vocab_size
inline constexpr int64_t kMaxRampSteps = 100'000'000;  // mix_steps, U
inline constexpr int64_t kMaxLayers = 1024;

// One clear error for a config that does not fit (sizes <= 0 or beyond the
// bounds above, d_model not divisible by n_heads, topk out of range, a ViT
// patch size other than 4 or 7, ...), for either model family.
absl::Status ValidateModelConfig(const ModelConfig& config);

class TransformerLMImpl : public Model {
 public:
  // Builds the modules and initialises them (InitGpt2) from the global
  // generator (torch::manual_seed).
  explicit TransformerLMImpl(const TransformerLMOptions& options);
  // A deep copy (CloneModel), on `device` or this model's.
  std::shared_ptr<torch::nn::Module> clone(
      const std::optional<torch::Device>& device =
          std::nullopt) const override {
    return CloneModel(*this, device);
  }

  // tokens: int64 [batch, seq]; returns logits [batch, seq, vocab_size].
  torch::Tensor forward(const torch::Tensor& tokens,
                        ActivationObserver* observer = nullptr);

  // Mean next-token cross-entropy of batch.targets given batch.inputs.
  torch::Tensor Loss(const Batch& batch, ActivationObserver* observer) override;
  torch::Tensor Logits(const torch::Tensor& inputs,
                       ActivationObserver* observer) override {
    return forward(inputs, observer);
  }
  void ApplyConstraints(int64_t step) override {
    ApplyBlockConstraints(blocks, step);
  }
  int64_t num_layers() const override { return options_.n_layers(); }
  int64_t d_ff() const override { return options_.d_ff(); }
  MlpImpl& mlp(int64_t layer) override {
    return *blocks->ptr<BlockImpl>(layer)->mlp;
  }

  const TransformerLMOptions& options() const { return options_; }

  torch::nn::Embedding tok_emb{nullptr}, pos_emb{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};  // pre-norm only
  torch::nn::Linear head{nullptr};     // untied head only

 private:
  void BuildModules();  // registers every module and parameter

  TransformerLMOptions options_;
};
TORCH_MODULE(TransformerLM);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_TRANSFORMER_LM_H_
