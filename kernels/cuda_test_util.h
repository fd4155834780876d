// For the CUDA kernels' tests: whether a test must skip because no GPU is
// there, saying so on stdout so that a skipped CUDA path is never silent.
//
//   if (NoCudaDevice()) GTEST_SKIP() << "no CUDA device";
#ifndef SPARSITY_KERNELS_CUDA_TEST_UTIL_H_
#define SPARSITY_KERNELS_CUDA_TEST_UTIL_H_

#include <iostream>
#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

inline bool NoCudaDevice() {
  std::string why;
  if (CudaDeviceCount(&why) > 0) return false;
  std::cout << "SKIPPED: no CUDA device here (" << why
            << "); the CUDA kernel was not run\n";
  return true;
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_CUDA_TEST_UTIL_H_
