#include "data/fashion_mnist.h"

#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "data/idx.h"

namespace sparsity {
namespace {

constexpr char kSetupHint[] =
    "install it with tools/setup.sh (Debian's dataset-fashion-mnist) or set "
    "data.images_dir";

// The file `name` in dir, gzipped or not; NotFound names both.
absl::StatusOr<std::string> FindFile(const std::string& dir,
                                     const std::string& name) {
  for (const std::string& candidate :
       {absl::StrCat(dir, "/", name, ".gz"), absl::StrCat(dir, "/", name)}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("Fashion-MNIST file ", dir, "/", name,
                                          "(.gz) not found: ", kSetupHint));
}

}  // namespace

std::string DefaultFashionMnistDir() {
  return "/usr/share/datasets/fashion-mnist";
}

torch::Tensor FashionMnist::Normalize(const torch::Tensor& images) const {
  return (images.to(torch::kFloat) / 255.0 - mean) / std;
}

absl::StatusOr<ImageSet> LoadImageSet(const std::string& images_path,
                                      const std::string& labels_path) {
  absl::StatusOr<IdxArray> images = ReadIdx(images_path);
  if (!images.ok()) return images.status();
  absl::StatusOr<IdxArray> labels = ReadIdx(labels_path);
  if (!labels.ok()) return labels.status();
  if (images->dims.size() != 3 || images->dims[1] != kImageSide ||
      images->dims[2] != kImageSide) {
    std::string dims;
    for (int64_t d : images->dims)
      absl::StrAppend(&dims, dims.empty() ? "" : " x ", d);
    return absl::DataLossError(absl::StrCat(
        images_path, ": expected images of N x 28 x 28, found ", dims));
  }
  if (labels->dims.size() != 1) {
    return absl::DataLossError(
        absl::StrCat(labels_path, ": expected one dimension of labels, found ",
                     labels->dims.size()));
  }
  if (labels->dims[0] != images->dims[0]) {
    return absl::DataLossError(
        absl::StrCat(images_path, " holds ", images->dims[0], " images but ",
                     labels_path, " holds ", labels->dims[0], " labels"));
  }
  for (size_t i = 0; i < labels->data.size(); ++i) {
    if (labels->data[i] >= kImageClasses) {
      return absl::DataLossError(
          absl::StrCat(labels_path, ": label ", labels->data[i], " of example ",
                       i, " is not a class (0 to ", kImageClasses - 1, ")"));
    }
  }
  ImageSet out;
  const int64_t n = images->dims[0];
  out.images = torch::empty({n, kImageSide, kImageSide}, torch::kUInt8);
  std::memcpy(out.images.data_ptr<uint8_t>(), images->data.data(),
              images->data.size());
  out.labels = torch::empty({n}, torch::kUInt8);
  std::memcpy(out.labels.data_ptr<uint8_t>(), labels->data.data(),
              labels->data.size());
  out.labels = out.labels.to(torch::kLong);
  return out;
}

absl::StatusOr<FashionMnist> LoadFashionMnist(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat("Fashion-MNIST folder ", dir,
                                            " does not exist: ", kSetupHint));
  }
  FashionMnist out;
  const std::pair<const char*, ImageSet*> sets[] = {{"train", &out.train},
                                                    {"t10k", &out.test}};
  for (const auto& [prefix, set] : sets) {
    absl::StatusOr<std::string> images =
        FindFile(dir, absl::StrCat(prefix, "-images-idx3-ubyte"));
    if (!images.ok()) return images.status();
    absl::StatusOr<std::string> labels =
        FindFile(dir, absl::StrCat(prefix, "-labels-idx1-ubyte"));
    if (!labels.ok()) return labels.status();
    absl::StatusOr<ImageSet> loaded = LoadImageSet(*images, *labels);
    if (!loaded.ok()) return loaded.status();
    *set = *std::move(loaded);
  }
  // Constant images would divide by a rounding-error std: refuse them.
  if (out.train.images.max().item<uint8_t>() ==
      out.train.images.min().item<uint8_t>()) {
    return absl::DataLossError(absl::StrCat(
        "Fashion-MNIST training images in ", dir, " are all one value"));
  }
  const torch::Tensor pixels = out.train.images.to(torch::kDouble) / 255.0;
  out.mean = pixels.mean().item<double>();
  out.std = pixels.std(/*unbiased=*/false).item<double>();
  return out;
}

}  // namespace sparsity
