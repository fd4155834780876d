// CRC-32C (Castagnoli), as TFRecord framing (train/tensorboard.h) and
// checksummed files need it.
//
//   uint32_t crc = Crc32c("123456789");        // 0xE3069283
//   uint32_t framed = MaskedCrc32c(data);      // TFRecord's masked form
#ifndef SPARSITY_COMMON_CRC32C_H_
#define SPARSITY_COMMON_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace sparsity {

// The CRC-32C of `data` continued from `crc` (0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

// TFRecord's mask of a CRC-32C (rotate right by 15, add 0xa282ead8), so
// that a CRC of bytes holding CRCs stays well distributed.
inline uint32_t MaskCrc32c(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
inline uint32_t MaskedCrc32c(std::string_view data) {
  return MaskCrc32c(Crc32c(data));
}

}  // namespace sparsity

#endif  // SPARSITY_COMMON_CRC32C_H_
