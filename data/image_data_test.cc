#include "data/image_data.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/batch.h"
#include "data/fashion_mnist.h"
#include "data/idx.h"
#include "gtest/gtest.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kTrain = 20, kTest = 10;

// kTrain training images of random pixels with labels 0..9 cycling, kTest
// test images; mean and std from the training pixels.
FashionMnist MakeSynthetic(uint64_t seed = 7) {
  torch::manual_seed(seed);
  FashionMnist fm;
  fm.train.images = torch::randint(0, 256, {kTrain, 28, 28}, torch::kUInt8);
  fm.train.labels = torch::arange(kTrain, torch::kLong) % 10;
  fm.test.images = torch::randint(0, 256, {kTest, 28, 28}, torch::kUInt8);
  fm.test.labels = (torch::arange(kTest, torch::kLong) * 3) % 10;
  const torch::Tensor pixels = fm.train.images.to(torch::kDouble) / 255.0;
  fm.mean = pixels.mean().item<double>();
  fm.std = pixels.std(/*unbiased=*/false).item<double>();
  return fm;
}

std::shared_ptr<const FashionMnist> Synthetic() {
  return std::make_shared<const FashionMnist>(MakeSynthetic());
}

// The training image whose normalised pixels are `image` exactly; -1 if none.
int64_t FindTrainImage(const FashionMnist& fm, const torch::Tensor& image) {
  for (int64_t i = 0; i < fm.train.size(); ++i) {
    if (torch::equal(fm.Normalize(fm.train.images[i]), image)) return i;
  }
  return -1;
}

// The training example of each row of `inputs` (by the source's Image(i)).
std::vector<int64_t> Indices(const ImageSource& source, int64_t n,
                             const torch::Tensor& inputs) {
  std::vector<int64_t> out;
  for (int64_t b = 0; b < inputs.size(0); ++b) {
    int64_t found = -1;
    for (int64_t i = 0; i < n; ++i) {
      if (torch::equal(source.Image(i), inputs[b])) {
        found = i;
        break;
      }
    }
    out.push_back(found);
  }
  return out;
}

bool SameBatch(const Batch& a, const Batch& b) {
  return torch::equal(a.inputs, b.inputs) && torch::equal(a.targets, b.targets);
}

ImageSource Source(std::shared_ptr<const FashionMnist> fm,
                   DataConfig::ImageStream stream, int64_t batch_size,
                   uint64_t content_seed, uint64_t order_seed) {
  return ImageSource(std::move(fm), stream, batch_size,
                     /*tokens_per_example=*/17, content_seed, order_seed);
}

const DataConfig::ImageStream kAllStreams[] = {
    DataConfig::IMAGES, DataConfig::RANDOM_LABELS, DataConfig::RANDOM_INPUTS,
    DataConfig::INFINITE};

TEST(ImageSource, SizesAndExamples) {
  auto fm = Synthetic();
  for (DataConfig::ImageStream stream : kAllStreams) {
    ImageSource s = Source(fm, stream, 4, 1, 2);
    EXPECT_EQ(s.batch_size(), 4);
    EXPECT_EQ(s.seq_len(), 17);
    EXPECT_EQ(s.batch_tokens(), 68);
    EXPECT_EQ(s.examples(), stream == DataConfig::INFINITE ? 0 : kTrain)
        << DataConfig::ImageStream_Name(stream);
    const Batch b = s.Next();
    EXPECT_EQ(b.inputs.scalar_type(), torch::kFloat);
    EXPECT_EQ(b.inputs.sizes(), (std::vector<int64_t>{4, 28, 28}));
    EXPECT_EQ(b.targets.scalar_type(), torch::kLong);
    EXPECT_EQ(b.targets.sizes(), (std::vector<int64_t>{4}));
    EXPECT_EQ(b.size(), 4);
  }
}

