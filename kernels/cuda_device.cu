#include <cuda_runtime.h>

#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

int CudaDeviceCount(std::string* why) {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    if (why) {
      *why =
          std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err);
    }
    return 0;
  }
  if (n == 0 && why) *why = "no CUDA device";
  return n;
}

bool CudaOk(int cuda_error, const char* what, std::string* error) {
  if (cuda_error == cudaSuccess) return true;
  const cudaError_t err = static_cast<cudaError_t>(cuda_error);
  if (error) {
    *error = std::string(what) + ": " + cudaGetErrorName(err) + ": " +
             cudaGetErrorString(err);
  }
  return false;
}

}  // namespace sparsity
