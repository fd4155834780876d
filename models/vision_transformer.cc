#include "models/vision_transformer.h"

#include "models/transformer_lm.h"

namespace sparsity {

VisionTransformerOptions VisionTransformerOptions::FromConfig(
    const ModelConfig& c) {
  return VisionTransformerOptions(c.d_model(), c.n_layers(), c.n_heads(),
                                  c.d_ff(), c.patch_size(), c.num_classes())
      .post_norm(c.post_norm())
      .activation(ActivationFromConfig(c.mlp()))
      .topk(c.mlp().topk())
      .bias(!c.no_bias())
      .plugins(PlugInsFromConfig(c));
}

BlockOptions VisionTransformerOptions::block() const {
  return BlockOptions(d_model_, n_heads_, d_ff_, tokens())
      .post_norm(post_norm_)
      .causal(false)
      .bias(bias_)
      .mlp(MlpOptions(d_model_, d_ff_).activation(activation_).topk(topk_))
      .plugins(plugins_);
}

VisionTransformerImpl::VisionTransformerImpl(const VisionTransformerOptions& o)
    : options_(o) {
  TORCH_CHECK(o.patch_size() > 0 && o.image_size() % o.patch_size() == 0,
              "patch size ", o.patch_size(), " does not divide the image side ",
              o.image_size());
  BuildModules();
  InitGpt2(*this, o.n_layers());
  torch::NoGradGuard no_grad;
  cls.normal_(0.0, 0.02);
  pos.normal_(0.0, 0.02);
}

void VisionTransformerImpl::BuildModules() {
  const VisionTransformerOptions& o = options_;
  patch_emb = register_module(
      "patch_emb",
      torch::nn::Linear(
          torch::nn::LinearOptions(o.patch_size() * o.patch_size(), o.d_model())
              .bias(o.bias())));
  cls = register_parameter("cls", torch::zeros({1, 1, o.d_model()}));
  pos = register_parameter("pos", torch::zeros({1, o.tokens(), o.d_model()}));
  BlockStack stack = RegisterBlockStack(*this, o.block(), o.n_layers());
  blocks = stack.blocks;
  ln_f = stack.ln_f;
  head = register_module(
      "head",
      torch::nn::Linear(torch::nn::LinearOptions(o.d_model(), o.num_classes())
                            .bias(o.bias())));
}

torch::Tensor VisionTransformerImpl::Patchify(
    const torch::Tensor& images) const {
  const int64_t side = options_.image_size(), p = options_.patch_size();
  torch::Tensor x = images;
  if (x.dim() == 4 && x.size(1) == 1) x = x.squeeze(1);
  TORCH_CHECK(x.dim() == 3 && x.size(1) == side && x.size(2) == side,
              "images must be [batch, ", side, ", ", side, "], got ",
              images.sizes());
  const int64_t b = x.size(0), n = side / p;
  return x.reshape({b, n, p, n, p})
      .permute({0, 1, 3, 2, 4})
      .reshape({b, n * n, p * p});
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images,
                                             ActivationObserver* observer) {
  const torch::Tensor patches = Patchify(images);
  const int64_t b = patches.size(0);
  torch::Tensor x = torch::cat(
      {cls.expand({b, 1, options_.d_model()}), patch_emb->forward(patches)}, 1);
  x = x + pos;
  for (size_t i = 0; i < blocks->size(); ++i) {
    x = blocks->ptr<BlockImpl>(i)->forward(x, static_cast<int>(i), observer);
  }
  torch::Tensor cls_out = x.select(1, 0);
  if (ln_f) cls_out = ln_f->forward(cls_out);
  return head->forward(cls_out);
}

torch::Tensor VisionTransformerImpl::Loss(const Batch& batch,
                                          ActivationObserver* observer) {
  return torch::nn::functional::cross_entropy(forward(batch.inputs, observer),
                                              batch.targets);
}

}  // namespace sparsity
