#include "kernels/activation_stats.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/activation_stats_test_util.h"

namespace sparsity {
namespace {

TEST(ActivationStatsCpu, HandBuiltMatrix) {
  // 4 tokens in 2 sequences of 2, d_ff = 3.
  const std::vector<float> h = {
      1.0f, 0.0f, -2.0f,  // seq 0: unit 0
      0.0f, 0.5f, 0.0f,   // seq 0: unit 1
      0.0f, 0.0f, 0.0f,   // seq 1: nothing
      3.0f, 0.0f, 4.0f,   // seq 1: units 0 and 2
  };
  std::vector<int32_t> nnz(4, -1);
  std::vector<int64_t> counts(3, 10);  // accumulates onto existing values
  std::vector<uint64_t> unions(2, 0);
  ActivationStatsCpu(h.data(), 4, 3, 2, nnz.data(), counts.data(),
                     unions.data());
  EXPECT_EQ(nnz, (std::vector<int32_t>{1, 1, 0, 2}));
  EXPECT_EQ(counts, (std::vector<int64_t>{12, 11, 11}));
  EXPECT_EQ(unions, (std::vector<uint64_t>{0b011, 0b101}));
}

TEST(ActivationStatsCpu, NanAndNegativeZeroDoNotFire) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> h = {nan, -0.0f, 1e-30f, -1e-30f};
  std::vector<int32_t> nnz(1);
  std::vector<int64_t> counts(4, 0);
  std::vector<uint64_t> unions(1, 0);
  ActivationStatsCpu(h.data(), 1, 4, 1, nnz.data(), counts.data(),
                     unions.data());
  EXPECT_EQ(nnz[0], 1);
  EXPECT_EQ(unions[0], 0b100u);
}

// Matches the naive loop at sizes that hit every code path: d_ff below one
// AVX2 register, exact multiples of 64, and ragged tails.
TEST(ActivationStatsCpu, MatchesNaiveLoopOnRandomInputs) {
  std::mt19937 rng(42);
  for (int64_t d_ff : {1, 7, 8, 63, 64, 65, 130, 512, 1000}) {
    for (int64_t seq_len : {1, 3, 16}) {
      const int64_t tokens = seq_len * 5;
      const std::vector<float> h = RandomSparseMatrix(tokens, d_ff, 0.3, rng);
      ActivationStatsOutputs got(tokens, d_ff, seq_len);
      ActivationStatsOutputs want(tokens, d_ff, seq_len);
      ActivationStatsCpu(h.data(), tokens, d_ff, seq_len, got.nnz.data(),
                         got.counts.data(), got.unions.data());
      NaiveActivationStats(h.data(), tokens, d_ff, seq_len, &want);
      EXPECT_EQ(got.nnz, want.nnz) << "d_ff=" << d_ff << " seq=" << seq_len;
      EXPECT_EQ(got.counts, want.counts) << "d_ff=" << d_ff;
      EXPECT_EQ(got.unions, want.unions) << "d_ff=" << d_ff;
    }
  }
}

TEST(ActivationStatsCpu, ReportsItsCodePath) {
  const std::string path = ActivationStatsCpuPath();
  EXPECT_TRUE(path == "avx2" || path == "portable") << path;
  std::cout << "CPU code path: " << path << "\n";
}

// ---------------------------------------------------------------------------
// Each code path on its own (ActivationStatsCpuOnPath). On x86 with AVX2,
// ActivationStatsCpu always takes the AVX2 path, so only these tests run the
// portable code there.

std::string PathName(StatsPath path) {
  switch (path) {
    case StatsPath::kAuto:
      return "Auto";
    case StatsPath::kPortable:
      return "Portable";
    case StatsPath::kAvx2:
      return "Avx2";
  }
  return "Unknown";
}

class ActivationStatsPathTest : public ::testing::TestWithParam<StatsPath> {
 protected:
  void SetUp() override {
    if (GetParam() == StatsPath::kAvx2 &&
        std::string(ActivationStatsCpuPath()) != "avx2") {
      std::cout << "SKIPPED: the AVX2 path cannot run here (not an x86 build, "
                   "or the CPU lacks AVX2/POPCNT); it was not tested\n";
      GTEST_SKIP() << "AVX2 path unavailable on this build/CPU";
    }
  }

