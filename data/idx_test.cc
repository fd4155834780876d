#include "data/idx.h"

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data/fashion_mnist.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

// Whether `text` contains `part` (printing both when not).
::testing::AssertionResult Contains(const std::string& text,
                                    const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

// A fresh, empty folder for this test (unique per test and per call).
std::string FreshDir() {
  static int counter = 0;
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(::testing::TempDir()) /
                       (std::string(info->test_suite_name()) + "." +
                        info->name() + "." + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

void WriteGzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The IDX file of dims {2, 3} and data 0..5, written out by hand.
std::string HandMade23() {
  return std::string(
      "\x00\x00\x08\x02"
      "\x00\x00\x00\x02"
      "\x00\x00\x00\x03"
      "\x00\x01\x02\x03\x04\x05",
      18);
}

std::string ErrorMessage(const absl::StatusOr<IdxArray>& r) {
  return std::string(r.status().message());
}

TEST(Idx, EncodeIdxWritesTheHandMadeBytes) {
  EXPECT_EQ(EncodeIdx({2, 3}, {0, 1, 2, 3, 4, 5}), HandMade23());
  // Sizes are big-endian uint32.
  const std::string big = EncodeIdx({0x01020304}, {});
  EXPECT_EQ(big, std::string("\x00\x00\x08\x01\x01\x02\x03\x04", 8));
}

TEST(Idx, ReadsHandMadeFile) {
  const std::string path = FreshDir() + "/a-idx2-ubyte";
  WriteFile(path, HandMade23());
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->data, (std::vector<uint8_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Idx, SizesAreBigEndian) {
  // 258 = 0x0102: a little-endian reader would see 0x02010000.
  std::vector<uint8_t> data(258);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  const std::string path = FreshDir() + "/big";
  WriteFile(path, std::string("\x00\x00\x08\x01\x00\x00\x01\x02", 8) +
                      std::string(data.begin(), data.end()));
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dims, (std::vector<int64_t>{258}));
  EXPECT_EQ(a->data, data);
}

TEST(Idx, RoundTripsThreeDimensions) {
  std::vector<uint8_t> data(4 * 5 * 6);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(i * 37 + 11);
  }
  const std::string path = FreshDir() + "/three";
  WriteFile(path, EncodeIdx({4, 5, 6}, data));
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dims, (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(a->data, data);
}

TEST(Idx, ReadsGzippedFileIdentically) {
  const std::string dir = FreshDir();
  WriteGzip(dir + "/a.gz", HandMade23());
  // It really is compressed (gzip magic), not the plain bytes.
  const std::string raw = ReadBytes(dir + "/a.gz");
  ASSERT_GE(raw.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), 0x8b);
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/a.gz");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->data, (std::vector<uint8_t>{0, 1, 2, 3, 4, 5}));
}

TEST(Idx, TruncatedDataIsAnError) {
  const std::string path = FreshDir() + "/short";
  WriteFile(path, HandMade23().substr(0, 16));  // 4 of 6 data bytes
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "truncated"));
  EXPECT_TRUE(Contains(ErrorMessage(a), "promises 6 bytes"));
  EXPECT_TRUE(Contains(ErrorMessage(a), "holds 4"));
  EXPECT_TRUE(Contains(ErrorMessage(a), path));
}

TEST(Idx, TruncatedGzippedDataIsAnError) {
  const std::string path = FreshDir() + "/short.gz";
  WriteGzip(path, HandMade23().substr(0, 15));
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "truncated"));
}

TEST(Idx, TrailingBytesAreAnError) {
  const std::string path = FreshDir() + "/long";
  WriteFile(path, HandMade23() + "x");
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "longer than its header"));
  EXPECT_TRUE(Contains(ErrorMessage(a), path));
}

