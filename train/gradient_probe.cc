#include "train/gradient_probe.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "metrics/gradient_sparsity.h"
#include "metrics/spectral.h"

namespace sparsity {
namespace {

// Keeps each MLP layer's pre- and post-activation tensors (still in the
// autograd graph) of one forward pass.
class KeepActivations : public ActivationObserver {
 public:
  explicit KeepActivations(int64_t layers) : pre_(layers), post_(layers) {}
  bool WantsAttention() const override { return false; }
  void OnMlp(const MlpEvent& e) override {
    pre_[e.layer] = e.pre;
    post_[e.layer] = e.post;
  }
  const std::vector<torch::Tensor>& pre() const { return pre_; }
  const std::vector<torch::Tensor>& post() const { return post_; }

 private:
  std::vector<torch::Tensor> pre_, post_;
};

}  // namespace

GradientProbe MeasureGradients(Model& model, const Batch& batch, int64_t step) {
  const int64_t layers = model.num_layers();
  KeepActivations kept(layers);
  torch::Tensor loss;
  std::vector<torch::Tensor> grads;
  {
    torch::AutoGradMode grad_mode(true);
    loss = model.Loss(batch, &kept);
    for (int64_t l = 0; l < layers; ++l) {
      TORCH_CHECK(kept.post()[l].defined(), "layer ", l,
                  " reported no MLP activations");
    }
    grads = torch::autograd::grad({loss}, kept.post(), /*grad_outputs=*/{},
                                  /*retain_graph=*/false,
                                  /*create_graph=*/false,
                                  /*allow_unused=*/true);
  }
  GradientProbe out;
  out.set_step(step);
  out.set_loss(loss.item<float>());
  out.set_mix(model.mlp(0).mix_value());
  for (int64_t l = 0; l < layers; ++l) {
    MlpImpl& mlp = model.mlp(l);
    const torch::Tensor& pre = kept.pre()[l];
    const torch::Tensor& post = kept.post()[l];
    torch::Tensor g = grads[l].defined() ? grads[l] : torch::zeros_like(post);
    torch::NoGradGuard no_grad;
    const torch::Tensor eta = EffectiveGradient(g, pre.detach(), post.detach(),
                                                mlp.options(), mlp.mix_value());
    const GradientSparsity s = GradientSparsityOf(eta);
    const ActiveGradient active =
        ActiveGradientOf(g, post, eta, kNearZeroActivation);
    LayerGradient* layer = out.add_layers();
    layer->set_loss_token_fraction(active.loss_tokens);
    layer->set_loss_token_density(active.density);
    layer->set_active_entries(active.active);
    layer->mutable_active_eta_below()->Add(active.below.begin(),
                                           active.below.end());
    layer->set_layer(static_cast<int>(l));
    layer->mutable_eta_below()->Add(s.below.begin(), s.below.end());
    layer->set_eta_l1(s.l1);
    layer->set_eta_l2(s.l2);
    layer->set_entries(s.entries);
    layer->set_density((post.detach().abs() > kNearZeroActivation)
                           .to(torch::kDouble)
                           .mean()
                           .item<double>());
    const Spectrum spectrum = SpectrumOf(mlp.fc1->weight);
    for (double r : kSpectralThresholds) {
      const SpectralConcentration c = spectrum.Concentration(r);
      SpectralRecord* rec = layer->add_spectral();
      rec->set_r(r);
      rec->set_nonzero(static_cast<int32_t>(c.nonzero));
      rec->set_ratio(c.ratio);
    }
    layer->set_eigenvalue_mean(spectrum.mean());
    layer->set_eigenvalue_max(spectrum.max());
  }
  return out;
}

absl::Status AddGradientProbe(RunContext& ctx) {
  const int64_t n = ctx.config.data().batch_size();
  const Batch& all = ctx.data.train_probe;
  if (!all.inputs.defined() || all.inputs.size(0) < n) {
    return absl::InvalidArgumentError(
        absl::StrCat("the gradient probe needs data.batch_size = ", n,
                     " training examples, the training-data probe holds ",
                     all.inputs.defined() ? all.inputs.size(0) : 0));
  }
  const Batch batch =
      Batch{all.inputs.slice(0, 0, n), all.targets.slice(0, 0, n)}.To(
          ctx.model->device());
  TrainingRecord* record = &ctx.record;
  ctx.trainer.add_probe_measurement(
      [batch, record](int64_t step, Model& model) -> absl::Status {
        *record->add_gradient_probes() = MeasureGradients(model, batch, step);
        return absl::OkStatus();
      },
      /*needs_grad=*/true);
  return absl::OkStatus();
}

}  // namespace sparsity