  // Runs the path under test and the naive loop on the same input, with the
  // accumulating outputs pre-filled (identically) so that "added to" and
  // "OR-ed into" are checked too, and compares all three outputs.
  void ExpectMatchesNaive(const std::vector<float>& h, int64_t tokens,
                          int64_t d_ff, int64_t seq_len,
                          const std::string& what) {
    ActivationStatsOutputs got(tokens, d_ff, seq_len);
    ActivationStatsOutputs want(tokens, d_ff, seq_len);
    for (size_t j = 0; j < got.counts.size(); ++j) {
      got.counts[j] = want.counts[j] = static_cast<int64_t>(j % 5) * 1000;
    }
    for (size_t w = 0; w < got.unions.size(); ++w) {
      // Bits only below d_ff: bits above it are never set by either side.
      const int64_t units =
          std::min<int64_t>(64, d_ff - (w % UnionWords(d_ff)) * 64);
      const uint64_t valid =
          units == 64 ? ~uint64_t{0} : (uint64_t{1} << units) - 1;
      got.unions[w] = want.unions[w] =
          (0x8000000100000001ull << (w % 7)) & valid;
    }
    std::fill(got.nnz.begin(), got.nnz.end(), -7);  // written, not added to
    std::string error;
    ASSERT_TRUE(ActivationStatsCpuOnPath(
        GetParam(), h.data(), tokens, d_ff, seq_len, got.nnz.data(),
        got.counts.data(), got.unions.data(), &error))
        << error;
    EXPECT_TRUE(error.empty()) << error;
    NaiveActivationStats(h.data(), tokens, d_ff, seq_len, &want);
    EXPECT_EQ(got.nnz, want.nnz) << what;
    EXPECT_EQ(got.counts, want.counts) << what;
    EXPECT_EQ(got.unions, want.unions) << what;
  }
};

// d_ff below one AVX2 register, between registers, at and around multiples
// of 64 (full mask words vs ragged tails); densities from none to all firing.
TEST_P(ActivationStatsPathTest, MatchesNaiveLoopOnRandomInputs) {
  std::mt19937 rng(1234);
  for (int64_t d_ff : {1, 2, 7, 8, 9, 63, 64, 65, 127, 128, 130, 200, 1000}) {
    for (int64_t seq_len : {1, 3, 16}) {
      for (double density : {0.0, 0.1, 0.5, 1.0}) {
        const int64_t tokens = seq_len * 4;
        const std::vector<float> h =
            RandomSparseMatrix(tokens, d_ff, density, rng);
        ExpectMatchesNaive(h, tokens, d_ff, seq_len,
                           "d_ff=" + std::to_string(d_ff) +
                               " seq=" + std::to_string(seq_len) +
                               " density=" + std::to_string(density));
      }
    }
  }
}

// Values on either side of "> 0": exact zeros of both signs, the smallest
// denormals, NaN of both signs (quiet and signalling: NaN does not fire),
// infinities, FLT_MIN and FLT_MAX.
std::vector<float> EdgeValues() {
  using L = std::numeric_limits<float>;
  return {0.0f,           -0.0f,           L::denorm_min(),    -L::denorm_min(),
          1e-40f,         -1e-40f,         L::min(),           -L::min(),
          L::quiet_NaN(), -L::quiet_NaN(), L::signaling_NaN(), L::infinity(),
          -L::infinity(), L::max(),        -L::max(),          1.0f};
}

TEST_P(ActivationStatsPathTest, MatchesNaiveLoopOnEdgeValues) {
  const std::vector<float> edge = EdgeValues();
  std::mt19937 rng(99);
  std::uniform_int_distribution<size_t> pick(0, edge.size() - 1);
  for (int64_t d_ff : {1, 7, 8, 63, 64, 65, 130}) {
    for (int64_t seq_len : {1, 4}) {
      const int64_t tokens = seq_len * 6;
      std::vector<float> h(tokens * d_ff);
      for (float& x : h) x = edge[pick(rng)];
      ExpectMatchesNaive(h, tokens, d_ff, seq_len,
                         "edge values, d_ff=" + std::to_string(d_ff) +
                             " seq=" + std::to_string(seq_len));
    }
  }
}

// The same edge values with the expected result written out (not taken from
// the naive loop): only denorm_min, 1e-40, FLT_MIN, +inf, FLT_MAX and 1 fire.
// d_ff = 130 has two full 64-unit words and a 2-unit tail; row t is the
// pattern shifted by 5t, so over the 16 rows every value reaches every unit.
TEST_P(ActivationStatsPathTest, EdgeValuesFireExactlyWhenPositive) {
  const std::vector<float> edge = EdgeValues();
  const std::vector<bool> fires = {false, false, true,  false, true,  false,
                                   true,  false, false, false, false, true,
                                   false, true,  false, true};
  ASSERT_EQ(edge.size(), fires.size());
  const int64_t d_ff = 130;
  const int64_t tokens = 16;  // one token per sequence
  std::vector<float> h(tokens * d_ff);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t j = 0; j < d_ff; ++j) {
      h[t * d_ff + j] = edge[(j + 5 * t) % edge.size()];
    }
  }
  std::vector<int32_t> nnz(tokens, -1);
  std::vector<int64_t> counts(d_ff, 0);
  std::vector<uint64_t> unions(tokens * UnionWords(d_ff), 0);
  std::string error;
  ASSERT_TRUE(ActivationStatsCpuOnPath(GetParam(), h.data(), tokens, d_ff, 1,
                                       nnz.data(), counts.data(), unions.data(),
                                       &error))
      << error;
  std::vector<int32_t> want_nnz(tokens, 0);
  std::vector<int64_t> want_counts(d_ff, 0);
  std::vector<uint64_t> want_unions(tokens * UnionWords(d_ff), 0);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t j = 0; j < d_ff; ++j) {
      if (fires[(j + 5 * t) % fires.size()]) {
        ++want_nnz[t];
        ++want_counts[j];
        want_unions[t * UnionWords(d_ff) + j / 64] |= uint64_t{1} << (j % 64);
      }
    }
  }
  EXPECT_EQ(nnz, want_nnz);
  EXPECT_EQ(counts, want_counts);
  EXPECT_EQ(unions, want_unions);
}

