// The interface every trainable model implements (the LM today, the ViT
// next), so that the Trainer, checkpoints, probes and sweeps serve them all.
//
//   std::shared_ptr<Model> model = TransformerLM(options).ptr();
//   torch::Tensor loss = model->Loss(batch, /*observer=*/nullptr);
//   model->ApplyConstraints(step);   // after each optimiser step
//
// A Model is a torch::nn::Module (parameters(), to(device), save/load); the
// concrete models implement clone() with CloneModel (a deep copy, e.g. for
// the c * theta copies of a saturation probe).
#ifndef SPARSITY_MODELS_MODEL_H_
#define SPARSITY_MODELS_MODEL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "data/batch.h"
#include "models/mlp.h"
#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

// (LibTorch 2.x's Cloneable derives from Module non-virtually, so a model
// cannot be both a Cloneable and a Model: clone() comes from CloneModel.)
class Model : public torch::nn::Module {
 public:
  // Mean training loss of `batch` (e.g. next-token cross-entropy); reports
  // activations to `observer` when it is not null.
  virtual torch::Tensor Loss(const Batch& batch,
                             ActivationObserver* observer) = 0;
  // The logits of `inputs`, their last dimension over the classes of the
  // targets (LM: [batch, seq, vocab]; ViT: [batch, classes]); Loss is their
  // mean cross-entropy.
  virtual torch::Tensor Logits(const torch::Tensor& inputs,
                               ActivationObserver* observer) = 0;

  // Parameter constraints applied after every optimiser step (zeroth-bias
  // clipping, LayerNorm gain clamps, activation-mix schedules). Default: none.
  virtual void ApplyConstraints(int64_t step) {}

  // Blocks whose MLP the observer reports, and units per MLP.
  virtual int64_t num_layers() const = 0;
  virtual int64_t d_ff() const = 0;
  // The MLP of block `layer` (0 <= layer < num_layers()).
  virtual MlpImpl& mlp(int64_t layer) = 0;

  int64_t NumParameters() const;
  // The device of the parameters (of the first one: a model lives on one).
  torch::Device device() const;
};

// Copies `from`'s parameters (values and requires_grad), buffers and
// training mode into `to`, a model of the same structure, and moves `to` to
// `device` (default: `from`'s device).
void CopyModelState(const Model& from, Model& to,
                    const std::optional<torch::Device>& device);

// Runs `build` and restores the global CPU generator's state afterwards, so
// that building a copy's modules draws nothing from the experiment's stream.
std::shared_ptr<Model> WithoutDrawing(
    const std::function<std::shared_ptr<Model>()>& build);

// A concrete model's clone(): a new Impl from the same options (built
// without drawing from the global generator) holding a copy of `model`'s
// state.
template <typename Impl>
std::shared_ptr<torch::nn::Module> CloneModel(
    const Impl& model, const std::optional<torch::Device>& device) {
  std::shared_ptr<Model> copy =
      WithoutDrawing([&] { return std::make_shared<Impl>(model.options()); });
  CopyModelState(model, *copy, device);
  return copy;
}

// Loss and accuracy of one batch from a single forward pass: the mean
// cross-entropy of the logits against batch.targets (what Model::Loss
// computes) and the fraction of targets that are the logits' argmax.
struct Evaluation {
  float loss = 0;
  float accuracy = 0;
};
Evaluation Evaluate(Model& model, const Batch& batch,
                    ActivationObserver* observer);

// GPT-2 initialisation keyed by module type, not by parameter name: every
// Linear and Embedding weight ~ N(0, 0.02), biases 0, LayerNorm 1 and 0;
// then the projections that write into the residual stream (the MLP's fc2,
// attention's proj) ~ N(0, 0.02 / sqrt(2 * n_layers)).
void InitGpt2(torch::nn::Module& root, int64_t n_layers);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_MODEL_H_
