#include "train/config_validation.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "proto/config.pb.h"

namespace sparsity {
namespace {

TEST(ValidateFieldValues, AcceptsDefinedEnumsAndFiniteFloats) {
  NormGrowthConfig c;
  c.mutable_base()->mutable_optim()->set_optimizer(OptimConfig::SGD);
  c.mutable_base()->mutable_optim()->set_lr(1e-3f);
  c.add_similarity_scales(1);
  c.add_similarity_scales(std::numeric_limits<float>::max());
  EXPECT_TRUE(ValidateFieldValues(c).ok());
  EXPECT_TRUE(ValidateFieldValues(NormGrowthConfig()).ok());  // nothing set
}

TEST(ValidateFieldValues, NamesAnUndefinedEnumValue) {
  NormGrowthConfig c;
  c.mutable_base()->mutable_optim()->set_optimizer(
      static_cast<OptimConfig::Optimizer>(99));
  const absl::Status s = ValidateFieldValues(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "config field base.optim.optimizer is 99, which Optimizer does "
            "not define (ADAMW, SGD)");
}

TEST(ValidateFieldValues, NamesNanAndInfinityAtAnyDepth) {
  NormGrowthConfig c;
  c.add_similarity_scales(1);
  c.add_similarity_scales(std::numeric_limits<float>::infinity());
  EXPECT_EQ(ValidateFieldValues(c).message(),
            "config field similarity_scales[1] is inf: it must be a finite "
            "number (a float field holds at most 3.4e38)");
  NormGrowthConfig d;
  d.mutable_sweep()->add_variants()->set_name("a");
  d.mutable_sweep()->add_variants()->mutable_patch()->mutable_optim()->set_eps(
      std::nanf(""));
  EXPECT_NE(ValidateFieldValues(d).message().find(
                "config field sweep.variants[1].patch.optim.eps is nan"),
            std::string::npos)
      << ValidateFieldValues(d).message();
}

}  // namespace
}  // namespace sparsity
