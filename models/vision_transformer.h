// A ViT-style image classifier (docs/method.md, "Models") for 28 x 28
// grey-scale images, on the same Block, MLP and observers as the language
// model: the image is cut into (28 / patch)^2 square patches, each linearly
// embedded; a learned CLS token is prepended and learned position
// embeddings added; N non-causal blocks (pre-norm by default, post-norm
// selectable) follow; a final LayerNorm (pre-norm only) and a linear head
// read the CLS token.
//
//   VisionTransformer vit(VisionTransformerOptions(/*d_model=*/64,
//       /*n_layers=*/4, /*n_heads=*/4, /*d_ff=*/256, /*patch_size=*/7,
//       /*num_classes=*/10));
//   torch::Tensor logits = vit->forward(images);    // [B, 28, 28] -> [B, 10]
//   torch::Tensor loss = vit->Loss(Batch{images, labels}, &observer);
//
// The observer sees every block's attention (over all 17 or 50 tokens: no
// mask) and MLP with [batch, tokens, ...] tensors, CLS at token 0.
#ifndef SPARSITY_MODELS_VISION_TRANSFORMER_H_
#define SPARSITY_MODELS_VISION_TRANSFORMER_H_

#include "models/block.h"
#include "models/model.h"
#include "models/observer.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

struct VisionTransformerOptions {
  VisionTransformerOptions(int64_t d_model, int64_t n_layers, int64_t n_heads,
                           int64_t d_ff, int64_t patch_size,
                           int64_t num_classes)
      : d_model_(d_model),
        n_layers_(n_layers),
        n_heads_(n_heads),
        d_ff_(d_ff),
        patch_size_(patch_size),
        num_classes_(num_classes) {}
  // From the config proto (call ValidateModelConfig first).
  static VisionTransformerOptions FromConfig(const ModelConfig& config);
  BlockOptions block() const;
  int64_t patches() const {
    return (image_size_ / patch_size_) * (image_size_ / patch_size_);
  }
  int64_t tokens() const { return patches() + 1; }  // patches + CLS

  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_layers);
  TORCH_ARG(int64_t, n_heads);
  TORCH_ARG(int64_t, d_ff);
  TORCH_ARG(int64_t, patch_size);
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, image_size) = 28;
  TORCH_ARG(bool, post_norm) = false;
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(int64_t, topk) = 0;
  TORCH_ARG(bool, bias) = true;  // false: see BlockOptions::bias
  TORCH_ARG(PlugIns, plugins);   // [P]'s plug-in modules, off by default
};

class VisionTransformerImpl : public Model {
 public:
  // Builds the modules and initialises them from the global generator:
  // InitGpt2, and the CLS token and positions ~ N(0, 0.02).
  explicit VisionTransformerImpl(const VisionTransformerOptions& options);
  // A deep copy (CloneModel), on `device` or this model's.
  std::shared_ptr<torch::nn::Module> clone(
      const std::optional<torch::Device>& device =
          std::nullopt) const override {
    return CloneModel(*this, device);
  }

  // images: float [batch, 28, 28] (or [batch, 1, 28, 28]); returns logits
  // [batch, num_classes].
  torch::Tensor forward(const torch::Tensor& images,
                        ActivationObserver* observer = nullptr);
  // [batch, patches, patch_size^2], patches in row-major order.
  torch::Tensor Patchify(const torch::Tensor& images) const;

  // Mean cross-entropy of batch.targets (int64 labels [batch]).
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
  const VisionTransformerOptions& options() const { return options_; }

  torch::nn::Linear patch_emb{nullptr};
  torch::Tensor cls, pos;  // [1, 1, d_model], [1, tokens, d_model]
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};  // pre-norm only
  torch::nn::Linear head{nullptr};

 private:
  void BuildModules();  // registers every module and parameter

  VisionTransformerOptions options_;
};
TORCH_MODULE(VisionTransformer);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_VISION_TRANSFORMER_H_
