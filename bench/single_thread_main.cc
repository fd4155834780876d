// main() of the kernel benchmarks (Google Benchmark): the kernel and the
// LibTorch expression it replaces both run on one thread, so their ratio
// compares the code, not the thread pools.
#include "benchmark/benchmark.h"
#include "torch/torch.h"

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