INSTANTIATE_TEST_SUITE_P(Paths, ActivationStatsPathTest,
                         ::testing::Values(StatsPath::kPortable,
                                           StatsPath::kAvx2, StatsPath::kAuto),
                         [](const ::testing::TestParamInfo<StatsPath>& info) {
                           return PathName(info.param);
                         });

// Asking for AVX2 where it cannot run fails with a reason and leaves the
// outputs untouched, instead of silently running the portable path.
TEST(ActivationStatsCpuOnPath, Avx2RequestFailsClearlyWhereUnavailable) {
  if (std::string(ActivationStatsCpuPath()) == "avx2") {
    GTEST_SKIP() << "this CPU has AVX2; the failure case cannot occur here";
  }
  const float h = 1.0f;
  int32_t nnz = -1;
  int64_t count = 5;
  uint64_t bits = 0;
  std::string error;
  EXPECT_FALSE(ActivationStatsCpuOnPath(StatsPath::kAvx2, &h, 1, 1, 1, &nnz,
                                        &count, &bits, &error));
  EXPECT_NE(error.find("AVX2"), std::string::npos) << error;
  EXPECT_EQ(nnz, -1);
  EXPECT_EQ(count, 5);
  EXPECT_EQ(bits, 0u);
  EXPECT_FALSE(ActivationStatsCpuOnPath(StatsPath::kAvx2, &h, 1, 1, 1, &nnz,
                                        &count, &bits));  // error optional
}

}  // namespace
}  // namespace sparsity
