// LibTorch's current CUDA stream on a device, as the stream the project's
// CUDA kernels launch on (kernels/cuda_device.h), without CUDA headers: the
// kernels then run in order with LibTorch's own work on that stream, also
// under a c10::cuda::CUDAStreamGuard.
#ifndef SPARSITY_MODELS_CUDA_STREAM_H_
#define SPARSITY_MODELS_CUDA_STREAM_H_

#include "c10/core/Device.h"
#include "c10/core/impl/DeviceGuardImplInterface.h"
#include "kernels/cuda_device.h"

namespace sparsity {

inline CudaStream CurrentCudaStream(const c10::Device& device) {
  const c10::Stream stream =
      c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->getStream(device);
  return static_cast<CudaStream>(stream.native_handle());
}

}  // namespace sparsity

#endif  // SPARSITY_MODELS_CUDA_STREAM_H_