TEST(ImageSource, ImagesBatchesAreNormalisedImagesWithLabels) {
  auto fm = Synthetic();
  ImageSource s = Source(fm, DataConfig::IMAGES, 4, 1, 2);
  for (int step = 0; step < 7; ++step) {
    const Batch b = s.Next();
    for (int64_t r = 0; r < 4; ++r) {
      const int64_t i = FindTrainImage(*fm, b.inputs[r]);
      ASSERT_GE(i, 0) << "batch " << step << " row " << r;
      EXPECT_EQ(b.targets[r].item<int64_t>(), i % 10);
      EXPECT_EQ(s.Label(i), i % 10);
      EXPECT_TRUE(torch::equal(s.Image(i), fm->Normalize(fm->train.images[i])));
    }
  }
  // Normalisation by hand for one pixel.
  const double p = fm->train.images[3][4][5].item<double>();
  EXPECT_NEAR(s.Image(3)[4][5].item<double>(), (p / 255.0 - fm->mean) / fm->std,
              1e-5);
}

// The examples of `epochs` epochs of a stream (N / B batches each).
std::vector<std::vector<int64_t>> Epochs(ImageSource& s, int64_t batch_size,
                                         int epochs) {
  std::vector<std::vector<int64_t>> out;
  for (int e = 0; e < epochs; ++e) {
    std::vector<int64_t> order;
    for (int64_t k = 0; k < kTrain / batch_size; ++k) {
      for (int64_t i : Indices(s, kTrain, s.Next().inputs)) order.push_back(i);
    }
    out.push_back(order);
  }
  return out;
}

TEST(ImageSource, EpochVisitsEveryImageOnce) {
  auto fm = Synthetic();
  for (int64_t batch_size : {4, 5, 20}) {
    ImageSource s = Source(fm, DataConfig::IMAGES, batch_size, 1, 3);
    const auto epochs = Epochs(s, batch_size, 3);
    for (const std::vector<int64_t>& order : epochs) {
      std::vector<int64_t> sorted = order;
      std::sort(sorted.begin(), sorted.end());
      std::vector<int64_t> all(kTrain);
      std::iota(all.begin(), all.end(), 0);
      EXPECT_EQ(sorted, all) << "batch size " << batch_size;
    }
    // Each epoch is shuffled afresh, and not left in file order.
    EXPECT_NE(epochs[0], epochs[1]);
    EXPECT_NE(epochs[1], epochs[2]);
    std::vector<int64_t> identity(kTrain);
    std::iota(identity.begin(), identity.end(), 0);
    EXPECT_NE(epochs[0], identity);
  }
}

TEST(ImageSource, BatchesStraddleEpochBoundaries) {
  // B = 3 does not divide N = 20: batch 6 holds the last 2 examples of
  // epoch 0 and the first of epoch 1; 20 batches are exactly 3 epochs.
  auto fm = Synthetic();
  ImageSource s = Source(fm, DataConfig::IMAGES, 3, 1, 4);
  std::vector<int64_t> all;
  for (int k = 0; k < 20; ++k) {
    for (int64_t i : Indices(s, kTrain, s.Next().inputs)) all.push_back(i);
  }
  ASSERT_EQ(all.size(), 60u);
  for (int e = 0; e < 3; ++e) {
    std::vector<int64_t> epoch(all.begin() + e * kTrain,
                               all.begin() + (e + 1) * kTrain);
    std::sort(epoch.begin(), epoch.end());
    for (int64_t i = 0; i < kTrain; ++i) EXPECT_EQ(epoch[i], i) << e;
  }
  // The epoch orders do not depend on the batch size.
  ImageSource by4 = Source(fm, DataConfig::IMAGES, 4, 1, 4);
  const auto epochs = Epochs(by4, 4, 3);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(std::vector<int64_t>(all.begin() + e * kTrain,
                                   all.begin() + (e + 1) * kTrain),
              epochs[e]);
  }
}

