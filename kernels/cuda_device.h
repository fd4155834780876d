// The CUDA device, for every CUDA kernel of the project: whether one is
// there, and CUDA error codes as messages. Plain C++ header (no CUDA types).
//
//   std::string why;
//   if (CudaDeviceCount(&why) == 0) { /* say why the CUDA path did not run */ }
#ifndef SPARSITY_KERNELS_CUDA_DEVICE_H_
#define SPARSITY_KERNELS_CUDA_DEVICE_H_

#include <string>

namespace sparsity {

// Number of usable CUDA devices; 0 (and *why set) when there is no driver or
// no GPU. Any CUDA error counts as "no device".
int CudaDeviceCount(std::string* why = nullptr);

// True for cudaSuccess (0); otherwise sets *error (when not null) to
// "<what>: <error name>: <error string>" and returns false. `cuda_error` is
// a cudaError_t.
bool CudaOk(int cuda_error, const char* what, std::string* error);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_CUDA_DEVICE_H_
