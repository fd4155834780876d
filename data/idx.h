// IDX files, the format of (Fashion-)MNIST: a 4-byte magic number (two zero
// bytes, the element type, the number of dimensions), one big-endian uint32
// size per dimension, then the elements in row-major order.
//
//   absl::StatusOr<IdxArray> labels = ReadIdx("train-labels-idx1-ubyte.gz");
//   labels->dims;    // {60000}
//   labels->data;    // 60000 bytes
//
// Gzipped files are read transparently (by zlib; an uncompressed file reads
// as is). Only unsigned bytes (type 0x08) are supported. Every inconsistency
// is one error naming the file: a wrong magic number, a zero size, data
// shorter (truncated) or longer than the sizes say, or a corrupt gzip stream.
#ifndef SPARSITY_DATA_IDX_H_
#define SPARSITY_DATA_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sparsity {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) elements
};

absl::StatusOr<IdxArray> ReadIdx(const std::string& path);

// The bytes of an IDX file of unsigned bytes with these dims and data (for
// tests and tools; not gzipped).
std::string EncodeIdx(const std::vector<int64_t>& dims,
                      const std::vector<uint8_t>& data);

}  // namespace sparsity

#endif  // SPARSITY_DATA_IDX_H_