TEST(ImageSource, SameSeedsGiveSameBatchesOtherOrderSeedAnotherOrder) {
  auto fm = Synthetic();
  for (DataConfig::ImageStream stream : kAllStreams) {
    ImageSource a = Source(fm, stream, 4, 1, 2);
    ImageSource b = Source(fm, stream, 4, 1, 2);
    ImageSource c = Source(fm, stream, 4, 1, 3);
    bool all_same_as_c = true;
    for (int k = 0; k < 8; ++k) {
      const Batch ba = a.Next(), bb = b.Next(), bc = c.Next();
      EXPECT_TRUE(SameBatch(ba, bb))
          << DataConfig::ImageStream_Name(stream) << " batch " << k;
      all_same_as_c = all_same_as_c && torch::equal(ba.inputs, bc.inputs);
    }
    EXPECT_FALSE(all_same_as_c) << DataConfig::ImageStream_Name(stream);
  }
  // Another order seed: another order of the same images.
  ImageSource a = Source(fm, DataConfig::IMAGES, 4, 1, 2);
  ImageSource c = Source(fm, DataConfig::IMAGES, 4, 1, 3);
  const auto ea = Epochs(a, 4, 1), ec = Epochs(c, 4, 1);
  EXPECT_NE(ea[0], ec[0]);
  std::vector<int64_t> sa = ea[0], sc = ec[0];
  std::sort(sa.begin(), sa.end());
  std::sort(sc.begin(), sc.end());
  EXPECT_EQ(sa, sc);
}

TEST(ImageSource, SkipEqualsCallingNext) {
  auto fm = Synthetic();
  for (DataConfig::ImageStream stream : kAllStreams) {
    for (int64_t batch_size : {3, 4}) {
      ImageSource reference = Source(fm, stream, batch_size, 5, 6);
      std::vector<Batch> batches;
      for (int k = 0; k < 16; ++k) batches.push_back(reference.Next());
      // 0, within epoch 0, the last of epoch 0 (B = 4), into later epochs,
      // across boundaries (B = 3).
      for (int64_t n : {0, 1, 4, 5, 6, 7, 11, 15}) {
        ImageSource s = Source(fm, stream, batch_size, 5, 6);
        s.Skip(n);
        EXPECT_TRUE(SameBatch(s.Next(), batches[n]))
            << DataConfig::ImageStream_Name(stream) << " B " << batch_size
            << " skip " << n;
      }
      // Skips add up, and mix with Next().
      ImageSource s = Source(fm, stream, batch_size, 5, 6);
      s.Next();
      s.Skip(3);
      s.Skip(2);
      EXPECT_TRUE(SameBatch(s.Next(), batches[6]));
      EXPECT_TRUE(SameBatch(s.Next(), batches[7]));
    }
  }
}

TEST(ImageSource, RandomLabelsKeepImagesAndFixOneLabelPerImage) {
  auto fm = Synthetic();
  ImageSource images = Source(fm, DataConfig::IMAGES, 4, 1, 2);
  ImageSource random = Source(fm, DataConfig::RANDOM_LABELS, 4, 1, 2);
  std::vector<int64_t> label_of(kTrain, -1);
  for (int k = 0; k < 15; ++k) {  // 3 epochs
    const Batch bi = images.Next(), br = random.Next();
    EXPECT_TRUE(torch::equal(bi.inputs, br.inputs)) << "batch " << k;
    const std::vector<int64_t> idx = Indices(random, kTrain, br.inputs);
    for (int64_t r = 0; r < 4; ++r) {
      const int64_t i = idx[r];
      ASSERT_GE(i, 0);
      const int64_t label = br.targets[r].item<int64_t>();
      EXPECT_GE(label, 0);
      EXPECT_LT(label, 10);
      EXPECT_EQ(label, random.Label(i));
      if (label_of[i] >= 0) {
        EXPECT_EQ(label, label_of[i]) << "image " << i;
      }
      label_of[i] = label;
    }
  }
  int matches_truth = 0;
  for (int64_t i = 0; i < kTrain; ++i) {
    ASSERT_GE(label_of[i], 0) << "image " << i << " never drawn";
    if (label_of[i] == i % 10) ++matches_truth;
  }
  EXPECT_LT(matches_truth, kTrain);
  // The labels are not all one class either.
  EXPECT_GT(std::set<int64_t>(label_of.begin(), label_of.end()).size(), 2u);
}

