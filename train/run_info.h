// Provenance of a run, recorded in every results file: git revision, machine,
// library versions, threads, command line and start time.
//
//   RunInfo info = CollectRunInfo("layerwise_sparsity", "default", seed, argc,
//   argv);
#ifndef SPARSITY_TRAIN_RUN_INFO_H_
#define SPARSITY_TRAIN_RUN_INFO_H_

#include <string>

#include "proto/results.pb.h"

namespace sparsity {

RunInfo CollectRunInfo(const std::string& experiment, const std::string& preset,
                       int64_t seed, int argc, char** argv);

struct ThreadSettings {
  int threads = 1;        // cores asked for (0 in the config: all cores)
  int torch_threads = 1;  // LibTorch intra-op threads
  int blas_threads = 0;   // OpenBLAS threads (0: OpenBLAS not loaded)
};

// Uses `threads` cores (0: all). With OpenBLAS loaded, the cores go to
// OpenBLAS and LibTorch runs one intra-op thread: both pools at N threads
// oversubscribe the cores (measured on the default LM, 2 cores: 5.1k tok/s
// with 2+2 threads, 9.8k with 1 LibTorch + 2 OpenBLAS threads), because the
// matmuls, which dominate, are OpenBLAS calls made from LibTorch's pool.
// Without OpenBLAS, LibTorch gets the cores. One inter-op thread either way.
ThreadSettings ConfigureThreads(int threads);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_RUN_INFO_H_
