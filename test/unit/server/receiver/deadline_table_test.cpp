#include "server/receiver/deadline_table.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::receiver;
using namespace std::chrono_literals;

TEST_CASE("a deadline covers the whole phase, not each read", "[server][receiver]") {
  DeadlineTable table;
  const DeadlineTable::Time t0{};
  const auto slow = table.add(7);
  const auto quick = table.add(8);
  table.arm(slow, t0, 10s, Phase::kRequest);
  table.arm(quick, t0, 10s, Phase::kRequest);
  CHECK(table.next() == t0 + 10s);
  // A peer that sends a byte now and then does not move its deadline.
  CHECK(table.expire(t0 + 9s).empty());
  table.disarm(quick);  // its request arrived complete
  const auto cut = table.expire(t0 + 10s);
  REQUIRE(cut.size() == 1);
  CHECK(cut[0].id == slow);
  CHECK(cut[0].fd == 7);
  CHECK(cut[0].phase == Phase::kRequest);
  CHECK(cut[0].reason == CutReason::kDeadline);
  CHECK(table.cutOf(slow)->phase == Phase::kRequest);
  CHECK_FALSE(table.cutOf(quick));
  CHECK(table.expire(t0 + 20s).empty());           // reported once
  table.arm(slow, t0 + 20s, 30s, Phase::kAnswer);  // a cut connection stays cut
  CHECK(table.cutOf(slow)->phase == Phase::kRequest);
  CHECK_FALSE(table.next());
  table.remove(slow);
  table.remove(quick);
  CHECK(table.size() == 0);
  CHECK(std::string(toString(Phase::kHandshake)) == "TLS handshake");
}

TEST_CASE("stopping cuts every connection not in a handler or an answer", "[server][receiver]") {
  DeadlineTable table;
  const DeadlineTable::Time t0{};
  const auto idle = table.add(1);
  const auto answering = table.add(2);
  const auto handling = table.add(3);  // armed, then disarmed: in its handler
  table.arm(idle, t0, 60s, Phase::kIdle);
  table.arm(answering, t0, 60s, Phase::kAnswer);
  table.arm(handling, t0, 60s, Phase::kRequest);
  table.disarm(handling);
  const auto cut = table.cutPending();
  REQUIRE(cut.size() == 1);
  CHECK(cut[0].id == idle);
  CHECK(cut[0].reason == CutReason::kStopping);
  CHECK_FALSE(table.cutOf(answering));
  CHECK_FALSE(table.cutOf(handling));
}

TEST_CASE("a newcomer evicts the connection longest in its handshake or request",
          "[server][receiver]") {
  DeadlineTable table;
  const DeadlineTable::Time t0{};
  const auto oldest = table.add(1);
  const auto younger = table.add(2);
  const auto idle = table.add(3);
  table.arm(oldest, t0, 30s, Phase::kHandshake);
  table.arm(oldest, t0 + 1s, 30s, Phase::kRequest);  // a new phase starts its age anew
  table.arm(younger, t0 + 2s, 30s, Phase::kRequest);
  table.arm(younger, t0 + 3s, 30s, Phase::kRequest);  // re-armed: keeps its age
  table.arm(idle, t0, 30s, Phase::kIdle);             // idle ones are not evicted
  CHECK_FALSE(table.evictOldest(t0 + 2s, 2s));        // none old enough yet
  const auto first = table.evictOldest(t0 + 5s, 2s);
  REQUIRE(first);
  CHECK(first->id == oldest);
  CHECK(first->reason == CutReason::kEvicted);
  const auto second = table.evictOldest(t0 + 5s, 2s);
  REQUIRE(second);
  CHECK(second->id == younger);
  CHECK_FALSE(table.evictOldest(t0 + 100s, 2s));
  CHECK_FALSE(table.cutOf(idle));
}
