// Byte-level tokenizer: one token per byte, vocabulary of 256. No unknown
// tokens and no training, so every run sees the same vocabulary.
//
//   std::vector<uint8_t> ids = ByteTokenizer::Encode("hello");
//   std::string text = ByteTokenizer::Decode(ids);
#ifndef SPARSITY_DATA_BYTE_TOKENIZER_H_
#define SPARSITY_DATA_BYTE_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparsity {

class ByteTokenizer {
 public:
  static constexpr int kVocabSize = 256;

  static std::vector<uint8_t> Encode(std::string_view text) {
    return std::vector<uint8_t>(text.begin(), text.end());
  }
  static std::string Decode(const std::vector<uint8_t>& ids) {
    return std::string(ids.begin(), ids.end());
  }
};

}  // namespace sparsity

#endif  // SPARSITY_DATA_BYTE_TOKENIZER_H_
