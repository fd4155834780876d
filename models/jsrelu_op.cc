#include "models/jsrelu_op.h"

#include <string>

#include "c10/core/DeviceGuard.h"
#include "kernels/jsrelu.h"
#include "kernels/jsrelu_cuda.h"
#include "models/cuda_stream.h"

namespace sparsity {
namespace {

// Entries per task of at::parallel_for (as LibTorch's own elementwise ops).
constexpr int64_t kGrain = 1 << 15;

void CheckType(const torch::Tensor& x) {
  TORCH_CHECK(
      x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble,
      "JsRelu takes float32 or float64, got ", x.scalar_type());
}

// CUDA tensors run the CUDA kernels on their device, on LibTorch's current
// stream; there is no copy to the host.
torch::Tensor ForwardCuda(const torch::Tensor& x, double mix) {
  const c10::DeviceGuard guard(x.device());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  std::string error;
  bool ok = true;
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "JsReluCuda", [&] {
    ok = JsReluCuda(in.data_ptr<scalar_t>(), in.numel(), mix,
                    out.data_ptr<scalar_t>(), &error,
                    CurrentCudaStream(x.device()));
  });
  TORCH_CHECK(ok, "JsRelu on ", x.device(), ": ", error);
  return out;
}

torch::Tensor BackwardCuda(const torch::Tensor& x, const torch::Tensor& grad,
                           double mix) {
  const c10::DeviceGuard guard(x.device());
  const torch::Tensor xc = x.detach().contiguous();
  const torch::Tensor g = grad.detach().to(x.scalar_type()).contiguous();
  torch::Tensor grad_x = torch::empty_like(xc);
  std::string error;
  bool ok = true;
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "JsReluBackwardCuda", [&] {
    ok = JsReluBackwardCuda(xc.data_ptr<scalar_t>(), g.data_ptr<scalar_t>(),
                            xc.numel(), mix, grad_x.data_ptr<scalar_t>(),
                            &error, CurrentCudaStream(x.device()));
  });
  TORCH_CHECK(ok, "JsRelu backward on ", x.device(), ": ", error);
  return grad_x;
}

torch::Tensor Forward(const torch::Tensor& x, double mix) {
  CheckType(x);
  if (x.is_cuda()) return ForwardCuda(x, mix);
  TORCH_CHECK(x.is_cpu(), "JsRelu runs on CPU or CUDA, got ", x.device());
  const torch::Tensor in = x.contiguous();
  torch::Tensor out = torch::empty_like(in);
  AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "JsRelu", [&] {
    const scalar_t* src = in.data_ptr<scalar_t>();
    scalar_t* dst = out.data_ptr<scalar_t>();
    at::parallel_for(0, in.numel(), kGrain, [&](int64_t begin, int64_t end) {
      JsReluCpu(src + begin, end - begin, mix, dst + begin);
    });
  });
  return out;
}

class JsReluFunction : public torch::autograd::Function<JsReluFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx,
                               const torch::Tensor& x, double mix) {
    ctx->save_for_backward({x});
    ctx->saved_data["mix"] = mix;
    return Forward(x, mix);
  }

  static torch::autograd::variable_list backward(
      torch::autograd::AutogradContext* ctx,
      torch::autograd::variable_list grad_outputs) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    const double mix = ctx->saved_data["mix"].toDouble();
    return {JsReluBackward(x, grad_outputs[0], mix), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor JsRelu(const torch::Tensor& x, double mix) {
  return JsReluFunction::apply(x, mix);
}

torch::Tensor JsReluBackward(const torch::Tensor& x, const torch::Tensor& grad,
                             double mix) {
  CheckType(x);
  TORCH_CHECK(x.sizes() == grad.sizes(), "JsReluBackward: x ", x.sizes(),
              " and grad ", grad.sizes(), " differ in shape");
  if (x.is_cuda()) return BackwardCuda(x, grad, mix);
  const torch::Tensor xc = x.detach().contiguous();
  const torch::Tensor g = grad.detach().to(x.scalar_type()).contiguous();
  torch::Tensor grad_x = torch::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "JsReluBackward", [&] {
    const scalar_t* xs = xc.data_ptr<scalar_t>();
    const scalar_t* gs = g.data_ptr<scalar_t>();
    scalar_t* out = grad_x.data_ptr<scalar_t>();
    at::parallel_for(0, xc.numel(), kGrain, [&](int64_t begin, int64_t end) {
      JsReluBackwardCpu(xs + begin, gs + begin, end - begin, mix, out + begin);
    });
  });
  return grad_x;
}

}  // namespace sparsity
