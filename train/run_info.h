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
  int blas_threads = 0;         // OpenBLAS threads (0: OpenBLAS not loaded)
  bool openmp_passive = false;  // OMP_WAIT_POLICY=PASSIVE in effect
};

// Restarts this program (execv of /proc/self/exe with the same argv) with
// OMP_WAIT_POLICY=PASSIVE unless that variable is already set. libgomp reads
// it when it loads, before main(), so it cannot be set later. Call first
// thing in main().
void ReexecWithPassiveOpenMp(char** argv);

// Uses `threads` cores (0: all) for both LibTorch's intra-op pool and
// OpenBLAS, with one inter-op thread. The matmuls are OpenBLAS calls made
// between LibTorch's parallel regions: OpenMP workers that spin after a
// region (libgomp's default) steal the cores from OpenBLAS's threads. On the
// default LM, 2 cores, 20 steps: 14.3 s with both pools at 2 and spinning
// workers, 7.3 s with LibTorch at 1 thread, 7.0 s with both at 2 and
// OMP_WAIT_POLICY=PASSIVE. So with OpenBLAS and passive OpenMP both pools get
// every core; with OpenBLAS and spinning OpenMP, LibTorch gets one thread.
//
// Memory: the binaries link jemalloc, configured to keep freed pages
// (third_party/jemalloc_conf.cc).
ThreadSettings ConfigureCpu(int threads);

// Copies `settings` into the thread fields of `info`.
void RecordThreadSettings(const ThreadSettings& settings, RunInfo* info);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_RUN_INFO_H_
