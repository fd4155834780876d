#include "train/fused_adamw.h"

#include <cstdio>
#include <sstream>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;
using torch::optim::OptimizerParamGroup;

// Parameters of several shapes in two groups (decayed, not decayed), as
// train/optimizer.h builds them.
struct Problem {
  std::vector<torch::Tensor> decay, no_decay;

  explicit Problem(torch::Device device = torch::kCPU) {
    torch::manual_seed(7);
    for (auto shape : {std::vector<int64_t>{48, 32}, {32, 48}, {256, 16}}) {
      decay.push_back(torch::randn(shape).to(device).requires_grad_());
    }
    for (auto shape : {std::vector<int64_t>{48}, {32}, {1}}) {
      no_decay.push_back(torch::randn(shape).to(device).requires_grad_());
    }
  }

  std::vector<OptimizerParamGroup> Groups(bool amsgrad = false) const {
    const auto options =
        AdamWOptions(1e-2).betas({0.9, 0.95}).eps(1e-8).amsgrad(amsgrad);
    std::vector<OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<AdamWOptions>(
                                   AdamWOptions(options).weight_decay(0.1)));
    groups.emplace_back(no_decay, std::make_unique<AdamWOptions>(
                                      AdamWOptions(options).weight_decay(0)));
    return groups;
  }

  std::vector<torch::Tensor> All() const {
    std::vector<torch::Tensor> all = decay;
    all.insert(all.end(), no_decay.begin(), no_decay.end());
    return all;
  }
};

// `steps` updates with the same pseudo-random gradients (seeded by step)
// and a learning rate that changes every step, as the schedule does.
void Train(torch::optim::Optimizer& opt, const Problem& p, int first,
           int steps) {
  for (int s = first; s < first + steps; ++s) {
    torch::manual_seed(1000 + s);
    for (const torch::Tensor& w : p.All()) {
      w.mutable_grad() = torch::randn(w.sizes()).to(w.device());
    }
    if (s % 5 == 3) p.no_decay[1].mutable_grad() = torch::Tensor();  // none
    for (auto& group : opt.param_groups()) {
      group.options().set_lr(1e-2 * (1.0 + 0.5 * std::cos(s)));
    }
    opt.step();
  }
}

double MaxRelDiff(const Problem& a, const Problem& b) {
  double worst = 0;
  for (size_t i = 0; i < a.All().size(); ++i) {
    const torch::Tensor x = a.All()[i].detach().cpu();
    const torch::Tensor y = b.All()[i].detach().cpu();
    worst = std::max(
        worst,
        ((x - y).abs().max() / y.abs().max().clamp_min(1e-12)).item<double>());
  }
  return worst;
}

void ExpectStatesEqual(const torch::optim::Optimizer& a,
                       const torch::optim::Optimizer& b, const Problem& pa,
                       const Problem& pb, double tolerance) {
  for (size_t i = 0; i < pa.All().size(); ++i) {
    const auto& sa = static_cast<const AdamWParamState&>(
        *a.state().at(pa.All()[i].unsafeGetTensorImpl()));
    const auto& sb = static_cast<const AdamWParamState&>(
        *b.state().at(pb.All()[i].unsafeGetTensorImpl()));
    EXPECT_EQ(sa.step(), sb.step()) << "parameter " << i;
    EXPECT_TRUE(torch::allclose(sa.exp_avg().cpu(), sb.exp_avg().cpu(),
                                tolerance, 1e-7));
    EXPECT_TRUE(torch::allclose(sa.exp_avg_sq().cpu(), sb.exp_avg_sq().cpu(),
                                tolerance, 1e-9));
  }
}

TEST(FusedAdamW, EqualsTorchAdamWWithinRounding) {
  Problem fused_p, reference_p;
  FusedAdamW fused(fused_p.Groups());
  torch::optim::AdamW reference(reference_p.Groups());
  Train(fused, fused_p, 0, 40);
  Train(reference, reference_p, 0, 40);
  // 40 steps of float rounding in a different order of operations.
  const double diff = MaxRelDiff(fused_p, reference_p);
  std::printf("fused vs torch AdamW after 40 steps: %.3g relative\n", diff);
  EXPECT_LT(diff, 1e-5);
  EXPECT_GT(MaxRelDiff(fused_p, Problem()), 1e-2);  // the step did move
  ExpectStatesEqual(fused, reference, fused_p, reference_p, 1e-5);
  // The parameter that sometimes had no gradient counts only its steps.
  EXPECT_EQ(static_cast<const AdamWParamState&>(
                *fused.state().at(fused_p.no_decay[1].unsafeGetTensorImpl()))
                .step(),
            32);
}

TEST(FusedAdamW, DecaysOnlyTheDecayedGroup) {
  Problem p;
  FusedAdamW fused(p.Groups());
  const torch::Tensor w = p.decay[0].detach().clone();
  const torch::Tensor b = p.no_decay[0].detach().clone();
  for (const torch::Tensor& x : p.All()) {
    x.mutable_grad() = torch::zeros_like(x);  // only the decay moves them
  }
  fused.step();
  EXPECT_TRUE(torch::allclose(p.decay[0], w * (1 - 1e-2 * 0.1), 1e-6, 0));
  EXPECT_TRUE(torch::equal(p.no_decay[0].detach(), b));
}

TEST(FusedAdamW, CheckpointsAreTorchAdamWCheckpoints) {
  // Uninterrupted: 20 fused steps.
  Problem whole_p;
  FusedAdamW whole(whole_p.Groups());
  Train(whole, whole_p, 0, 20);
  // 10 fused steps, saved; resumed by FusedAdamW and by torch's AdamW.
  Problem first_p;
  FusedAdamW first(first_p.Groups());
  Train(first, first_p, 0, 10);
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    first.save(archive);
    archive.save_to(saved);
  }
  const auto resume = [&](torch::optim::Optimizer& opt, Problem& p) {
    for (size_t i = 0; i < p.All().size(); ++i) {
      torch::NoGradGuard no_grad;
      p.All()[i].copy_(first_p.All()[i]);
    }
    std::stringstream in(saved.str());
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    opt.load(archive);
    Train(opt, p, 10, 10);
  };
  Problem fused_p, torch_p;
  FusedAdamW fused(fused_p.Groups());
  torch::optim::AdamW reference(torch_p.Groups());
  resume(fused, fused_p);
  resume(reference, torch_p);
  EXPECT_EQ(MaxRelDiff(fused_p, whole_p), 0.0);  // resume = uninterrupted
  ExpectStatesEqual(fused, whole, fused_p, whole_p, 0);
  EXPECT_LT(MaxRelDiff(torch_p, whole_p), 1e-5);
}

TEST(FusedAdamW, AmsgradTakesTorchAdamWsPath) {
  Problem fused_p, reference_p;
  FusedAdamW fused(fused_p.Groups(/*amsgrad=*/true));
  torch::optim::AdamW reference(reference_p.Groups(/*amsgrad=*/true));
  Train(fused, fused_p, 0, 10);
  Train(reference, reference_p, 0, 10);
  EXPECT_EQ(MaxRelDiff(fused_p, reference_p), 0.0);
}

TEST(FusedAdamW, CudaEqualsTorchAdamWOnCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  Problem fused_p(torch::kCUDA), reference_p;
  FusedAdamW fused(fused_p.Groups());
  torch::optim::AdamW reference(reference_p.Groups());
  Train(fused, fused_p, 0, 40);
  Train(reference, reference_p, 0, 40);
  EXPECT_LT(MaxRelDiff(fused_p, reference_p), 1e-5);
}

}  // namespace
}  // namespace sparsity
