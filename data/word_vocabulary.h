// Word-level vocabulary for the Brown corpus, built from the training
// documents only: the (size - 1) most frequent words plus one unknown token.
//
//   WordVocabulary vocab = *WordVocabulary::Build(train_texts, 4096);
//   std::vector<int32_t> ids = vocab.Encode("The jury said .");
//   vocab.Word(ids[0]);        // "The"
//   vocab.Word(0);             // "<unk>": every word outside the vocabulary
//
// Words are the whitespace-separated tokens of the text, case kept (the
// Brown files already separate punctuation into its own tokens). Id 0 is
// the unknown token; ids 1, 2, ... are the kept words by descending count in
// the training texts, ties broken by the byte-wise smaller word first, so
// the vocabulary depends only on the training documents and never on their
// order. Held-out text is encoded with the same vocabulary: a word that
// occurs only in held-out documents is unknown.
#ifndef SPARSITY_DATA_WORD_VOCABULARY_H_
#define SPARSITY_DATA_WORD_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace sparsity {

class WordVocabulary {
 public:
  static constexpr int32_t kUnknownId = 0;
  static constexpr std::string_view kUnknownWord = "<unk>";

  // `size` counts the unknown token: at least 2. When the training texts
  // hold fewer distinct words than size - 1, all of them are kept and
  // size() is smaller than asked.
  static absl::StatusOr<WordVocabulary> Build(
      const std::vector<std::string_view>& training_texts, int64_t size);

  // The whitespace-separated words of `text`, in order.
  static std::vector<std::string_view> Split(std::string_view text);

  std::vector<int32_t> Encode(std::string_view text) const;
  int32_t Id(std::string_view word) const;  // kUnknownId when not kept
  const std::string& Word(int32_t id) const { return words_.at(id); }
  // Occurrences in the training texts (for <unk>: of all words not kept).
  int64_t Count(int32_t id) const { return counts_.at(id); }
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  // Distinct words in the training texts (kept or not).
  int64_t distinct_training_words() const { return distinct_; }

 private:
  WordVocabulary() = default;

  std::vector<std::string> words_;  // by id; words_[0] = "<unk>"
  std::vector<int64_t> counts_;     // by id
  absl::flat_hash_map<std::string, int32_t> ids_;
  int64_t distinct_ = 0;
};

}  // namespace sparsity

#endif  // SPARSITY_DATA_WORD_VOCABULARY_H_
