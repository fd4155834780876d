// A free TCP port on this machine, for a rendezvous of local processes
// (the --nproc launcher, data-parallel tests).
#ifndef SPARSITY_COMMON_LOCAL_PORT_H_
#define SPARSITY_COMMON_LOCAL_PORT_H_

#include "absl/status/statusor.h"

namespace sparsity {

// A TCP port on the loopback interface that was free a moment ago.
absl::StatusOr<int> FreeLocalPort();

}  // namespace sparsity

#endif  // SPARSITY_COMMON_LOCAL_PORT_H_
