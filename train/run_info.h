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

// Sets LibTorch's intra-op threads (0: all cores) and one inter-op thread;
// returns the number of intra-op threads in use.
int ConfigureThreads(int threads);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_RUN_INFO_H_
