#include "server/mailbox/gap_tracker.hpp"

#include <catch2/catch.hpp>

using openmps::server::mailbox::GapTracker;
using openmps::server::mailbox::SeqRange;
using Ranges = std::vector<SeqRange>;

TEST_CASE("batches in order leave no gaps", "[gaps]") {
  GapTracker t;
  for (std::uint64_t s = 1; s <= 100; ++s) CHECK(t.record(5, s));
  CHECK(t.missing(5).empty());
  CHECK(t.highest(5) == 100);
}

TEST_CASE("holes are reported as ranges from batch 1", "[gaps]") {
  GapTracker t;
  t.record(5, 3);
  t.record(5, 4);
  t.record(5, 8);
  t.record(5, 10);
  CHECK(t.missing(5) == Ranges{{1, 2}, {5, 7}, {9, 9}});
  CHECK(GapTracker::format(t.missing(5)) == "1-2, 5-7, 9");
  t.record(5, 9);
  t.record(5, 1);
  CHECK(t.missing(5) == Ranges{{2, 2}, {5, 7}});
  t.record(5, 2);
  for (std::uint64_t s : {7U, 5U, 6U}) t.record(5, s);
  CHECK(t.missing(5).empty());
  CHECK(t.highest(5) == 10);
}

TEST_CASE("a repeat is recognised and changes nothing", "[gaps]") {
  GapTracker t;
  CHECK(t.record(1, 4));
  CHECK_FALSE(t.record(1, 4));
  CHECK(t.record(1, 1));
  CHECK_FALSE(t.record(1, 1));
  CHECK(t.missing(1) == Ranges{{2, 3}});
}

TEST_CASE("clients are tracked separately", "[gaps]") {
  GapTracker t;
  t.record(1, 2);
  t.record(2, 1);
  CHECK(t.missing(1) == Ranges{{1, 1}});
  CHECK(t.missing(2).empty());
  CHECK(t.missing(3).empty());
  CHECK(t.clients() == std::vector<std::uint64_t>{1, 2});
  CHECK_FALSE(t.knows(3));
}

TEST_CASE("a floor accounts for everything below it", "[gaps]") {
  GapTracker t;
  t.setFloor(1, 56);
  CHECK_FALSE(t.record(1, 50));
  t.record(1, 59);
  CHECK(t.missing(1) == Ranges{{57, 58}});
  t.setFloor(1, 57);
  CHECK(t.missing(1) == Ranges{{58, 58}});
  // A floor inside a received range keeps the part above it and merges.
  GapTracker u;
  u.record(2, 5);
  u.record(2, 6);
  u.record(2, 7);
  u.record(2, 10);
  u.setFloor(2, 6);
  CHECK(u.missing(2) == Ranges{{8, 9}});
  CHECK(u.highest(2) == 10);
}

TEST_CASE("long gap lists are cut in log lines", "[gaps]") {
  GapTracker t;
  for (std::uint64_t s = 2; s <= 100; s += 2) t.record(9, s);
  const auto holes = t.missing(9);
  CHECK(holes.size() == 50);
  const std::string text = GapTracker::format(holes, 3);
  CHECK(text == "1, 3, 5 and 47 more ranges");
}