TEST(ImageSource, RandomLabelsDependOnContentSeedOnly) {
  auto fm = Synthetic();
  ImageSource a = Source(fm, DataConfig::RANDOM_LABELS, 4, 1, 2);
  ImageSource b = Source(fm, DataConfig::RANDOM_LABELS, 4, 1, 9);
  ImageSource c = Source(fm, DataConfig::RANDOM_LABELS, 4, 8, 2);
  std::vector<int64_t> la, lb, lc;
  for (int64_t i = 0; i < kTrain; ++i) {
    la.push_back(a.Label(i));
    lb.push_back(b.Label(i));
    lc.push_back(c.Label(i));
    EXPECT_TRUE(torch::equal(a.Image(i), fm->Normalize(fm->train.images[i])));
  }
  EXPECT_EQ(la, lb);
  EXPECT_NE(la, lc);
  // The content seed does not change the order.
  ImageSource d = Source(fm, DataConfig::RANDOM_LABELS, 4, 8, 2);
  for (int k = 0; k < 6; ++k) {
    EXPECT_TRUE(torch::equal(a.Next().inputs, d.Next().inputs));
  }
}

TEST(ImageSource, RandomInputsAreFixedGaussianImagesWithTrueLabels) {
  auto fm = Synthetic();
  ImageSource random = Source(fm, DataConfig::RANDOM_INPUTS, 4, 1, 2);
  ImageSource images = Source(fm, DataConfig::IMAGES, 4, 1, 2);
  // Image(i) is deterministic, distinct per i, and not the real image.
  std::vector<torch::Tensor> fixed;
  for (int64_t i = 0; i < kTrain; ++i) {
    const torch::Tensor x = random.Image(i);
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{28, 28}));
    EXPECT_EQ(x.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::equal(x, random.Image(i)));
    EXPECT_FALSE(torch::equal(x, images.Image(i)));
    EXPECT_EQ(random.Label(i), i % 10);
    for (const torch::Tensor& y : fixed) EXPECT_FALSE(torch::equal(x, y));
    fixed.push_back(x);
  }
  // Batches: the order of the IMAGES stream under the same order seed; image
  // i replaced by Image(i) every time it is drawn, with its true label.
  for (int k = 0; k < 15; ++k) {
    const Batch br = random.Next(), bi = images.Next();
    EXPECT_EQ(br.inputs.sizes(), (std::vector<int64_t>{4, 28, 28}));
    const std::vector<int64_t> idx = Indices(images, kTrain, bi.inputs);
    for (int64_t r = 0; r < 4; ++r) {
      ASSERT_GE(idx[r], 0);
      EXPECT_TRUE(torch::equal(br.inputs[r], fixed[idx[r]]));
      EXPECT_EQ(br.targets[r].item<int64_t>(), idx[r] % 10);
    }
  }
  // N(0, 1) pixels: over 20 x 784 pixels, mean within a few standard errors.
  const torch::Tensor all = torch::stack(fixed).to(torch::kDouble);
  EXPECT_NEAR(all.mean().item<double>(), 0.0, 0.05);
  EXPECT_NEAR(all.std().item<double>(), 1.0, 0.05);
  // Another content seed, other images; the same seed, the same ones.
  ImageSource other = Source(fm, DataConfig::RANDOM_INPUTS, 4, 2, 2);
  ImageSource same = Source(fm, DataConfig::RANDOM_INPUTS, 4, 1, 5);
  for (int64_t i = 0; i < kTrain; ++i) {
    EXPECT_FALSE(torch::equal(other.Image(i), fixed[i]));
    EXPECT_TRUE(torch::equal(same.Image(i), fixed[i]));
  }
}

// All 20 x 25 x 2 augmentations (shift, mirror) of the training images, in
// [0, 1] pixels, flattened: [20 * 50, 784], with the image of each row.
struct Augmentations {
  torch::Tensor pixels;
  std::vector<int64_t> image;
  std::vector<bool> flipped, shifted;
};

Augmentations AllAugmentations(const FashionMnist& fm) {
  Augmentations out;
  const int64_t n = fm.train.size(), side = kImageSide;
  out.pixels = torch::zeros({n * 50, side * side});
  const torch::Tensor images = fm.train.images.contiguous();
  const uint8_t* src = images.data_ptr<uint8_t>();
  float* dst = out.pixels.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    for (bool flip : {false, true}) {
      for (int dy = -kMaxShift; dy <= kMaxShift; ++dy) {
        for (int dx = -kMaxShift; dx <= kMaxShift; ++dx) {
          // out(y, x) = m(y - dy, x - dx), zero outside, where m is the image
          // or its mirror image.
          for (int64_t y = 0; y < side; ++y) {
            for (int64_t x = 0; x < side; ++x) {
              const int64_t sy = y - dy, sx0 = x - dx;
              if (sy < 0 || sy >= side || sx0 < 0 || sx0 >= side) continue;
              const int64_t sx = flip ? side - 1 - sx0 : sx0;
              dst[y * side + x] = src[(i * side + sy) * side + sx] / 255.0f;
            }
          }
          dst += side * side;
          out.image.push_back(i);
          out.flipped.push_back(flip);
          out.shifted.push_back(dx != 0 || dy != 0);
        }
      }
    }
  }
  return out;
}

