// Experiment presets (smoke, default, paper), embedded into the binaries from
// experiments/configs/<experiment>/<preset>.textproto at build time, so a
// binary runs from anywhere without its source tree.
#ifndef SPARSITY_EXPERIMENTS_PRESETS_H_
#define SPARSITY_EXPERIMENTS_PRESETS_H_

#include <map>
#include <string>

namespace sparsity {

// "<experiment>/<preset>" -> textproto of the experiment's config message.
const std::map<std::string, std::string>& EmbeddedPresets();

}  // namespace sparsity

#endif  // SPARSITY_EXPERIMENTS_PRESETS_H_
