// The CUDA device, for every CUDA kernel of the project: whether one is
// there, and CUDA error codes as messages. Plain C++ header (no CUDA types).
//
//   std::string why;
//   if (CudaDeviceCount(&why) == 0) { /* say why the CUDA path did not run */ }
#ifndef SPARSITY_KERNELS_CUDA_DEVICE_H_
#define SPARSITY_KERNELS_CUDA_DEVICE_H_

#include <cstddef>
#include <string>

// A cudaStream_t (the type cudaStream_t names) for headers without CUDA
// types; nullptr is the legacy default stream. The device-pointer kernels
// take the stream to launch on: LibTorch's current stream when called from
// an op (models/cuda_stream.h).
struct CUstream_st;
using CudaStream = CUstream_st*;

namespace sparsity {

// Number of usable CUDA devices; 0 (and *why set) when there is no driver or
// no GPU. Any CUDA error counts as "no device".
int CudaDeviceCount(std::string* why = nullptr);

// True for cudaSuccess (0); otherwise sets *error (when not null) to
// "<what>: <error name>: <error string>" and returns false. `cuda_error` is
// a cudaError_t.
bool CudaOk(int cuda_error, const char* what, std::string* error);

// For the kernels' host-pointer conveniences (*FromHost): true when a device
// is there, else false with *error "no CUDA device (<why>)".
bool HaveCudaDevice(std::string* error);

// Allocates `bytes` on the device (at least one byte, so that empty inputs
// get a valid pointer) and copies `bytes` from `host` unless it is null.
// On failure *device is still safe to pass to CudaFree.
bool CudaAllocCopy(const void* host, size_t bytes, void** device,
                   std::string* error);

// Waits for the kernels launched so far (reporting their errors as `what`),
// then copies `bytes` from the device to `host`.
bool CudaSyncCopyToHost(void* host, const void* device, size_t bytes,
                        const char* what, std::string* error);

// cudaFree; null is fine.
void CudaFree(void* device);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_CUDA_DEVICE_H_