TEST(ImageSource, InfiniteSamplesAreNoisyAugmentedTrainingImages) {
  auto fm = Synthetic();
  ImageSource s = Source(fm, DataConfig::INFINITE, 8, 1, 2);
  EXPECT_EQ(s.examples(), 0);
  const Augmentations aug = AllAugmentations(*fm);
  const double lo = (0.0 - fm->mean) / fm->std, hi = (1.0 - fm->mean) / fm->std;
  std::vector<torch::Tensor> samples;
  int flips = 0, shifts = 0;
  std::set<int64_t> images_seen;
  for (int k = 0; k < 5; ++k) {
    const Batch b = s.Next();
    ASSERT_EQ(b.inputs.sizes(), (std::vector<int64_t>{8, 28, 28}));
    ASSERT_EQ(b.targets.sizes(), (std::vector<int64_t>{8}));
    EXPECT_EQ(b.inputs.scalar_type(), torch::kFloat);
    EXPECT_EQ(b.targets.scalar_type(), torch::kLong);
    EXPECT_GE(b.inputs.min().item<double>(), lo - 1e-5);
    EXPECT_LE(b.inputs.max().item<double>(), hi + 1e-5);
    for (int64_t r = 0; r < 8; ++r) {
      const torch::Tensor x = b.inputs[r];
      for (const torch::Tensor& y : samples) EXPECT_FALSE(torch::equal(x, y));
      samples.push_back(x);
      // Back to [0, 1] pixels; the nearest augmentation of a training image
      // is within the noise (sd 0.05), any other far off (random pixels).
      const torch::Tensor p = (x.to(torch::kDouble) * fm->std + fm->mean)
                                  .to(torch::kFloat)
                                  .reshape({1, -1});
      const torch::Tensor distance = (aug.pixels - p).abs().mean(1);
      const int64_t best = distance.argmin().item<int64_t>();
      const double d = distance[best].item<double>();
      EXPECT_GT(d, 0.01) << "no noise";
      EXPECT_LT(d, 0.05) << "batch " << k << " row " << r;
      const int64_t i = aug.image[best];
      EXPECT_EQ(b.targets[r].item<int64_t>(),
                fm->train.labels[i].item<int64_t>());
      images_seen.insert(i);
      flips += aug.flipped[best];
      shifts += aug.shifted[best];
    }
  }
  // 40 draws: both mirrored and unmirrored, shifted and not, many images.
  EXPECT_GT(flips, 0);
  EXPECT_LT(flips, 40);
  EXPECT_GT(shifts, 0);
  EXPECT_GT(images_seen.size(), 10u);
}

TEST(ImageSource, InfiniteIsDeterministicPerOrderSeed) {
  auto fm = Synthetic();
  ImageSource a = Source(fm, DataConfig::INFINITE, 8, 1, 2);
  ImageSource b = Source(fm, DataConfig::INFINITE, 8, 7, 2);
  ImageSource c = Source(fm, DataConfig::INFINITE, 8, 1, 3);
  for (int k = 0; k < 4; ++k) {
    const Batch ba = a.Next(), bb = b.Next(), bc = c.Next();
    EXPECT_TRUE(SameBatch(ba, bb)) << k;
    EXPECT_FALSE(torch::equal(ba.inputs, bc.inputs)) << k;
  }
}

// --- MakeImageData ---

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

std::vector<uint8_t> Bytes(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kUInt8).contiguous();
  return std::vector<uint8_t>(c.data_ptr<uint8_t>(),
                              c.data_ptr<uint8_t>() + c.numel());
}

