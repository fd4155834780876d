#include "common/cli.h"

#include <new>

#include "c10/util/Exception.h"
#include "gtest/gtest.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

// RunMain's stderr, captured.
std::string ErrorOf(const std::function<absl::Status()>& body, int* rc) {
  testing::internal::CaptureStderr();
  *rc = RunMain("prog", body);
  return testing::internal::GetCapturedStderr();
}

int Lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(RunMain, OkIsZeroAndSilent) {
  int rc = -1;
  EXPECT_EQ(ErrorOf([] { return absl::OkStatus(); }, &rc), "");
  EXPECT_EQ(rc, 0);
}

TEST(RunMain, StatusIsOneLine) {
  int rc = 0;
  const std::string err =
      ErrorOf([] { return absl::InvalidArgumentError("bad\nsecond"); }, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(err, "prog: error: bad\n");
}

TEST(RunMain, BadAllocIsOneLine) {
  int rc = 0;
  const std::string err =
      ErrorOf([]() -> absl::Status { throw std::bad_alloc(); }, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(Lines(err), 1) << err;
  EXPECT_NE(err.find("out of memory"), std::string::npos) << err;
}

TEST(RunMain, TorchErrorIsOneLineWithoutBacktrace) {
  int rc = 0;
  const std::string err = ErrorOf(
      []() -> absl::Status {
        // A real LibTorch failure: mismatched matmul shapes.
        torch::matmul(torch::ones({2, 3}), torch::ones({4, 5}));
        return absl::OkStatus();
      },
      &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(Lines(err), 1) << err;
  EXPECT_NE(err.find("prog: error: "), std::string::npos) << err;
}

TEST(RunMain, TorchAllocationFailureIsOutOfMemory) {
  int rc = 0;
  const std::string err = ErrorOf(
      []() -> absl::Status {
        // 2^62 bytes: more than any machine; LibTorch throws c10::Error.
        torch::empty({int64_t{1} << 60}, torch::kFloat);
        return absl::OkStatus();
      },
      &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(Lines(err), 1) << err;
  EXPECT_NE(err.find("out of memory"), std::string::npos) << err;
}

TEST(QuotedCommandLine, QuotesWhatTheShellWouldSplit) {
  const char* args[] = {"/bin/exp", "--preset=smoke",
                        "--override=optim { lr: 0 }", "it's"};
  EXPECT_EQ(QuotedCommandLine(4, const_cast<char**>(args)),
            "/bin/exp --preset=smoke '--override=optim { lr: 0 }' 'it'\\''s'");
}

}  // namespace
}  // namespace sparsity
