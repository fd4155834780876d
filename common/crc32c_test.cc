#include "common/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// RFC 3720 (iSCSI), appendix B.4, and the classic check value.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, ContinuesAcrossPieces) {
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), Crc32c("123456789"));
}

TEST(Crc32c, MaskIsTfRecords) {
  // TFRecord: ((crc >> 15) | (crc << 17)) + 0xa282ead8, modulo 2^32.
  EXPECT_EQ(MaskCrc32c(0), 0xa282ead8u);
  EXPECT_EQ(MaskCrc32c(0xE3069283u),
            static_cast<uint32_t>(((0xE3069283u >> 15) | (0xE3069283u << 17)) +
                                  0xa282ead8u));
  EXPECT_EQ(MaskedCrc32c("123456789"), MaskCrc32c(0xE3069283u));
}

}  // namespace
}  // namespace sparsity
