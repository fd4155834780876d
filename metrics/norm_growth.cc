#include "metrics/norm_growth.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sparsity {
namespace {

double SumSquaredResiduals(const NormFit& fit, const std::vector<double>& t,
                           const std::vector<double>& rho) {
  double ss = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const double r = rho[i] - (fit.a() + fit.b() * std::pow(t[i], fit.alpha()));
    ss += r * r;
  }
  return ss;
}

// The parameters rho covers: trainable, ndim > 0.
bool Tracked(const torch::Tensor& p) {
  return p.requires_grad() && p.dim() > 0;
}

}  // namespace

NormFit FitAtAlpha(const std::vector<double>& t, const std::vector<double>& rho,
                   double alpha) {
  const size_t n = t.size();
  double mx = 0, my = 0;
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::pow(t[i], alpha);
    mx += x[i];
    my += rho[i];
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (rho[i] - my);
    syy += (rho[i] - my) * (rho[i] - my);
  }
  NormFit fit;
  fit.set_alpha(alpha);
  fit.set_b(sxx > 0 ? sxy / sxx : 0);
  fit.set_a(my - fit.b() * mx);
  const double ss_res = SumSquaredResiduals(fit, t, rho);
  fit.set_r2(syy > 0 ? 1 - ss_res / syy : (ss_res == 0 ? 1 : 0));
  return fit;
}

std::vector<NormFit> FitNormGrowth(const std::vector<double>& t,
                                   const std::vector<double>& rho) {
  std::vector<NormFit> fits = {FitAtAlpha(t, rho, 1.0),
                               FitAtAlpha(t, rho, 0.5)};
  fits[0].set_form("t");
  fits[1].set_form("sqrt_t");
  // alpha free: a log-spaced grid over [0.01, 4], then golden section
  // around the best grid point.
  auto loss = [&](double alpha) {
    return SumSquaredResiduals(FitAtAlpha(t, rho, alpha), t, rho);
  };
  const double lo = std::log(0.01), hi = std::log(4.0);
  const int grid = 200;
  int best = 0;
  double best_loss = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= grid; ++i) {
    const double l = loss(std::exp(lo + (hi - lo) * i / grid));
    if (l < best_loss) best_loss = l, best = i;
  }
  double a = lo + (hi - lo) * std::max(best - 1, 0) / grid;
  double b = lo + (hi - lo) * std::min(best + 1, grid) / grid;
  const double g = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 60; ++it) {
    const double c = b - g * (b - a), d = a + g * (b - a);
    if (loss(std::exp(c)) < loss(std::exp(d))) {
      b = d;
    } else {
      a = c;
    }
  }
  NormFit power = FitAtAlpha(t, rho, std::exp((a + b) / 2));
  // The grid point stands if the search did not improve on it.
  const NormFit grid_fit =
      FitAtAlpha(t, rho, std::exp(lo + (hi - lo) * best / grid));
  if (SumSquaredResiduals(grid_fit, t, rho) <
      SumSquaredResiduals(power, t, rho)) {
    power = grid_fit;
  }
  power.set_form("power");
  fits.push_back(power);
  return fits;
}

GrowthStop FindGrowthStop(const std::vector<int64_t>& steps,
                          const std::vector<double>& rho) {
  GrowthStop stop;
  if (steps.empty()) return stop;
  const double start = rho.front();
  const double peak = *std::max_element(rho.begin(), rho.end());
  const double rise = peak - start;
  if (rise <= 0) return stop;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (rho[i] - start >= 0.95 * rise) {
      stop.growth_95_step = steps[i];
      break;
    }
  }
  // rho at the first probe step at or after 3/4 of the run, against the end.
  const int64_t quarter = steps.back() - steps.back() / 4;
  size_t q = 0;
  while (q + 1 < steps.size() && steps[q] < quarter) ++q;
  stop.late_growth_fraction = (rho.back() - rho[q]) / rise;
  return stop;
}

std::string ParameterGroup(const std::string& name) {
  const std::vector<std::string> parts = absl::StrSplit(name, '.');
  if (parts.size() >= 2 && parts[0] == "blocks") {
    return absl::StrCat("block ", parts[1]);
  }
  if (absl::StartsWith(name, "tok_emb") || absl::StartsWith(name, "pos_emb")) {
    return "embeddings";
  }
  return "final";
}

std::vector<std::string> ParameterGroups(const torch::nn::Module& module) {
  std::vector<std::string> groups;
  for (const auto& p : module.named_parameters()) {
    if (!Tracked(p.value())) continue;
    const std::string g = ParameterGroup(p.key());
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
      groups.push_back(g);
    }
  }
  return groups;
}

ParameterNorms MeasureNorms(const torch::nn::Module& module,
                            const std::vector<std::string>& groups) {
  torch::NoGradGuard no_grad;
  ParameterNorms n;
  n.group_rho.assign(groups.size(), 0.0);
  double total = 0;
  for (const auto& p : module.named_parameters()) {
    if (!Tracked(p.value())) continue;
    const double sq = p.value().to(torch::kDouble).pow(2).sum().item<double>();
    total += sq;
    const auto it =
        std::find(groups.begin(), groups.end(), ParameterGroup(p.key()));
    TORCH_CHECK(it != groups.end(), "parameter ", p.key(), " is in no group");
    n.group_rho[it - groups.begin()] += sq;
  }
  n.rho = std::sqrt(total);
  for (double& g : n.group_rho) g = std::sqrt(g);
  return n;
}