TEST(Idx, BadMagicIsAnError) {
  const std::string dir = FreshDir();
  std::string bytes = HandMade23();
  bytes[0] = 1;
  WriteFile(dir + "/first", bytes);
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/first");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "magic"));

  bytes = HandMade23();
  bytes[1] = 0x7f;
  WriteFile(dir + "/second", bytes);
  a = ReadIdx(dir + "/second");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "magic"));

  // A text file is no IDX file either.
  WriteFile(dir + "/text", "hello, world\n");
  a = ReadIdx(dir + "/text");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "magic"));
}

TEST(Idx, OtherElementTypesAreAnError) {
  const std::string dir = FreshDir();
  for (const char type : {'\x09', '\x0b', '\x0c', '\x0d', '\x0e', '\x00'}) {
    std::string bytes = HandMade23();
    bytes[2] = type;
    const std::string path =
        dir + "/type" + std::to_string(static_cast<int>(type));
    WriteFile(path, bytes);
    absl::StatusOr<IdxArray> a = ReadIdx(path);
    ASSERT_FALSE(a.ok()) << static_cast<int>(type);
    EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(Contains(ErrorMessage(a), "element type"));
  }
}

TEST(Idx, BadNumberOfDimensionsIsAnError) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/zero", std::string("\x00\x00\x08\x00", 4));
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/zero");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "number of dimensions"));
}

TEST(Idx, ZeroSizeIsAnError) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/a", EncodeIdx({2, 0}, {}));
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/a");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "dimension 1 has size 0"));

  WriteFile(dir + "/b", EncodeIdx({0}, {}));
  a = ReadIdx(dir + "/b");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "dimension 0 has size 0"));
}

TEST(Idx, TruncatedHeaderIsAnError) {
  const std::string dir = FreshDir();
  // Three dimensions promised, one size present.
  WriteFile(dir + "/sizes", std::string("\x00\x00\x08\x03\x00\x00\x00\x02", 8));
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/sizes");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "truncated in the header"));

  // Half a size.
  WriteFile(dir + "/half", std::string("\x00\x00\x08\x01\x00\x00", 6));
  a = ReadIdx(dir + "/half");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "truncated in the header"));

  // Not even the magic number.
  WriteFile(dir + "/magic", std::string("\x00\x00", 2));
  a = ReadIdx(dir + "/magic");
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(Contains(ErrorMessage(a), "magic"));

  WriteFile(dir + "/empty", "");
  a = ReadIdx(dir + "/empty");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
}

TEST(Idx, MissingFileIsNotFound) {
  const std::string path = FreshDir() + "/no-such-file";
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(ErrorMessage(a), path));
}

TEST(Idx, CorruptGzipIsAnErrorNotACrash) {
  const std::string dir = FreshDir();
  // Gzip magic, then garbage (no valid header: method byte is not deflate).
  WriteFile(dir + "/garbage.gz",
            std::string("\x1f\x8b", 2) + "this is not a deflate stream at all");
  absl::StatusOr<IdxArray> a = ReadIdx(dir + "/garbage.gz");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(Contains(ErrorMessage(a), "corrupt"));

  // A valid gzip header (deflate, no flags), then a garbage deflate stream.
  WriteFile(dir + "/body.gz",
            std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                std::string(64, '\xff'));
  a = ReadIdx(dir + "/body.gz");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);

  // A real gzip file with its deflate stream damaged.
  WriteGzip(dir + "/real.gz", EncodeIdx({50}, std::vector<uint8_t>(50, 7)));
  std::string bytes = ReadBytes(dir + "/real.gz");
  ASSERT_GT(bytes.size(), 14u);
  for (size_t i = 10; i < bytes.size(); ++i) bytes[i] = '\xff';
  WriteFile(dir + "/damaged.gz", bytes);
  a = ReadIdx(dir + "/damaged.gz");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
}

// --- Fashion-MNIST ---

std::vector<uint8_t> Pixels(int64_t n, int salt) {
  std::vector<uint8_t> out(n * kImageSide * kImageSide);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>((i * 31 + salt * 7 + i / 13) % 256);
  }
  return out;
}

