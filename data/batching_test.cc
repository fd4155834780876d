#include "data/batching.h"

#include <set>

#include "data/byte_tokenizer.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(ByteTokenizer, RoundTrip) {
  const std::string text = "caf\xc3\xa9 \n\t~";
  EXPECT_EQ(ByteTokenizer::Decode(ByteTokenizer::Encode(text)), text);
  EXPECT_EQ(ByteTokenizer::Encode("A")[0], 65);
  EXPECT_EQ(ByteTokenizer::Encode("\xc3")[0],
            195);  // bytes >= 128 stay positive
}

TEST(SplitDocuments, DisjointCompleteAndSeeded) {
  DocumentSplit a = SplitDocuments(500, 0.1, 1);
  DocumentSplit b = SplitDocuments(500, 0.1, 1);
  DocumentSplit c = SplitDocuments(500, 0.1, 2);
  EXPECT_EQ(a.heldout.size(), 50u);
  EXPECT_EQ(a.train.size(), 450u);
  std::set<int64_t> all(a.train.begin(), a.train.end());
  all.insert(a.heldout.begin(), a.heldout.end());
  EXPECT_EQ(all.size(), 500u);
  EXPECT_EQ(a.heldout, b.heldout);
  EXPECT_NE(a.heldout, c.heldout);
  EXPECT_EQ(SplitDocuments(3, 0.01, 0).heldout.size(), 1u);
}

std::vector<TokenDocument> Docs() {
  // doc 0: 0..9 (10 tokens), doc 1: 100..106 (7 tokens)
  TokenDocument d0, d1;
  for (int i = 0; i < 10; ++i) d0.push_back(i);
  for (int i = 100; i < 107; ++i) d1.push_back(i);
  return {d0, d1};
}

TEST(SequenceBatcher, WindowsNeverCrossDocuments) {
  // seq_len 3 -> windows of 4 at stride 3: doc0 {0-3, 3-6, 6-9}, doc1 {100-103,
  // 103-106}
  auto batcher = SequenceBatcher::Create(Docs(), 3, 5, 0);
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  EXPECT_EQ((*batcher)->num_windows(), 5);
  torch::Tensor batch = (*batcher)->NextWindows();
  EXPECT_EQ(batch.sizes(), (std::vector<int64_t>{5, 4}));
  std::set<int64_t> firsts;
  for (int b = 0; b < 5; ++b) {
    const int64_t first = batch[b][0].item<int64_t>();
    firsts.insert(first);
    for (int j = 1; j < 4; ++j) {
      EXPECT_EQ(batch[b][j].item<int64_t>(), first + j);  // contiguous
    }
  }
  EXPECT_EQ(firsts, (std::set<int64_t>{0, 3, 6, 100, 103}));  // each once
}

TEST(SequenceBatcher, SeededOrder) {
  auto a = SequenceBatcher::Create(Docs(), 2, 2, 5).value();
  auto b = SequenceBatcher::Create(Docs(), 2, 2, 5).value();
  bool differs_from_other_seed = false;
  auto c = SequenceBatcher::Create(Docs(), 2, 2, 6).value();
  torch::manual_seed(123);  // the global torch RNG does not matter
  for (int i = 0; i < 10; ++i) {
    torch::Tensor x = a->NextWindows(), y = b->NextWindows(),
                  z = c->NextWindows();
    EXPECT_TRUE(torch::equal(x, y));
    differs_from_other_seed |= !torch::equal(x, z);
    torch::rand({3});
  }
  EXPECT_TRUE(differs_from_other_seed);
  EXPECT_GT(a->epoch(), 0);
}

TEST(SequenceBatcher, SkipLandsWhereNextWould) {
  // Across several epochs (5 windows, batches of 2): skipping k batches then
  // reading gives the batches an uninterrupted reader gets after k.
  for (int64_t k : {0, 1, 2, 3, 7, 11}) {
    auto a = SequenceBatcher::Create(Docs(), 2, 2, 9).value();
    auto b = SequenceBatcher::Create(Docs(), 2, 2, 9).value();
    for (int64_t i = 0; i < k; ++i) a->Next();
    b->Skip(k);
    EXPECT_EQ(a->epoch(), b->epoch()) << k;
    for (int i = 0; i < 6; ++i) {
      Batch x = a->Next(), y = b->Next();
      EXPECT_TRUE(torch::equal(x.inputs, y.inputs)) << k;
      EXPECT_TRUE(torch::equal(x.targets, y.targets)) << k;
    }
  }
}

TEST(SequenceBatcher, NextSplitsWindowsIntoInputsAndTargets) {
  auto a = SequenceBatcher::Create(Docs(), 2, 2, 5).value();
  auto b = SequenceBatcher::Create(Docs(), 2, 2, 5).value();
  torch::Tensor w = a->NextWindows();
  Batch batch = b->Next();
  EXPECT_TRUE(torch::equal(batch.inputs, w.slice(1, 0, 2)));
  EXPECT_TRUE(torch::equal(batch.targets, w.slice(1, 1, 3)));
}

TEST(SequenceBatcher, TooFewWindowsIsAnError) {
  auto batcher = SequenceBatcher::Create(Docs(), 3, 6, 0);
  EXPECT_EQ(batcher.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(SequenceBatcher::Create(Docs(), 0, 1, 0).ok());
}

TEST(RandomTokenSource, UniformInRangeAndSeeded) {
  RandomTokenSource a(7, 63, 64, 1), b(7, 63, 64, 1);
  torch::Tensor x = a.NextWindows();
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_TRUE(torch::equal(x, b.NextWindows()));
  EXPECT_FALSE(torch::equal(x, a.NextWindows()));  // never repeats
  EXPECT_EQ(x.min().item<int64_t>(), 0);
  EXPECT_EQ(x.max().item<int64_t>(), 6);
  // Each of 7 values ~ 4096/7 = 585 times.
  torch::Tensor counts = torch::bincount(x.flatten());
  EXPECT_GT(counts.min().item<int64_t>(), 450);
}

}  // namespace
}  // namespace sparsity
