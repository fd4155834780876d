// How close a model is to its saturated version (docs/method.md, "Norm growth
// and saturation"; [M]), measured on one batch without gradients.
//
//   const std::vector<torch::Tensor> h = BlockOutputs(*model, batch);
//   SimilarityAtScale s = SaturationSimilarity(*model, h, batch, 1000,
//                                              /*saturated_attention=*/true);
//   s.layers(2);   // mean over tokens of cos(h_2(theta), h_2(c * theta))
//   SaturatedHeads h = MeasureSaturatedHeads(*model, batch, {1000, 1e-5, 0});
//
// The scaled model is a copy (models/scaling.h): the model is never changed.
// With `saturated_attention`, the scaled copy's attention is the
// saturated-attention kernel (the c -> infinity limit of each head) instead
// of softmax; at c = 1000 the two agree wherever softmax has not underflowed
// (MeasureSaturatedHeads reports how often they count the same keys).
#ifndef SPARSITY_TRAIN_SATURATION_H_
#define SPARSITY_TRAIN_SATURATION_H_

#include <vector>

#include "data/batch.h"
#include "metrics/norm_growth.h"
#include "models/model.h"
#include "proto/results.pb.h"
#include "torch/torch.h"

namespace sparsity {

// Each block's output (the residual stream after it), on the CPU.
std::vector<torch::Tensor> BlockOutputs(Model& model, const Batch& batch);

// Per layer, the mean over the batch's tokens of the cosine similarity
// between `outputs` (BlockOutputs(model, batch), computed once for every c)
// and the block outputs of c * model.
SimilarityAtScale SaturationSimilarity(
    Model& model, const std::vector<torch::Tensor>& outputs, const Batch& batch,
    double c, bool saturated_attention, float tie_tolerance = 0);

struct SaturationOptions {
  double scale = 1000;      // c of the saturated model
  float threshold = 1e-5f;  // a key is attended when its weight exceeds it
  float tie_tolerance = 0;  // of the kernel
};

struct SaturatedHeads {
  std::vector<HeadPositions> heads;  // every layer's heads, in order
  double mean_visible_keys = 0;      // over the batch's query tokens
  // Fraction of (layer, head, query) rows where the kernel and softmax at c
  // count the same number of attended keys.
  double kernel_softmax_agreement = 0;
};

// The heads of c * model with saturated attention on `batch`.
SaturatedHeads MeasureSaturatedHeads(Model& model, const Batch& batch,
                                     const SaturationOptions& options);

// Every layer's heads of the model as it is (c = 1, softmax) on `batch`,
// in the order of MeasureSaturatedHeads: the mean effective keys and spread
// over the queries that see at least min_visible keys (metrics/norm_growth.h).
std::vector<HeadSpread> MeasureHeadSpread(Model& model, const Batch& batch,
                                          int64_t min_visible);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_SATURATION_H_