TEST(FashionMnist, LoadImageSetReadsImagesAndLabels) {
  const std::string dir = FreshDir();
  const std::vector<uint8_t> pixels = Pixels(3, 1);
  WriteFile(dir + "/images", EncodeIdx({3, 28, 28}, pixels));
  WriteFile(dir + "/labels", EncodeIdx({3}, {3, 0, 9}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/images", dir + "/labels");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 3);
  EXPECT_EQ(set->images.scalar_type(), torch::kUInt8);
  EXPECT_EQ(set->images.sizes(), (std::vector<int64_t>{3, 28, 28}));
  EXPECT_EQ(set->labels.scalar_type(), torch::kLong);
  EXPECT_EQ(set->labels.sizes(), (std::vector<int64_t>{3}));
  const torch::Tensor contiguous = set->images.contiguous();
  const uint8_t* p = contiguous.data_ptr<uint8_t>();
  EXPECT_EQ(std::vector<uint8_t>(p, p + pixels.size()), pixels);
  // Row-major: image 1, row 2, column 5.
  EXPECT_EQ(set->images[1][2][5].item<int64_t>(), pixels[1 * 784 + 2 * 28 + 5]);
  EXPECT_TRUE(
      torch::equal(set->labels, torch::tensor({3, 0, 9}, torch::kLong)));
}

TEST(FashionMnist, LoadImageSetReadsGzippedFiles) {
  const std::string dir = FreshDir();
  const std::vector<uint8_t> pixels = Pixels(2, 2);
  WriteGzip(dir + "/images.gz", EncodeIdx({2, 28, 28}, pixels));
  WriteGzip(dir + "/labels.gz", EncodeIdx({2}, {7, 1}));
  absl::StatusOr<ImageSet> set =
      LoadImageSet(dir + "/images.gz", dir + "/labels.gz");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->images[1][27][27].item<int64_t>(), pixels.back());
  EXPECT_TRUE(torch::equal(set->labels, torch::tensor({7, 1}, torch::kLong)));
}

TEST(FashionMnist, MismatchedCountsAreAnError) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/images", EncodeIdx({3, 28, 28}, Pixels(3, 0)));
  WriteFile(dir + "/labels", EncodeIdx({2}, {1, 2}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/images", dir + "/labels");
  ASSERT_FALSE(set.ok());
  const std::string message(set.status().message());
  EXPECT_TRUE(Contains(message, "3 images"));
  EXPECT_TRUE(Contains(message, "2 labels"));
}

TEST(FashionMnist, ImagesNot28By28AreAnError) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/images",
            EncodeIdx({2, 27, 28}, std::vector<uint8_t>(2 * 27 * 28, 5)));
  WriteFile(dir + "/labels", EncodeIdx({2}, {1, 2}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/images", dir + "/labels");
  ASSERT_FALSE(set.ok());
  EXPECT_TRUE(Contains(std::string(set.status().message()), "2 x 27 x 28"));

  // Two dimensions (no image count) are not images either.
  WriteFile(dir + "/flat",
            EncodeIdx({28, 28}, std::vector<uint8_t>(28 * 28, 5)));
  set = LoadImageSet(dir + "/flat", dir + "/labels");
  ASSERT_FALSE(set.ok());
  EXPECT_TRUE(Contains(std::string(set.status().message()), "28 x 28"));
}

TEST(FashionMnist, LabelsMustBeOneDimensional) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/images", EncodeIdx({2, 28, 28}, Pixels(2, 0)));
  WriteFile(dir + "/labels", EncodeIdx({2, 1}, {1, 2}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/images", dir + "/labels");
  ASSERT_FALSE(set.ok());
  EXPECT_TRUE(Contains(std::string(set.status().message()), "one dimension"));
}

TEST(FashionMnist, LabelTenIsAnError) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/images", EncodeIdx({3, 28, 28}, Pixels(3, 0)));
  WriteFile(dir + "/labels", EncodeIdx({3}, {9, 10, 0}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/images", dir + "/labels");
  ASSERT_FALSE(set.ok());
  const std::string message(set.status().message());
  EXPECT_TRUE(Contains(message, "label 10"));
  EXPECT_TRUE(Contains(message, "example 1"));
}

TEST(FashionMnist, BadImageFileIsReported) {
  const std::string dir = FreshDir();
  WriteFile(dir + "/labels", EncodeIdx({1}, {1}));
  absl::StatusOr<ImageSet> set = LoadImageSet(dir + "/none", dir + "/labels");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
}

TEST(FashionMnist, MissingFolderIsNotFoundWithSetupHint) {
  const std::string dir = FreshDir() + "/absent";
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_FALSE(fm.ok());
  EXPECT_EQ(fm.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(std::string(fm.status().message()), "tools/setup.sh"));
  EXPECT_TRUE(Contains(std::string(fm.status().message()), dir));
}

struct HandMadeSet {
  std::vector<uint8_t> train_pixels, test_pixels;
  std::vector<uint8_t> train_labels, test_labels;
};

constexpr int64_t kTrain = 6, kTest = 4;

// Writes the four files into dir: the training pair gzipped, the test pair
// not (both forms are accepted).
HandMadeSet WriteSet(const std::string& dir) {
  HandMadeSet s;
  s.train_pixels = Pixels(kTrain, 3);
  s.test_pixels = Pixels(kTest, 4);
  for (int64_t i = 0; i < kTrain; ++i) s.train_labels.push_back(i % 10);
  for (int64_t i = 0; i < kTest; ++i) s.test_labels.push_back((9 - i) % 10);
  WriteGzip(dir + "/train-images-idx3-ubyte.gz",
            EncodeIdx({kTrain, 28, 28}, s.train_pixels));
  WriteGzip(dir + "/train-labels-idx1-ubyte.gz",
            EncodeIdx({kTrain}, s.train_labels));
  WriteFile(dir + "/t10k-images-idx3-ubyte",
            EncodeIdx({kTest, 28, 28}, s.test_pixels));
  WriteFile(dir + "/t10k-labels-idx1-ubyte", EncodeIdx({kTest}, s.test_labels));
  return s;
}

TEST(FashionMnist, MissingFileIsNotFoundWithSetupHint) {
  const std::string dir = FreshDir();
  WriteSet(dir);
  fs::remove(dir + "/t10k-labels-idx1-ubyte");
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_FALSE(fm.ok());
  EXPECT_EQ(fm.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(
      Contains(std::string(fm.status().message()), "t10k-labels-idx1-ubyte"));
  EXPECT_TRUE(Contains(std::string(fm.status().message()), "tools/setup.sh"));
}

TEST(FashionMnist, LoadsHandMadeSetWithStatistics) {
  const std::string dir = FreshDir();
  const HandMadeSet s = WriteSet(dir);
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_TRUE(fm.ok()) << fm.status();
  EXPECT_EQ(fm->train.size(), kTrain);
  EXPECT_EQ(fm->test.size(), kTest);
  EXPECT_EQ(fm->train.images.sizes(), (std::vector<int64_t>{kTrain, 28, 28}));
  EXPECT_EQ(fm->test.images.sizes(), (std::vector<int64_t>{kTest, 28, 28}));
  const torch::Tensor train = fm->train.images.contiguous();
  const torch::Tensor test = fm->test.images.contiguous();
  EXPECT_EQ(std::vector<uint8_t>(train.data_ptr<uint8_t>(),
                                 train.data_ptr<uint8_t>() + train.numel()),
            s.train_pixels);
  EXPECT_EQ(std::vector<uint8_t>(test.data_ptr<uint8_t>(),
                                 test.data_ptr<uint8_t>() + test.numel()),
            s.test_pixels);
  for (int64_t i = 0; i < kTrain; ++i) {
    EXPECT_EQ(fm->train.labels[i].item<int64_t>(), s.train_labels[i]);
  }
  for (int64_t i = 0; i < kTest; ++i) {
    EXPECT_EQ(fm->test.labels[i].item<int64_t>(), s.test_labels[i]);
  }

  // Mean and population standard deviation of the training pixels / 255
  // (the test pixels do not count).
  double sum = 0;
  for (uint8_t p : s.train_pixels) sum += p / 255.0;
  const double mean = sum / s.train_pixels.size();
  double squares = 0;
  for (uint8_t p : s.train_pixels) {
    squares += (p / 255.0 - mean) * (p / 255.0 - mean);
  }
  const double std = std::sqrt(squares / s.train_pixels.size());
  EXPECT_NEAR(fm->mean, mean, 1e-12);
  EXPECT_NEAR(fm->std, std, 1e-12);

  const torch::Tensor x = fm->Normalize(fm->train.images);
  EXPECT_EQ(x.scalar_type(), torch::kFloat);
  EXPECT_EQ(x.sizes(), fm->train.images.sizes());
  EXPECT_NEAR(x.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(x.std(/*unbiased=*/false).item<double>(), 1.0, 1e-5);
  // One pixel by hand.
  const uint8_t p = s.train_pixels[2 * 784 + 5 * 28 + 11];
  EXPECT_NEAR(x[2][5][11].item<double>(), (p / 255.0 - mean) / std, 1e-5);
}

// Training images that are all one value have no spread to normalise by.
TEST(FashionMnist, ConstantTrainingImagesAreAnError) {
  for (const uint8_t value : {0, 100, 255}) {
    const std::string dir = FreshDir();
    WriteSet(dir);
    WriteGzip(dir + "/train-images-idx3-ubyte.gz",
              EncodeIdx({kTrain, 28, 28},
                        std::vector<uint8_t>(kTrain * 28 * 28, value)));
    absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
    ASSERT_FALSE(fm.ok()) << "all pixels " << int{value} << ": loaded with std "
                          << fm->std << ", mean " << fm->mean;
    EXPECT_TRUE(Contains(std::string(fm.status().message()), "one value"));
  }
}

TEST(FashionMnist, InconsistentFileInFolderIsAnError) {
  const std::string dir = FreshDir();
  WriteSet(dir);
  WriteFile(dir + "/t10k-labels-idx1-ubyte", EncodeIdx({kTest - 1}, {0, 1, 2}));
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_FALSE(fm.ok());
  EXPECT_TRUE(Contains(std::string(fm.status().message()), "4 images"));
  EXPECT_TRUE(Contains(std::string(fm.status().message()), "3 labels"));
}

TEST(FashionMnist, LoadsTheInstalledDataSet) {
  const std::string dir = DefaultFashionMnistDir();
  EXPECT_EQ(dir, "/usr/share/datasets/fashion-mnist");
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is not installed";
  absl::StatusOr<FashionMnist> fm = LoadFashionMnist(dir);
  ASSERT_TRUE(fm.ok()) << fm.status();
  EXPECT_EQ(fm->train.size(), 60000);
  EXPECT_EQ(fm->test.size(), 10000);
  EXPECT_EQ(fm->train.images.sizes(), (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(fm->test.images.sizes(), (std::vector<int64_t>{10000, 28, 28}));
  EXPECT_GE(fm->train.labels.min().item<int64_t>(), 0);
  EXPECT_LT(fm->train.labels.max().item<int64_t>(), 10);
  EXPECT_GE(fm->test.labels.min().item<int64_t>(), 0);
  EXPECT_LT(fm->test.labels.max().item<int64_t>(), 10);
  const torch::Tensor train_counts = fm->train.labels.bincount({}, 10);
  const torch::Tensor test_counts = fm->test.labels.bincount({}, 10);
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train_counts[c].item<int64_t>(), 6000) << "class " << c;
    EXPECT_EQ(test_counts[c].item<int64_t>(), 1000) << "class " << c;
  }
  // The well-known statistics of Fashion-MNIST's training pixels.
  EXPECT_NEAR(fm->mean, 0.2860, 1e-3);
  EXPECT_NEAR(fm->std, 0.3530, 1e-3);
}

}  // namespace
}  // namespace sparsity
