#include "train/saturation.h"

#include <memory>

#include "kernels/saturated_attention.h"
#include "metrics/norm_growth.h"
#include "models/attention.h"
#include "models/observer.h"
#include "models/scaling.h"

namespace sparsity {
namespace {

// Keeps each block's output, and per attention layer n = keys with weight
// above the threshold for every query, [batch, heads, tq].
class Recorder : public ActivationObserver {
 public:
  // attention: keep the probabilities and counts (threshold), not only the
  // block outputs.
  Recorder(bool attention, float threshold)
      : attention_(attention), threshold_(threshold) {}
  void OnBlock(const BlockEvent& e) override {
    outputs.push_back(e.output.to(torch::kCPU).clone());
  }
  bool WantsAttention() const override { return attention_; }
  void OnAttention(const AttentionEvent& e) override {
    if (!attention_) return;
    probs.push_back(e.probs.to(torch::kCPU).clone());
    counts.push_back((probs.back() > threshold_).sum(-1));
  }
  std::vector<torch::Tensor> outputs, probs, counts;

 private:
  bool attention_;
  float threshold_;
};

Recorder Observe(Model& model, const Batch& batch, bool attention,
                 float threshold) {
  torch::NoGradGuard no_grad;
  const bool training = model.is_training();
  model.eval();
  Recorder recorder(attention, threshold);
  model.Loss(batch.To(model.device()), &recorder);
  model.train(training);
  return recorder;
}

bool IsCausal(const torch::nn::Module& model) {
  for (const auto& child : model.modules(/*include_self=*/false)) {
    if (auto* attn = child->as<SelfAttentionImpl>()) return attn->causal();
  }
  return false;
}

}  // namespace

std::vector<torch::Tensor> BlockOutputs(Model& model, const Batch& batch) {
  return Observe(model, batch, /*attention=*/false, 0).outputs;
}

SimilarityAtScale SaturationSimilarity(Model& model,
                                       const std::vector<torch::Tensor>& base,
                                       const Batch& batch, double c,
                                       bool saturated_attention,
                                       float tie_tolerance) {
  std::shared_ptr<Model> scaled = ScaledCopy(model, c);
  SetSaturatedAttention(*scaled, saturated_attention, tie_tolerance);
  const std::vector<torch::Tensor> big = BlockOutputs(*scaled, batch);
  SimilarityAtScale out;
  out.set_scale(static_cast<float>(c));
  for (size_t l = 0; l < base.size(); ++l) {
    out.add_layers(static_cast<float>(MeanTokenCosine(base[l], big[l])));
  }
  return out;
}

SaturatedHeads MeasureSaturatedHeads(Model& model, const Batch& batch,
                                     const SaturationOptions& options) {
  std::shared_ptr<Model> scaled = ScaledCopy(model, options.scale);
  SetSaturatedAttention(*scaled, true, options.tie_tolerance);
  const Recorder kernel = Observe(*scaled, batch, true, options.threshold);
  SetSaturatedAttention(*scaled, false);
  const Recorder softmax = Observe(*scaled, batch, true, options.threshold);

  SaturatedHeads out;
  int64_t rows = 0, same = 0;
  for (size_t l = 0; l < kernel.probs.size(); ++l) {
    for (HeadPositions& h : AttendedPositions(
             kernel.probs[l], options.threshold, static_cast<int>(l))) {
      out.heads.push_back(h);
    }
    rows += kernel.counts[l].numel();
    same += kernel.counts[l].eq(softmax.counts[l]).sum().item<int64_t>();
  }
  out.kernel_softmax_agreement =
      rows > 0 ? static_cast<double>(same) / rows : 0;
  if (!kernel.probs.empty()) {
    const int64_t tq = kernel.probs[0].size(2), tk = kernel.probs[0].size(3);
    const bool causal = IsCausal(model);
    double visible = 0;
    for (int64_t i = 0; i < tq; ++i) visible += VisibleKeys(i, tq, tk, causal);
    out.mean_visible_keys = visible / tq;
  }
  return out;
}

std::vector<HeadSpread> MeasureHeadSpread(Model& model, const Batch& batch,
                                          int64_t min_visible) {
  const Recorder recorder = Observe(model, batch, true, 0);
  std::vector<HeadSpread> out;
  const bool causal = IsCausal(model);
  for (const torch::Tensor& probs : recorder.probs) {
    const int64_t tq = probs.size(2), tk = probs.size(3);
    std::vector<int64_t> visible;
    for (int64_t i = 0; i < tq; ++i) {
      visible.push_back(VisibleKeys(i, tq, tk, causal));
    }
    for (const HeadSpread& h : EffectiveKeys(probs, visible, min_visible)) {
      out.push_back(h);
    }
  }
  return out;
}

}  // namespace sparsity
