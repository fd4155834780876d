// Internal consistency of a results file, checked before anything is drawn:
// a file that parses can still be damaged (a flipped byte) or made by a bug.
//
//   absl::Status s = ValidateResults(results, "layerwise_sparsity.pb");
//
// Layer-wise sparsity: at least one run; in every run the config's sizes
// are positive and bounded, probes exist at strictly increasing steps (the
// same steps in every run, so curves can be averaged), each probe has one
// entry per layer in order, every density is finite and in [0, 1],
// p10 <= p50 <= p90, token density <= sequence union <= batch union, dead
// units within [0, d_ff], firing frequencies either absent or d_ff values in
// [0, 1], and every loss is finite. Neuron death: the same for its runs, a
// run of the reference variant, per-unit and per-step fields of d_ff units
// and train.steps steps with values in range, no raw history left,
// histograms holding every unit, deaths naming real layers, units and steps
// with ranks in [0, 1] (-1 without a window), and pruning curves of
// reference runs with rising thresholds and removals. Norm growth: the same
// run checks without sparsity probes, a run of the reference variant, norm
// points rising from step 0 to the last step (the variant's steps), group
// norms that make rho, update geometry on every point but the last, the
// three fits, similarities per layer at the configured scales in [-1, 1],
// and one entry per head with counts within the probe's context. Performance:
// samples exist and every timing is finite and positive. The error names the
// file, run, step and field.
#ifndef SPARSITY_REPORTS_VALIDATE_H_
#define SPARSITY_REPORTS_VALIDATE_H_

#include <string>

#include "absl/status/status.h"
#include "proto/results.pb.h"

namespace sparsity {

absl::Status ValidateResults(const Results& results,
                             const std::string& file_name);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_VALIDATE_H_
