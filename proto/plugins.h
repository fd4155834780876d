// What a run config says about [P]'s plug-in modules (models/block.h), for
// the experiment's checks and the report's labels, without building a model.
//
//   if (!HasPlugIns(run.config.model())) ...  // plain ReLU, no plug-ins
//   PlugInLabel(run.config.model());  // "JSReLU + zeroth bias (MLP input)"
#ifndef SPARSITY_PROTO_PLUGINS_H_
#define SPARSITY_PROTO_PLUGINS_H_

#include <string>

#include "proto/config.pb.h"

namespace sparsity {

// Any of: an activation other than ReLU, a zeroth bias, a restricted
// LayerNorm, an activation mix.
bool HasPlugIns(const ModelConfig& model);

// "ReLU" for none; else the modules joined by " + ", e.g. "JSReLU (mix over
// 150 steps) + zeroth bias (MLP output) + restricted LN (finetuning,
// U = 150)".
std::string PlugInLabel(const ModelConfig& model);

}  // namespace sparsity

#endif  // SPARSITY_PROTO_PLUGINS_H_
