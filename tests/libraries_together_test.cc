// Debian's protobuf, Abseil and gflags and the pip LibTorch (which bundles its
// own protobuf, fmt and more inside libtorch_cpu.so) in one process: a
// LibTorch training step on the CPU whose numbers go through a results file
// (binary and JSON) and come back equal, with the libraries checked to be
// the ones the build meant.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_format.h"
#include "gflags/gflags.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "models/transformer_lm.h"
#include "proto/results_io.h"
#include "torch/torch.h"
#include "train/run_info.h"

DEFINE_int32(together_steps, 3, "training steps of the test model");

namespace sparsity {
namespace {

// The file mapped into this process whose path contains `name`, or "".
std::string MappedLibrary(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const size_t slash = line.find('/');
    if (slash != std::string::npos &&
        line.find(name, slash) != std::string::npos) {
      return line.substr(slash);
    }
  }
  return "";
}

// What differs between `a` and `b`, one line per field; "" when equal.
// With `equivalent`, an unset field equals its default value.
std::string Differences(const google::protobuf::Message& a,
                        const google::protobuf::Message& b,
                        bool equivalent = false) {
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  if (equivalent) {
    differencer.set_message_field_comparison(
        google::protobuf::util::MessageDifferencer::EQUIVALENT);
  }
  differencer.ReportDifferencesToString(&report);
  differencer.Compare(a, b);
  return report;
}

// Trains a two-layer LM for `steps` SGD steps on the CPU; returns the losses.
std::vector<float> TrainOnCpu(int steps) {
  torch::manual_seed(7);
  TransformerLM lm(TransformerLMOptions(/*vocab_size=*/32, /*d_model=*/16,
                                        /*n_layers=*/2, /*n_heads=*/2,
                                        /*d_ff=*/32, /*max_seq_len=*/8));
  lm->to(torch::Device("cpu"));
  torch::optim::SGD sgd(lm->parameters(), torch::optim::SGDOptions(0.1));
  const torch::Tensor tokens = torch::randint(32, {4, 9});
  const Batch batch{tokens.slice(1, 0, 8), tokens.slice(1, 1, 9)};
  std::vector<float> losses;
  for (int i = 0; i < steps; ++i) {
    sgd.zero_grad();
    torch::Tensor loss = lm->Loss(batch, /*observer=*/nullptr);
    loss.backward();
    sgd.step();
    losses.push_back(loss.item<float>());
  }
  return losses;
}

TEST(LibrariesTogether, TorchStepResultsRoundTrip) {
  const std::vector<float> losses = TrainOnCpu(FLAGS_together_steps);
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_LT(losses.back(), losses.front());  // SGD lowers the batch's loss

  Results results;
  *results.mutable_run() = CollectRunInfo("libraries_together", "test", "t");
  TrainingRecord* run = results.mutable_layerwise_sparsity()->add_runs();
  run->set_name("lm/i7-d0");
  for (size_t i = 0; i < losses.size(); ++i) {
    LossPoint* p = run->add_loss();
    p->set_step(static_cast<int64_t>(i) + 1);
    p->set_loss(losses[i]);
  }
  const std::string dir =
      std::filesystem::path(::testing::TempDir()) / "together";
  absl::StatusOr<std::string> path =
      WriteResults(results, dir, "together", /*json=*/true);
  ASSERT_TRUE(path.ok()) << path.status();
  absl::StatusOr<Results> back = ReadResults(*path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(
      Differences(results.layerwise_sparsity(), back->layerwise_sparsity()),
      "");
  EXPECT_EQ(back->run().torch_version(), TORCH_VERSION);

  // The JSON export parses back into the same message.
  std::ifstream json_in(dir + "/together.json");
  const std::string json((std::istreambuf_iterator<char>(json_in)),
                         std::istreambuf_iterator<char>());
  Results from_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json, &from_json).ok());
  // The export prints every field, so unset fields come back as defaults.
  EXPECT_EQ(Differences(results.layerwise_sparsity(),
                        from_json.layerwise_sparsity(), /*equivalent=*/true),
            "");
}

TEST(LibrariesTogether, EachLibraryIsTheOneBuiltAgainst) {
  TrainOnCpu(1);  // LibTorch's libraries are loaded and used
  // protobuf: Debian's shared library, the version of the headers.
  EXPECT_NE(MappedLibrary("libprotobuf.so.32"), "");
  google::protobuf::internal::VerifyVersion(
      GOOGLE_PROTOBUF_VERSION, GOOGLE_PROTOBUF_MIN_LIBRARY_VERSION, __FILE__);
  // LibTorch: the C++11-ABI pip build from the LibTorch folder the build
  // found, 2.x; Abseil and gflags from Debian.
  EXPECT_EQ(std::string(TORCH_VERSION).substr(0, 2), "2.");
  EXPECT_NE(MappedLibrary("libtorch_cpu.so"), "");
  EXPECT_EQ(_GLIBCXX_USE_CXX11_ABI, 1);
  EXPECT_NE(MappedLibrary("libabsl_str_format_internal.so"), "");
  EXPECT_NE(MappedLibrary("libgflags.so"), "");
  EXPECT_EQ(absl::StrFormat("%.2f", torch::ones({2}).sum().item<float>()),
            "2.00");
}

// LibTorch exports the std::filesystem code of the older libstdc++ it was
// built with; the system's must win (LibTorch's remove_all jumped to 0).
TEST(LibrariesTogether, FilesystemIsTheSystemLibstdcxx) {
  TrainOnCpu(1);
  const std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "tree";
  std::filesystem::create_directories(root / "a" / "b");
  std::ofstream(root / "a" / "b" / "f") << "x";
  EXPECT_EQ(std::filesystem::remove_all(root), 4u);  // tree, a, b, f
  EXPECT_FALSE(std::filesystem::exists(root));
}

}  // namespace
}  // namespace sparsity
