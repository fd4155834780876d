#include "reports/claims.h"

#include <set>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(PaperClaims, UniqueIdsCoveringTheFourPapers) {
  std::set<std::string> ids;
  std::set<char> papers;
  for (const ClaimSpec& c : PaperClaims()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    papers.insert(c.id[0]);
  }
  EXPECT_EQ(papers, (std::set<char>{'L', 'M', 'P', 'W'}));
  EXPECT_GE(PaperClaims().size(), 20u);
}

TEST(ScorecardMarkdown, MeasuredRowsAndPending) {
  Comparison c{"W1.mean",
               "falls",
               Claimed::kNegative,
               {-0.30, -0.31, -0.29, -0.30, -0.32}};
  c.scale = 100;
  c.unit = "points";
  ClaimRow row{"W1", "final - initial", Decide({c})[0], "short runs"};
  const std::string md = ScorecardMarkdown({row});
  EXPECT_NE(md.find("| W1 |"), std::string::npos);
  EXPECT_NE(md.find("-30.4 points (-31.8 to -29.0)"), std::string::npos) << md;
  EXPECT_NE(md.find("**supports**"), std::string::npos);
  EXPECT_NE(md.find("short runs"), std::string::npos);
  // Every other claim is pending: one line each.
  size_t pending = 0;
  for (size_t at = md.find("pending"); at != std::string::npos;
       at = md.find("pending", at + 1)) {
    ++pending;
  }
  EXPECT_EQ(pending, PaperClaims().size() - 1);
}

TEST(VerdictTable, CountsTheFamily) {
  std::vector<Comparison> family(3);
  family[0] = {"a", "x", Claimed::kPositive, {1, 1.1, 0.9, 1.2, 1}};
  family[1] = {"b", "y", Claimed::kPositive, {1, 2}};  // too few seeds
  family[2] = {"c", "z", Claimed::kPositive, {1, 1, 1, 1, 1}, 0, "at 100%"};
  const std::string md = VerdictTable(Decide(family));
  EXPECT_NE(md.find("Tests in this report's family: 3 (3 comparisons"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**not testable here** (at 100%)"), std::string::npos);
  EXPECT_NE(md.find("2 paired seeds, fewer than 5"), std::string::npos);
}

}  // namespace
}  // namespace sparsity
