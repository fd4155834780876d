// Image-classification data for a run (model.family VIT): the training
// stream, a fixed held-out probe batch from the test set, and a fixed batch
// of training data of the same size.
//
//   auto fm = std::make_shared<const FashionMnist>(*LoadFashionMnist(dir));
//   ImageSource train(fm, DataConfig::RANDOM_LABELS, /*batch_size=*/128,
//                     /*tokens_per_example=*/17, /*content_seed=*/1,
//                     /*order_seed=*/2);
//   Batch b = train.Next();   // inputs float [128, 28, 28], targets int64
//   [128] train.Skip(100);          // where 100 more Next() calls would leave
//   it
//
// Streams (DataConfig.image_stream; docs/method.md, "Data"):
//   IMAGES         the training images with their labels, one epoch after
//                  another, each in an order drawn from order_seed.
//   RANDOM_LABELS  the same images, each with a fixed label drawn uniformly
//                  from the 10 classes by content_seed (the same label every
//                  epoch, so a model can only memorise it).
//   RANDOM_INPUTS  image i replaced by a fixed image of i.i.d. N(0, 1) pixels
//                  (in normalised units; drawn from content_seed and i), with
//                  image i's label.
//   INFINITE       fresh augmented samples: a training image drawn uniformly
//                  (with replacement), shifted by up to kMaxShift pixels each
//                  way (zero fill), mirrored left-right with probability 1/2,
//                  plus N(0, kInfiniteNoise^2) pixel noise (on [0, 1] pixels,
//                  clipped to [0, 1]). The noise is continuous, so no sample
//                  repeats (with probability 1); batch b's draws depend only
//                  on (order_seed, b).
// Every batch depends only on the seeds and its index, so Skip is exact and
// cheap.
#ifndef SPARSITY_DATA_IMAGE_DATA_H_
#define SPARSITY_DATA_IMAGE_DATA_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batching.h"
#include "data/fashion_mnist.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

inline constexpr int kMaxShift = 2;
inline constexpr double kInfiniteNoise = 0.05;

class ImageSource : public BatchSource {
 public:
  ImageSource(std::shared_ptr<const FashionMnist> data,
              DataConfig::ImageStream stream, int64_t batch_size,
              int64_t tokens_per_example, uint64_t content_seed,
              uint64_t order_seed);

  Batch Next() override;
  void Skip(int64_t batches) override { next_batch_ += batches; }
  int64_t batch_size() const override { return batch_size_; }
  // Tokens per example (the ViT's patches + CLS), so that batch_tokens()
  // counts the tokens a step computes on.
  int64_t seq_len() const override { return tokens_per_example_; }
  // Distinct training examples (0 for the endless INFINITE stream).
  int64_t examples() const;

  // The normalised image and the label of training example i, as this
  // stream holds them (not for INFINITE).
  torch::Tensor Image(int64_t i) const;
  int64_t Label(int64_t i) const;

 private:
  const std::vector<int64_t>& EpochOrder(int64_t epoch);
  Batch NextInfinite(int64_t batch);

  std::shared_ptr<const FashionMnist> data_;
  DataConfig::ImageStream stream_;
  int64_t batch_size_, tokens_per_example_;
  uint64_t content_seed_, order_seed_;
  std::vector<int64_t> random_labels_;
  int64_t next_batch_ = 0;
  int64_t order_epoch_ = -1;
  std::vector<int64_t> order_;
};

struct ImageData {
  std::unique_ptr<ImageSource> train;
  Batch probe;        // test images with their labels
  Batch train_probe;  // the same number of examples of the training stream
  int64_t train_examples = 0;
  int64_t heldout_examples = 0;
  int64_t flipped_labels = 0;  // data.label_noise's flips
  // Every image went through (p / 255 - pixel_mean) / pixel_std.
  double pixel_mean = 0, pixel_std = 1;
};

// probe_examples test images (a seeded choice by split_seed; all of them,
// permuted, when probe_examples is the test set's size), and as many
// examples of the training stream (content as the run's, order by
// split_seed). data.label_noise flips that fraction of the training labels
// (data/corruptions.h, seeded by data_seed) before either is drawn. Fails
// when probe_examples exceeds the test set.
absl::StatusOr<ImageData> MakeImageData(const DataConfig& data,
                                        int64_t probe_examples,
                                        int64_t tokens_per_example,
                                        uint64_t data_seed);

}  // namespace sparsity

#endif  // SPARSITY_DATA_IMAGE_DATA_H_