// The synthetic set as the four IDX files in a fresh folder.
std::string WriteFolder(const FashionMnist& fm) {
  static int counter = 0;
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("image_data_" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  WriteFile((dir / "train-images-idx3-ubyte").string(),
            EncodeIdx({kTrain, 28, 28}, Bytes(fm.train.images)));
  WriteFile((dir / "train-labels-idx1-ubyte").string(),
            EncodeIdx({kTrain}, Bytes(fm.train.labels)));
  WriteFile((dir / "t10k-images-idx3-ubyte").string(),
            EncodeIdx({kTest, 28, 28}, Bytes(fm.test.images)));
  WriteFile((dir / "t10k-labels-idx1-ubyte").string(),
            EncodeIdx({kTest}, Bytes(fm.test.labels)));
  return dir.string();
}

DataConfig Config(const std::string& dir) {
  DataConfig config;
  config.set_source(DataConfig::FASHION_MNIST);
  config.set_images_dir(dir);
  config.set_batch_size(4);
  config.set_split_seed(0);
  return config;
}

// The test image whose normalised pixels are `image` exactly; -1 if none.
int64_t FindTestImage(const FashionMnist& fm, const torch::Tensor& image) {
  for (int64_t i = 0; i < fm.test.size(); ++i) {
    if (torch::equal(fm.Normalize(fm.test.images[i]), image)) return i;
  }
  return -1;
}

TEST(MakeImageData, EndToEnd) {
  const FashionMnist synthetic = MakeSynthetic();
  const std::string dir = WriteFolder(synthetic);
  absl::StatusOr<FashionMnist> loaded = LoadFashionMnist(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const FashionMnist& fm = *loaded;
  EXPECT_TRUE(torch::equal(fm.train.images, synthetic.train.images));
  EXPECT_NEAR(fm.mean, synthetic.mean, 1e-12);

  absl::StatusOr<ImageData> data =
      MakeImageData(Config(dir), /*probe_examples=*/6,
                    /*tokens_per_example=*/17, /*data_seed=*/1);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_examples, kTrain);
  EXPECT_EQ(data->heldout_examples, kTest);
  ASSERT_NE(data->train, nullptr);
  EXPECT_EQ(data->train->seq_len(), 17);
  EXPECT_EQ(data->train->batch_size(), 4);
  EXPECT_EQ(data->train->examples(), kTrain);

  // The probe: 6 distinct test images with their true labels.
  ASSERT_EQ(data->probe.inputs.sizes(), (std::vector<int64_t>{6, 28, 28}));
  ASSERT_EQ(data->probe.targets.sizes(), (std::vector<int64_t>{6}));
  EXPECT_EQ(data->probe.inputs.scalar_type(), torch::kFloat);
  EXPECT_EQ(data->probe.targets.scalar_type(), torch::kLong);
  std::set<int64_t> probed;
  for (int64_t r = 0; r < 6; ++r) {
    const int64_t i = FindTestImage(fm, data->probe.inputs[r]);
    ASSERT_GE(i, 0) << "probe row " << r << " is no test image";
    EXPECT_EQ(data->probe.targets[r].item<int64_t>(), (i * 3) % 10);
    probed.insert(i);
  }
  EXPECT_EQ(probed.size(), 6u);

  // The training probe: 6 distinct training images with their labels.
  ASSERT_EQ(data->train_probe.inputs.sizes(),
            (std::vector<int64_t>{6, 28, 28}));
  ASSERT_EQ(data->train_probe.targets.sizes(), (std::vector<int64_t>{6}));
  std::set<int64_t> train_probed;
  for (int64_t r = 0; r < 6; ++r) {
    const int64_t i = FindTrainImage(fm, data->train_probe.inputs[r]);
    ASSERT_GE(i, 0) << "train probe row " << r << " is no training image";
    EXPECT_EQ(data->train_probe.targets[r].item<int64_t>(), i % 10);
    train_probed.insert(i);
  }
  EXPECT_EQ(train_probed.size(), 6u);

  // The training stream reads the training images with their labels.
  const Batch b = data->train->Next();
  ASSERT_EQ(b.inputs.sizes(), (std::vector<int64_t>{4, 28, 28}));
  for (int64_t r = 0; r < 4; ++r) {
    const int64_t i = FindTrainImage(fm, b.inputs[r]);
    ASSERT_GE(i, 0);
    EXPECT_EQ(b.targets[r].item<int64_t>(), i % 10);
  }
}

TEST(MakeImageData, LabelNoiseFlipsTrainingLabelsOnly) {
  const std::string dir = WriteFolder(MakeSynthetic());
  DataConfig noisy = Config(dir);
  noisy.set_label_noise(0.5f);
  absl::StatusOr<ImageData> clean = MakeImageData(Config(dir), 6, 17, 1);
  absl::StatusOr<ImageData> a = MakeImageData(noisy, 6, 17, 1);
  absl::StatusOr<ImageData> again = MakeImageData(noisy, 6, 17, 1);
  absl::StatusOr<ImageData> other = MakeImageData(noisy, 6, 17, 2);
  ASSERT_TRUE(clean.ok() && a.ok() && again.ok() && other.ok());
  // Exactly round(0.5 x kTrain) training labels changed, fixed by the seed.
  EXPECT_EQ(clean->flipped_labels, 0);
  EXPECT_EQ(a->flipped_labels, (kTrain + 1) / 2);
  EXPECT_EQ(a->train_examples, kTrain);
  // The held-out probe keeps its true labels; the pixels are untouched.
  EXPECT_TRUE(SameBatch(a->probe, clean->probe));
  EXPECT_TRUE(torch::equal(a->train_probe.inputs, clean->train_probe.inputs));
  EXPECT_TRUE(SameBatch(a->train_probe, again->train_probe));
  // Over a whole epoch of the stream, the labels differ from the clean
  // stream's exactly as often as the flips say, each to another class.
  int64_t changed = 0;
  for (int64_t b = 0; b < kTrain / 4; ++b) {
    const Batch x = clean->train->Next(), y = a->train->Next();
    ASSERT_TRUE(torch::equal(x.inputs, y.inputs));
    changed += (x.targets != y.targets).sum().item<int64_t>();
    EXPECT_TRUE((y.targets >= 0).all().item<bool>());
    EXPECT_TRUE((y.targets < 10).all().item<bool>());
  }
  EXPECT_EQ(changed, a->flipped_labels);
  // Another data seed flips other labels.
  bool differs = false;
  const Batch p = a->train_probe, q = other->train_probe;
  differs = !torch::equal(p.targets, q.targets);
  const Batch s = MakeImageData(noisy, kTrain / 2, 17, 1)->train_probe;
  const Batch t = MakeImageData(noisy, kTrain / 2, 17, 2)->train_probe;
  EXPECT_TRUE(differs || !torch::equal(s.targets, t.targets));
}

TEST(MakeImageData, TrainExamplesKeepsAFixedSubset) {
  const FashionMnist synthetic = MakeSynthetic();
  const std::string dir = WriteFolder(synthetic);
  DataConfig config = Config(dir);
  config.set_train_examples(8);
  config.set_label_noise(0.5f);
  absl::StatusOr<ImageData> a =
      MakeImageData(config, /*probe_examples=*/10, 17, /*data_seed=*/1);
  absl::StatusOr<ImageData> b = MakeImageData(config, 10, 17, 2);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->train_examples, 8);
  EXPECT_EQ(a->flipped_labels, 4);  // round(0.5 x 8), not of all 20
  // The training probe holds each kept image once (8 < 10 asked for); the
  // subset is the same for both data seeds (it is the split seed's).
  ASSERT_EQ(a->train_probe.inputs.size(0), 8);
  std::set<int64_t> kept_a, kept_b;
  for (int64_t r = 0; r < 8; ++r) {
    kept_a.insert(FindTrainImage(synthetic, a->train_probe.inputs[r]));
    kept_b.insert(FindTrainImage(synthetic, b->train_probe.inputs[r]));
  }
  EXPECT_EQ(kept_a.size(), 8u);
  EXPECT_EQ(kept_a, kept_b);
  EXPECT_EQ(kept_a.count(-1), 0u);
  // A whole epoch of the stream visits exactly the kept images.
  std::set<int64_t> streamed;
  for (int64_t step = 0; step < 2; ++step) {
    const Batch x = a->train->Next();
    for (int64_t r = 0; r < 4; ++r) {
      streamed.insert(FindTrainImage(synthetic, x.inputs[r]));
    }
  }
  EXPECT_EQ(streamed, kept_a);
  // More than the training set holds: one clear error.
  config.set_train_examples(kTrain + 1);
  absl::StatusOr<ImageData> too_many = MakeImageData(config, 10, 17, 1);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("train_examples"),
            std::string::npos);
}

