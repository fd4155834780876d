#include "models/topk_relu_op.h"

#include <string>

#include "c10/core/DeviceGuard.h"
#include "kernels/topk_relu.h"
#include "kernels/topk_relu_cuda.h"
#include "models/cuda_stream.h"

namespace sparsity {
namespace {

// Rows per task of at::parallel_for: a row of d_ff = 256 takes ~1 us.
constexpr int64_t kGrainRows = 64;

// A CUDA tensor runs the CUDA kernel on its device, on LibTorch's current
// stream; there is no copy to the host.
torch::Tensor ForwardCuda(const torch::Tensor& x, int64_t k) {
  const c10::DeviceGuard guard(x.device());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  const int64_t d = in.size(-1);
  const int64_t rows = d == 0 ? 0 : in.numel() / d;
  std::string error;
  bool ok = true;
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "TopkReluCuda", [&] {
    ok = TopkReluCuda(in.data_ptr<scalar_t>(), rows, d, k,
                      out.data_ptr<scalar_t>(), &error,
                      CurrentCudaStream(x.device()));
  });
  TORCH_CHECK(ok, "TopkRelu on ", x.device(), ": ", error);
  return out;
}

torch::Tensor BackwardCuda(const torch::Tensor& y,
                           const torch::Tensor& grad_y) {
  const c10::DeviceGuard guard(y.device());
  const torch::Tensor yc = y.contiguous();
  const torch::Tensor g = grad_y.to(y.scalar_type()).contiguous();
  torch::Tensor grad_x = torch::empty_like(yc);
  std::string error;
  bool ok = true;
  AT_DISPATCH_FLOATING_TYPES(yc.scalar_type(), "TopkReluBackwardCuda", [&] {
    ok = TopkReluBackwardCuda(yc.data_ptr<scalar_t>(), g.data_ptr<scalar_t>(),
                              yc.numel(), grad_x.data_ptr<scalar_t>(), &error,
                              CurrentCudaStream(y.device()));
  });
  TORCH_CHECK(ok, "TopkRelu backward on ", y.device(), ": ", error);
  return grad_x;
}

torch::Tensor Forward(const torch::Tensor& x, int64_t k) {
  TORCH_CHECK(x.dim() >= 1, "TopkRelu needs at least one dimension");
  TORCH_CHECK(k >= 1, "TopkRelu needs k >= 1, got ", k);
  TORCH_CHECK(
      x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble,
      "TopkRelu takes float32 or float64, got ", x.scalar_type());
  if (x.is_cuda()) return ForwardCuda(x, k);
  TORCH_CHECK(x.is_cpu(), "TopkRelu runs on CPU or CUDA, got ", x.device());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  const int64_t d = in.size(-1);
  const int64_t rows = d == 0 ? 0 : in.numel() / d;
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "TopkRelu", [&] {
    const scalar_t* src = in.data_ptr<scalar_t>();
    scalar_t* dst = out.data_ptr<scalar_t>();
    at::parallel_for(0, rows, kGrainRows, [&](int64_t begin, int64_t end) {
      TopkReluCpu(src + begin * d, end - begin, d, k, dst + begin * d);
    });
  });
  return out;
}

torch::Tensor Backward(const torch::Tensor& y, const torch::Tensor& grad_y) {
  if (y.is_cuda()) return BackwardCuda(y, grad_y);
  const torch::Tensor g = grad_y.to(y.scalar_type()).contiguous();
  const torch::Tensor yc = y.contiguous();
  torch::Tensor grad_x = torch::empty_like(yc);
  AT_DISPATCH_FLOATING_TYPES(yc.scalar_type(), "TopkReluBackward", [&] {
    const scalar_t* ys = yc.data_ptr<scalar_t>();
    const scalar_t* gs = g.data_ptr<scalar_t>();
    scalar_t* out = grad_x.data_ptr<scalar_t>();
    at::parallel_for(0, yc.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
      TopkReluBackwardCpu(ys + begin, gs + begin, end - begin, out + begin);
    });
  });
  return grad_x;
}

class TopkReluFunction : public torch::autograd::Function<TopkReluFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                               const torch::Tensor& x, int64_t k) {
    torch::Tensor y = Forward(x, k);
    ctx->save_for_backward({y});
    return y;
  }

  static torch::autograd::variable_list backward(
      torch::autograd::AutogradContext* ctx,
      torch::autograd::variable_list grad_outputs) {
    const torch::Tensor y = ctx->get_saved_variables()[0];
    return {Backward(y, grad_outputs[0]), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor TopkRelu(const torch::Tensor& x, int64_t k) {
  return TopkReluFunction::apply(x, k);
}

}  // namespace sparsity
