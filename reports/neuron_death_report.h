// Report of experiment 2 (neuron_death): dead units per layer over training
// with a band over seeds, revivals, the aligned fade-out, firing histograms,
// one table per control (seeds, step size, outliers, no learning), the
// pruning curve, and a conclusion computed from the measurements.
//
//   Report r = NeuronDeathReport(results, "results/neuron_death.pb");
#ifndef SPARSITY_REPORTS_NEURON_DEATH_REPORT_H_
#define SPARSITY_REPORTS_NEURON_DEATH_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report NeuronDeathReport(const Results& results,
                         const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_NEURON_DEATH_REPORT_H_