TEST(MakeImageData, ProbeDependsOnSplitSeedOnly) {
  const std::string dir = WriteFolder(MakeSynthetic());
  absl::StatusOr<ImageData> a = MakeImageData(Config(dir), 6, 17, 1);
  absl::StatusOr<ImageData> b = MakeImageData(Config(dir), 6, 17, 2);
  DataConfig other_split = Config(dir);
  other_split.set_split_seed(5);
  absl::StatusOr<ImageData> c = MakeImageData(other_split, 6, 17, 1);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(SameBatch(a->probe, b->probe));
  EXPECT_FALSE(torch::equal(a->probe.inputs, c->probe.inputs));
  // Deterministic: the same arguments, the same data.
  absl::StatusOr<ImageData> again = MakeImageData(Config(dir), 6, 17, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameBatch(a->probe, again->probe));
  EXPECT_TRUE(SameBatch(a->train_probe, again->train_probe));
  EXPECT_TRUE(SameBatch(a->train->Next(), again->train->Next()));
}

TEST(MakeImageData, WholeTestSetIsAPermutation) {
  const std::string dir = WriteFolder(MakeSynthetic());
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_TRUE(fm.ok());
  absl::StatusOr<ImageData> data = MakeImageData(Config(dir), kTest, 17, 1);
  ASSERT_TRUE(data.ok()) << data.status();
  std::vector<int64_t> seen;
  for (int64_t r = 0; r < kTest; ++r) {
    seen.push_back(FindTestImage(*fm, data->probe.inputs[r]));
  }
  std::sort(seen.begin(), seen.end());
  for (int64_t i = 0; i < kTest; ++i) EXPECT_EQ(seen[i], i);
}

