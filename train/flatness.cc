#include "train/flatness.h"

#include <cmath>
#include <utility>

#include "ATen/CPUGeneratorImpl.h"

namespace sparsity {

FlatnessRecord LossUnderWeightNoise(Model& model, const Batch& batch,
                                    double sigma, int draws, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const bool training = model.is_training();
  model.eval();
  const Batch on_device = batch.To(model.device());
  FlatnessRecord out;
  out.set_sigma(sigma);
  out.set_draws(draws);
  const double base = model.Loss(on_device, nullptr).item<double>();
  out.set_loss(base);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<torch::Tensor> params;
  for (torch::Tensor& p : model.parameters()) {
    if (p.requires_grad() && p.dim() > 0) params.push_back(p);
  }
  std::vector<torch::Tensor> saved;
  std::vector<double> rms;
  for (const torch::Tensor& p : params) {
    saved.push_back(p.detach().clone());
    rms.push_back(
        p.detach().to(torch::kDouble).square().mean().sqrt().item<double>());
  }
  double sum = 0, sum_sq = 0;
  for (int d = 0; d < draws; ++d) {
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].add_(
          (torch::randn(params[i].sizes(), generator) * (sigma * rms[i]))
              .to(params[i].device(), params[i].scalar_type()));
    }
    const double delta = model.Loss(on_device, nullptr).item<double>() - base;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
    sum += delta;
    sum_sq += delta * delta;
  }
  const double mean = draws > 0 ? sum / draws : 0;
  out.set_increase(mean);
  out.set_increase_sd(
      draws > 1 ? std::sqrt(std::max(
                      0.0, (sum_sq - draws * mean * mean) / (draws - 1)))
                : 0);
  model.train(training);
  return out;
}

RunHook MeasureFlatness(std::vector<float> sigmas, int draws) {
  return [sigmas = std::move(sigmas), draws](RunContext& ctx) -> absl::Status {
    const Batch probe = ctx.data.probe;
    TrainingRecord* record = &ctx.record;
    const uint64_t seed =
        static_cast<uint64_t>(ctx.config.init_seed()) * 1000003 +
        static_cast<uint64_t>(ctx.config.data_seed());
    ctx.trainer.add_final_measurement(
        [sigmas, draws, probe, record, seed](Model& model) -> absl::Status {
          record->clear_flatness();
          for (size_t i = 0; i < sigmas.size(); ++i) {
            *record->add_flatness() =
                LossUnderWeightNoise(model, probe, sigmas[i], draws, seed + i);
          }
          return absl::OkStatus();
        });
    return absl::OkStatus();
  };
}

}  // namespace sparsity
