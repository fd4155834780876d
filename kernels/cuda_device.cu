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

bool HaveCudaDevice(std::string* error) {
  std::string why;
  if (CudaDeviceCount(&why) > 0) return true;
  if (error) *error = "no CUDA device (" + why + ")";
  return false;
}

bool CudaAllocCopy(const void* host, size_t bytes, void** device,
                   std::string* error) {
  *device = nullptr;
  return CudaOk(cudaMalloc(device, bytes > 0 ? bytes : 1), "cudaMalloc",
                error) &&
         (host == nullptr || bytes == 0 ||
          CudaOk(cudaMemcpy(*device, host, bytes, cudaMemcpyHostToDevice),
                 "cudaMemcpy", error));
}

bool CudaSyncCopyToHost(void* host, const void* device, size_t bytes,
                        const char* what, std::string* error) {
  return CudaOk(cudaDeviceSynchronize(), what, error) &&
         (bytes == 0 ||
          CudaOk(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost),
                 "cudaMemcpy", error));
}

void CudaFree(void* device) {
  if (device != nullptr) cudaFree(device);
}

}  // namespace sparsity