TEST(MakeImageData, TrainProbeHasTheRunsContent) {
  // RANDOM_LABELS: the training probe carries the run's random labels.
  const std::string dir = WriteFolder(MakeSynthetic());
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_TRUE(fm.ok());
  DataConfig config = Config(dir);
  config.set_image_stream(DataConfig::RANDOM_LABELS);
  absl::StatusOr<ImageData> data = MakeImageData(config, 8, 17, 3);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_examples, kTrain);
  for (int64_t r = 0; r < 8; ++r) {
    const int64_t i = FindTrainImage(*fm, data->train_probe.inputs[r]);
    ASSERT_GE(i, 0);
    EXPECT_EQ(data->train_probe.targets[r].item<int64_t>(),
              data->train->Label(i));
  }
  // The held-out probe keeps the true labels.
  for (int64_t r = 0; r < 8; ++r) {
    const int64_t i = FindTestImage(*fm, data->probe.inputs[r]);
    ASSERT_GE(i, 0);
    EXPECT_EQ(data->probe.targets[r].item<int64_t>(), (i * 3) % 10);
  }

  config.set_image_stream(DataConfig::INFINITE);
  data = MakeImageData(config, 8, 17, 3);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_examples, 0);
  EXPECT_EQ(data->train_probe.inputs.sizes(),
            (std::vector<int64_t>{8, 28, 28}));
}

TEST(MakeImageData, TooManyProbeExamplesIsAnError) {
  const std::string dir = WriteFolder(MakeSynthetic());
  absl::StatusOr<ImageData> data = MakeImageData(Config(dir), 11, 17, 1);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(data.status().message());
  EXPECT_NE(message.find("11"), std::string::npos) << message;
  EXPECT_NE(message.find("holds 10"), std::string::npos) << message;

  EXPECT_FALSE(MakeImageData(Config(dir), 0, 17, 1).ok());
}

TEST(MakeImageData, MissingFolderIsNotFound) {
  const std::string dir = ::testing::TempDir() + "/no_such_images_folder";
  absl::StatusOr<ImageData> data = MakeImageData(Config(dir), 6, 17, 1);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sparsity
