#include "server/mailbox/batch_gaps.hpp"

#include <catch2/catch.hpp>

using openmps::server::mailbox::formatGaps;
using openmps::server::mailbox::SeqRange;
using Ranges = std::vector<SeqRange>;

TEST_CASE("gaps are named as single numbers and ranges", "[gaps]") {
  CHECK(formatGaps({}).empty());
  CHECK(formatGaps(Ranges{{3, 3}}) == "3");
  CHECK(formatGaps(Ranges{{1, 2}, {5, 5}, {7, 9}}) == "1-2, 5, 7-9");
}

TEST_CASE("long gap lists are cut in log lines", "[gaps]") {
  Ranges holes;
  for (std::uint64_t s = 1; s < 100; s += 2) holes.push_back({s, s});
  CHECK(holes.size() == 50);
  CHECK(formatGaps(holes, 3) == "1, 3, 5 and 47 more ranges");
}
