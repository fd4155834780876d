#include "data/lm_data.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/paths.h"
#include "data/brown_corpus.h"
#include "data/byte_tokenizer.h"
#include "data/word_vocabulary.h"

namespace sparsity {
namespace {

// Independent streams derived from one seed.
constexpr uint64_t kTrainOrderStream = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kProbeStream = 0xc2b2ae3d27d4eb4fULL;
constexpr uint64_t kTrainProbeStream = 0x165667b19e3779f9ULL;

}  // namespace

absl::StatusOr<LmData> MakeLmData(const DataConfig& data,
                                  const ProbeConfig& probe, int64_t vocab_size,
                                  uint64_t data_seed) {
  LmData out;
  const int64_t probe_sequences = probe.batch_tokens() / probe.seq_len();
  if (data.source() == DataConfig::RANDOM_TOKENS) {
    out.train = std::make_unique<RandomTokenSource>(
        vocab_size, data.seq_len(), data.batch_size(),
        data_seed ^ kTrainOrderStream);
    out.probe = RandomTokenSource(vocab_size, probe.seq_len(), probe_sequences,
                                  data.split_seed() ^ kProbeStream)
                    .Next();
    out.train_probe =
        RandomTokenSource(vocab_size, probe.seq_len(), probe_sequences,
                          data.split_seed() ^ kTrainProbeStream)
            .Next();
    return out;
  }
  if (data.source() != DataConfig::BROWN) {
    return absl::InvalidArgumentError(
        "data.source must be BROWN or RANDOM_TOKENS");
  }
  const bool words = data.tokenizer() == DataConfig::WORDS;
  if (!words && vocab_size < ByteTokenizer::kVocabSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.vocab_size must be at least ", ByteTokenizer::kVocabSize,
        " for the byte-level Brown corpus, got ", vocab_size));
  }
  out.corpus_dir = data.corpus_dir().empty()
                       ? DefaultBrownCorpusDir()
                       : ResolveUserPath(data.corpus_dir());
  absl::StatusOr<std::vector<BrownDocument>> docs =
      ReadBrownCorpus(out.corpus_dir);
  if (!docs.ok()) return docs.status();
  const DocumentSplit split =
      SplitDocuments(docs->size(), data.heldout_fraction(), data.split_seed());
  std::optional<WordVocabulary> vocab;
  if (words) {
    std::vector<std::string_view> train_texts;
    for (int64_t i : split.train) train_texts.push_back((*docs)[i].text);
    absl::StatusOr<WordVocabulary> built =
        WordVocabulary::Build(train_texts, vocab_size);
    if (!built.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("model.vocab_size: ", built.status().message()));
    }
    vocab = *std::move(built);
    out.vocabulary_size = vocab->size();
    out.distinct_training_words = vocab->distinct_training_words();
  }
  auto encode = [&](const std::string& text) {
    return words ? vocab->Encode(text) : ByteTokenizer::Encode(text);
  };
  std::vector<TokenDocument> train_docs, heldout_docs;
  for (int64_t i : split.train) {
    train_docs.push_back(encode((*docs)[i].text));
    out.train_tokens += static_cast<int64_t>(train_docs.back().size());
  }
  for (int64_t i : split.heldout) {
    heldout_docs.push_back(encode((*docs)[i].text));
  }
  if (words) {
    out.train_unknown_fraction =
        static_cast<double>(vocab->Count(WordVocabulary::kUnknownId)) /
        static_cast<double>(std::max<int64_t>(out.train_tokens, 1));
  }
  out.train_documents = static_cast<int64_t>(train_docs.size());
  out.heldout_documents = static_cast<int64_t>(heldout_docs.size());
  out.heldout_indices = split.heldout;

  auto train =
      SequenceBatcher::Create(train_docs, data.seq_len(), data.batch_size(),
                              data_seed ^ kTrainOrderStream);
  if (!train.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("training data: ", train.status().message()));
  }
  out.train = *std::move(train);
  // The probe batch is fixed by the split alone (not the run's seed), so runs
  // with different seeds are measured on the same tokens.
  auto probe_source =
      SequenceBatcher::Create(heldout_docs, probe.seq_len(), probe_sequences,
                              data.split_seed() ^ kProbeStream);
  if (!probe_source.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "probe batch (held-out documents): ", probe_source.status().message(),
        "; raise data.heldout_fraction or lower probe.batch_tokens"));
  }
  out.probe = (*probe_source)->Next();
  auto train_probe_source =
      SequenceBatcher::Create(train_docs, probe.seq_len(), probe_sequences,
                              data.split_seed() ^ kTrainProbeStream);
  if (!train_probe_source.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe batch (training documents): ",
                     train_probe_source.status().message()));
  }
  out.train_probe = (*train_probe_source)->Next();
  if (words) {
    // Inputs and targets overlap in all but one position; count the targets
    // (the tokens the probe's loss is measured on).
    out.probe_unknown_fraction =
        out.probe.targets.eq(WordVocabulary::kUnknownId)
            .to(torch::kDouble)
            .mean()
            .item<double>();
  }
  return out;
}

}  // namespace sparsity
