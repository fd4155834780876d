// Parameter norm growth and saturation (docs/method.md, "Norm growth and
// saturation"; Merrill et al. 2021, [M]).
//
//   std::vector<NormFit> fits = FitNormGrowth(steps, rho);  // t, sqrt_t, power
//   ParameterNorms n = MeasureNorms(model, groups);         // rho and per
//   group double c = Cosine(theta_t, theta_t1); double sim =
//   MeanTokenCosine(hidden, hidden_scaled); std::vector<HeadPositions> h =
//   AttendedPositions(probs, 1e-5f, layer);
//
// Definitions:
//   rho            l2 norm of every trainable parameter (requires_grad) with
//                  ndim > 0, concatenated; per group the same over the
//                  group's parameters.
//   groups         a parameter named "blocks.<i>.<...>" belongs to "block i";
//                  the token and position embeddings to "embeddings";
//                  anything else (the last LayerNorm, an untied head) to
//                  "final".
//   fits           least squares of rho(t) = a + b * t^alpha over the probe
//                  steps: alpha = 1 ("t"), alpha = 1/2 ("sqrt_t") and alpha
//                  free ("power": the alpha in [0.01, 4] that minimises the
//                  residual, by a grid then golden-section search; a and b
//                  are linear least squares at each alpha). R^2 = 1 -
//                  SS_res / SS_tot (1 when rho is constant and fitted
//                  exactly).
//   direction      cos(theta_t, theta_{t+1}); alignment cos(theta_t,
//                  theta_{t+1} - theta_t); step size |theta_{t+1} - theta_t|.
//   similarity     per token, cos(h, h') of two hidden states [.., d]; the
//                  mean over tokens (a zero vector has cosine 0 with
//                  anything).
//   n(token)       keys whose attention weight exceeds the threshold; per head
//                  mean and std (population) over query tokens, and the
//                  fraction with n > 1.
//   effective keys exp(H) of a query's attention weights (H = -sum p ln p,
//                  nats; 1 for one key, v for uniform weight over v keys);
//                  spread = exp(H) / visible keys. Per head the means over
//                  the queries that see at least min_visible keys.
//   body           the norm of every group but "final": sqrt(rho^2 -
//                  final^2).
//   direction      (matrix) cos(theta_i, theta_j) between the parameter
//                  vectors at the trajectory steps.
#ifndef SPARSITY_METRICS_NORM_GROWTH_H_
#define SPARSITY_METRICS_NORM_GROWTH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "torch/torch.h"

namespace sparsity {

// The fit of rho = a + b * t^alpha at a fixed alpha.
NormFit FitAtAlpha(const std::vector<double>& t, const std::vector<double>& rho,
                   double alpha);

// The three fits, in the order "t", "sqrt_t", "power". Needs >= 3 points.
std::vector<NormFit> FitNormGrowth(const std::vector<double>& t,
                                   const std::vector<double>& rho);

// When growth stops (NormGrowthRecord.growth_95_step and
// late_growth_fraction) from rho at rising steps, the last being the end.
struct GrowthStop {
  int64_t growth_95_step = 0;
  double late_growth_fraction = 0;
};
GrowthStop FindGrowthStop(const std::vector<int64_t>& steps,
                          const std::vector<double>& rho);

// The group ("embeddings", "block i", "final") of a parameter name.
std::string ParameterGroup(const std::string& name);

// The groups of a module's trainable parameters, in order of first
// appearance.
std::vector<std::string> ParameterGroups(const torch::nn::Module& module);

struct ParameterNorms {
  double rho = 0;
  std::vector<double> group_rho;  // in the order of `groups`
};
ParameterNorms MeasureNorms(const torch::nn::Module& module,
                            const std::vector<std::string>& groups);

// Every trainable parameter with ndim > 0, flattened and concatenated on
// the CPU in double (a new tensor).
torch::Tensor FlatParameters(const torch::nn::Module& module);

// cos(a, b) of two flat tensors (0 when either is zero).
double Cosine(const torch::Tensor& a, const torch::Tensor& b);

// Direction, alignment and step size from theta_t to theta_{t+1}.
void SetStepGeometry(const torch::Tensor& theta_t,
                     const torch::Tensor& theta_next, NormPoint* point);

// Mean over tokens of the cosine similarity of a and b, both [.., d].
double MeanTokenCosine(const torch::Tensor& a, const torch::Tensor& b);

// Per head of one layer's attention probabilities [batch, heads, tq, tk]:
// n = keys with weight > threshold, for each query.
std::vector<HeadPositions> AttendedPositions(const torch::Tensor& probs,
                                             float threshold, int layer);

// docs/method.md, "Norm growth and saturation": a head's spread at c = 1 is
// averaged over the queries that see at least this many keys (the first
// queries of a causal window see one or two, where every head is "spread").
inline constexpr int64_t kMinVisibleKeys = 8;

// Per head of one layer's attention probabilities [batch, heads, tq, tk],
// with visible[i] keys visible to query i: the mean effective keys and
// spread over the queries with visible[i] >= min_visible (zeros if none).
struct HeadSpread {
  double effective_keys = 0;
  double spread = 0;
};
std::vector<HeadSpread> EffectiveKeys(const torch::Tensor& probs,
                                      const std::vector<int64_t>& visible,
                                      int64_t min_visible);

// The norm of the groups other than "final" from rho and the group norms
// (in the order of `groups`); 0 if rounding makes it negative.
double BodyNorm(double rho, const std::vector<std::string>& groups,
                const std::vector<double>& group_rho);

// cos(theta_i, theta_j) for every pair, row-major, of flat vectors.
DirectionMatrix CosineMatrix(const std::vector<int64_t>& steps,
                             const std::vector<torch::Tensor>& thetas);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_NORM_GROWTH_H_
