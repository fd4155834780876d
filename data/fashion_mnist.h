// Fashion-MNIST (70,000 28 x 28 grey-scale images of 10 kinds of clothing:
// 60,000 for training, 10,000 for testing) from its four IDX files.
//
//   absl::StatusOr<FashionMnist> fm =
//   LoadFashionMnist(DefaultFashionMnistDir()); fm->train.images;   // uint8
//   [60000, 28, 28] fm->train.labels;   // int64 [60000], in [0, 10)
//   torch::Tensor x = fm->Normalize(fm->test.images);  // float, mean 0, std 1
//
// The files are train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each gzipped (.gz, as
// Debian's dataset-fashion-mnist installs them) or not. Each is checked
// (data/idx.h), and then against the others: images [N, 28, 28], labels [N]
// with the same N, labels below 10. A missing folder or file is an error
// naming the setup command that installs it.
#ifndef SPARSITY_DATA_FASHION_MNIST_H_
#define SPARSITY_DATA_FASHION_MNIST_H_

#include <string>

#include "absl/status/statusor.h"
#include "torch/torch.h"

namespace sparsity {

inline constexpr int64_t kImageSide = 28;
inline constexpr int64_t kImageClasses = 10;

struct ImageSet {
  torch::Tensor images;  // uint8 [N, 28, 28]
  torch::Tensor labels;  // int64 [N]
  int64_t size() const { return labels.size(0); }
};

struct FashionMnist {
  ImageSet train, test;
  // Mean and standard deviation of the training pixels (in [0, 1]).
  double mean = 0, std = 1;
  // Pixels to float, (p / 255 - mean) / std.
  torch::Tensor Normalize(const torch::Tensor& images) const;
};

// /usr/share/datasets/fashion-mnist.
std::string DefaultFashionMnistDir();

absl::StatusOr<FashionMnist> LoadFashionMnist(const std::string& dir);

// One image set from an images file and a labels file (paths as given).
absl::StatusOr<ImageSet> LoadImageSet(const std::string& images_path,
                                      const std::string& labels_path);

}  // namespace sparsity

#endif  // SPARSITY_DATA_FASHION_MNIST_H_
