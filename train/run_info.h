// Provenance of a run, recorded in every results file: git revision, machine,
// library versions, threads, command line and start time.
//
//   RunInfo info = CollectRunInfo("layerwise_sparsity", "default",
//                                 QuotedCommandLine(argc, argv));
#ifndef SPARSITY_TRAIN_RUN_INFO_H_
#define SPARSITY_TRAIN_RUN_INFO_H_

#include <string>

#include "proto/results.pb.h"

namespace sparsity {

// `command_line`: the whole command as typed (common/cli.h), recorded before
// flag parsing removes the flags from argv.
RunInfo CollectRunInfo(const std::string& experiment, const std::string& preset,
                       const std::string& command_line);

struct ThreadSettings {
  int threads = 1;              // cores asked for (0 in the config: all cores)
  int torch_threads = 1;        // LibTorch intra-op (OpenMP) threads
  int blas_threads = 0;         // OpenBLAS threads (0: no OpenBLAS loaded)
  bool openmp_passive = false;  // OMP_WAIT_POLICY=PASSIVE in effect
};

// Uses `threads` cores (0: all) for LibTorch's intra-op pool, with one
// inter-op thread. The pip LibTorch carries MKL built into libtorch_cpu,
// threaded by the same OpenMP pool, so the matmuls and LibTorch's own
// parallel regions share one set of threads (with Debian's LibTorch 1.13,
// OpenBLAS ran its own threads, which spinning OpenMP workers starved; that
// needed OMP_WAIT_POLICY=PASSIVE and a restart, no longer done). A BLAS
// that brings its own threads (OpenBLAS in a user's LibTorch) gets `threads`
// too.
//
// Memory: the binaries link jemalloc, configured to keep freed pages
// (third_party/jemalloc_conf.cc).
ThreadSettings ConfigureCpu(int threads);

// Copies `settings` into the thread fields of `info`.
void RecordThreadSettings(const ThreadSettings& settings, RunInfo* info);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_RUN_INFO_H_
