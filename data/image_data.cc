#include "data/image_data.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/paths.h"
#include "data/corruptions.h"

namespace sparsity {
namespace {

// Independent streams derived from one seed.
constexpr uint64_t kOrderStream = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kLabelStream = 0xbf58476d1ce4e5b9ULL;
constexpr uint64_t kGaussianStream = 0x94d049bb133111ebULL;
constexpr uint64_t kProbeStream = 0xc2b2ae3d27d4eb4fULL;
constexpr uint64_t kTrainProbeStream = 0x165667b19e3779f9ULL;
constexpr uint64_t kLabelNoiseStream = 0x27d4eb2f165667c5ULL;
constexpr uint64_t kSubsetStream = 0xd6e8feb86659fd93ULL;

// SplitMix64's finaliser: distinct seeds for (seed, index) pairs.
uint64_t Mix(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

ImageSource::ImageSource(std::shared_ptr<const FashionMnist> data,
                         DataConfig::ImageStream stream, int64_t batch_size,
                         int64_t tokens_per_example, uint64_t content_seed,
                         uint64_t order_seed)
    : data_(std::move(data)),
      stream_(stream),
      batch_size_(batch_size),
      tokens_per_example_(tokens_per_example),
      content_seed_(content_seed),
      order_seed_(order_seed) {
  if (stream_ == DataConfig::RANDOM_LABELS) {
    std::mt19937_64 rng(content_seed_ ^ kLabelStream);
    std::uniform_int_distribution<int64_t> label(0, kImageClasses - 1);
    random_labels_.resize(data_->train.size());
    for (int64_t& l : random_labels_) l = label(rng);
  }
}

int64_t ImageSource::examples() const {
  return stream_ == DataConfig::INFINITE ? 0 : data_->train.size();
}

torch::Tensor ImageSource::Image(int64_t i) const {
  if (stream_ == DataConfig::RANDOM_INPUTS) {
    std::mt19937_64 rng(Mix(content_seed_ ^ kGaussianStream, i));
    std::normal_distribution<float> normal(0.0f, 1.0f);
    torch::Tensor out = torch::empty({kImageSide, kImageSide});
    float* p = out.data_ptr<float>();
    for (int64_t k = 0; k < kImageSide * kImageSide; ++k) p[k] = normal(rng);
    return out;
  }
  return data_->Normalize(data_->train.images[i]);
}

int64_t ImageSource::Label(int64_t i) const {
  if (stream_ == DataConfig::RANDOM_LABELS) return random_labels_[i];
  return data_->train.labels[i].item<int64_t>();
}

const std::vector<int64_t>& ImageSource::EpochOrder(int64_t epoch) {
  if (epoch != order_epoch_) {
    order_.resize(data_->train.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::mt19937_64 rng(Mix(order_seed_ ^ kOrderStream, epoch));
    std::shuffle(order_.begin(), order_.end(), rng);
    order_epoch_ = epoch;
  }
  return order_;
}

Batch ImageSource::NextInfinite(int64_t batch) {
  std::mt19937_64 rng(Mix(order_seed_ ^ kOrderStream, batch));
  std::uniform_int_distribution<int64_t> pick(0, data_->train.size() - 1);
  std::uniform_int_distribution<int> shift(-kMaxShift, kMaxShift);
  std::bernoulli_distribution mirror(0.5);
  std::normal_distribution<float> noise(0.0f, kInfiniteNoise);
  torch::Tensor pixels = torch::empty({batch_size_, kImageSide, kImageSide});
  torch::Tensor labels = torch::empty({batch_size_}, torch::kLong);
  const uint8_t* images = data_->train.images.data_ptr<uint8_t>();
  const int64_t* all_labels = data_->train.labels.data_ptr<int64_t>();
  float* out = pixels.data_ptr<float>();
  for (int64_t b = 0; b < batch_size_; ++b) {
    const int64_t i = pick(rng);
    const int dy = shift(rng), dx = shift(rng);
    const bool flip = mirror(rng);
    const uint8_t* src = images + i * kImageSide * kImageSide;
    for (int64_t y = 0; y < kImageSide; ++y) {
      for (int64_t x = 0; x < kImageSide; ++x) {
        const int64_t sy = y - dy, sx0 = x - dx;
        const int64_t sx = flip ? kImageSide - 1 - sx0 : sx0;
        float p = 0.0f;
        if (sy >= 0 && sy < kImageSide && sx >= 0 && sx < kImageSide) {
          p = src[sy * kImageSide + sx] / 255.0f;
        }
        p = std::clamp(p + noise(rng), 0.0f, 1.0f);
        out[(b * kImageSide + y) * kImageSide + x] = p;
      }
    }
    labels[b] = all_labels[i];
  }
  return Batch{(pixels - data_->mean) / data_->std, labels};
}

Batch ImageSource::Next() {
  const int64_t batch = next_batch_++;
  if (stream_ == DataConfig::INFINITE) return NextInfinite(batch);
  const int64_t n = data_->train.size();
  std::vector<int64_t> indices(batch_size_);
  for (int64_t b = 0; b < batch_size_; ++b) {
    const int64_t g = batch * batch_size_ + b;
    indices[b] = EpochOrder(g / n)[g % n];
  }
  const torch::Tensor index = torch::tensor(indices, torch::kLong);
  if (stream_ == DataConfig::IMAGES) {
    return Batch{data_->Normalize(data_->train.images.index_select(0, index)),
                 data_->train.labels.index_select(0, index)};
  }
  std::vector<torch::Tensor> images;
  std::vector<int64_t> labels;
  for (int64_t i : indices) {
    images.push_back(Image(i));
    labels.push_back(Label(i));
  }
  return Batch{torch::stack(images), torch::tensor(labels, torch::kLong)};
}

namespace {

// data.train_examples: keeps that many training images, a fixed choice by
// split_seed (in the order drawn), the labels with them.
absl::Status KeepTrainingSubset(const DataConfig& data, ImageSet* train) {
  const int64_t keep = data.train_examples();
  if (keep == 0) return absl::OkStatus();
  if (keep > train->size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.train_examples is ", keep,
                     "; the training set holds ", train->size(), " images"));
  }
  std::vector<int64_t> order(train->size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(data.split_seed() ^ kSubsetStream);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(keep);
  const torch::Tensor index = torch::tensor(order, torch::kLong);
  train->images = train->images.index_select(0, index).contiguous();
  train->labels = train->labels.index_select(0, index).contiguous();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImageData> MakeImageData(const DataConfig& data,
                                        int64_t probe_examples,
                                        int64_t tokens_per_example,
                                        uint64_t data_seed) {
  const std::string dir = data.images_dir().empty()
                              ? DefaultFashionMnistDir()
                              : ResolveUserPath(data.images_dir());
  absl::StatusOr<FashionMnist> loaded = LoadFashionMnist(dir);
  if (!loaded.ok()) return loaded.status();
  if (absl::Status s = KeepTrainingSubset(data, &loaded->train); !s.ok()) {
    return s;
  }
  int64_t flipped = 0;
  if (data.label_noise() > 0) {
    const torch::Tensor clean = loaded->train.labels;
    loaded->train.labels = FlipLabels(clean, data.label_noise(), kImageClasses,
                                      data_seed ^ kLabelNoiseStream);
    flipped = (loaded->train.labels != clean).sum().item<int64_t>();
  }
  auto fm = std::make_shared<const FashionMnist>(*std::move(loaded));
  if (probe_examples > fm->test.size() || probe_examples <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the probe asks for ", probe_examples,
        " test images (probe.batch_tokens / ", tokens_per_example,
        " tokens per image); the test set holds ", fm->test.size()));
  }
  ImageData out;
  out.train =
      std::make_unique<ImageSource>(fm, data.image_stream(), data.batch_size(),
                                    tokens_per_example, data_seed, data_seed);
  out.train_examples = out.train->examples();
  out.heldout_examples = fm->test.size();
  out.flipped_labels = flipped;
  out.pixel_mean = fm->mean;
  out.pixel_std = fm->std;
  // The held-out probe: fixed by the split seed alone, so every run of a
  // sweep is measured on the same images.
  std::vector<int64_t> order(fm->test.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(data.split_seed() ^ kProbeStream);
  std::shuffle(order.begin(), order.end(), rng);
  order.resize(probe_examples);
  const torch::Tensor index = torch::tensor(order, torch::kLong);
  out.probe = Batch{fm->Normalize(fm->test.images.index_select(0, index)),
                    fm->test.labels.index_select(0, index)};
  // Training data as the run sees it (its labels, inputs or augmentations),
  // in an order drawn from the split seed; at most every training example
  // once (data.train_examples), none twice.
  const int64_t distinct = out.train_examples > 0
                               ? std::min(probe_examples, out.train_examples)
                               : probe_examples;
  out.train_probe =
      ImageSource(fm, data.image_stream(), distinct, tokens_per_example,
                  data_seed, data.split_seed() ^ kTrainProbeStream)
          .Next();
  return out;
}

}  // namespace sparsity