torch::Tensor FlatParameters(const torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const torch::Tensor& p : module.parameters()) {
    if (!Tracked(p)) continue;
    flat.push_back(p.reshape({-1}).to(torch::kCPU, torch::kDouble));
  }
  return flat.empty() ? torch::zeros({0}, torch::kDouble) : torch::cat(flat);
}

double Cosine(const torch::Tensor& a, const torch::Tensor& b) {
  const double na = a.norm().item<double>(), nb = b.norm().item<double>();
  if (na == 0 || nb == 0) return 0;
  return (a * b).sum().item<double>() / (na * nb);
}

void SetStepGeometry(const torch::Tensor& theta_t,
                     const torch::Tensor& theta_next, NormPoint* point) {
  const torch::Tensor delta = theta_next - theta_t;
  point->set_has_next(true);
  point->set_direction_cos(Cosine(theta_t, theta_next));
  point->set_alignment_cos(Cosine(theta_t, delta));
  point->set_step_size(delta.norm().item<double>());
}

double MeanTokenCosine(const torch::Tensor& a, const torch::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "MeanTokenCosine: shapes ", a.sizes(),
              " and ", b.sizes(), " differ");
  const int64_t d = a.size(-1);
  const torch::Tensor x = a.reshape({-1, d}).to(torch::kCPU, torch::kDouble);
  const torch::Tensor y = b.reshape({-1, d}).to(torch::kCPU, torch::kDouble);
  const torch::Tensor dot = (x * y).sum(1);
  const torch::Tensor norms = x.norm(2, 1) * y.norm(2, 1);
  const torch::Tensor cos = torch::where(
      norms > 0, dot / norms.clamp_min(1e-300), torch::zeros_like(dot));
  return cos.mean().item<double>();
}

std::vector<HeadPositions> AttendedPositions(const torch::Tensor& probs,
                                             float threshold, int layer) {
  TORCH_CHECK(probs.dim() == 4,
              "attention probabilities must be [batch, "
              "heads, tq, tk], got ",
              probs.sizes());
  // n[b, h, q] -> [h, b * q]
  const torch::Tensor n = (probs.to(torch::kCPU) > threshold)
                              .sum(-1)
                              .to(torch::kDouble)
                              .transpose(0, 1)
                              .reshape({probs.size(1), -1});
  std::vector<HeadPositions> heads;
  for (int64_t h = 0; h < n.size(0); ++h) {
    HeadPositions p;
    p.set_layer(layer);
    p.set_head(static_cast<int>(h));
    const torch::Tensor row = n[h];
    p.set_mean(row.mean().item<double>());
    p.set_std(row.std(/*unbiased=*/false).item<double>());
    p.set_p_more_than_one((row > 1).to(torch::kDouble).mean().item<double>());
    heads.push_back(p);
  }
  return heads;
}

}  // namespace sparsity

namespace sparsity {

std::vector<HeadSpread> EffectiveKeys(const torch::Tensor& probs,
                                      const std::vector<int64_t>& visible,
                                      int64_t min_visible) {
  const torch::Tensor p = probs.to(torch::kCPU, torch::kDouble);
  // exp(entropy) per [batch, head, query]; 0 * log 0 counts as 0.
  const torch::Tensor plogp =
      torch::where(p > 0, p * torch::log(p), torch::zeros_like(p));
  const torch::Tensor eff = torch::exp(-plogp.sum(-1));
  const int64_t heads = p.size(1), tq = p.size(2);
  std::vector<HeadSpread> out(heads);
  for (int64_t h = 0; h < heads; ++h) {
    double keys = 0, spread = 0;
    int64_t n = 0;
    for (int64_t i = 0; i < tq; ++i) {
      if (visible[i] < min_visible) continue;
      const torch::Tensor e = eff.select(1, h).select(1, i);
      keys += e.sum().item<double>();
      spread += e.sum().item<double>() / visible[i];
      n += e.numel();
    }
    if (n > 0) out[h] = {keys / n, spread / n};
  }
  return out;
}

double BodyNorm(double rho, const std::vector<std::string>& groups,
                const std::vector<double>& group_rho) {
  double sq = rho * rho;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (groups[g] == "final") sq -= group_rho[g] * group_rho[g];
  }
  return std::sqrt(std::max(sq, 0.0));
}

DirectionMatrix CosineMatrix(const std::vector<int64_t>& steps,
                             const std::vector<torch::Tensor>& thetas) {
  DirectionMatrix m;
  m.mutable_steps()->Add(steps.begin(), steps.end());
  for (const torch::Tensor& a : thetas) {
    for (const torch::Tensor& b : thetas) m.add_cos(Cosine(a, b));
  }
  return m;
}

}  // namespace sparsity
