#include "client/local_ui/sign_in_gate.hpp"

#include <catch2/catch.hpp>

#include "shared/util/clock.hpp"

using namespace openmps;
using namespace openmps::client::local_ui;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  util::ManualClock clock;
  int tokens = 0;
  SignInGate gate{clock, SignInPolicy{}, [this] { return "token" + std::to_string(++tokens); }};
};

}  // namespace

TEST_CASE("local UI sign-in: locked for 15 minutes after 5 wrong passwords") {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.gate.recordFailure();
  CHECK_FALSE(f.gate.lockedFor());
  f.gate.recordFailure();
  REQUIRE(f.gate.lockedFor());
  CHECK(*f.gate.lockedFor() == 15min);
  f.clock.advance(14min + 59s);
  REQUIRE(f.gate.lockedFor());
  CHECK(*f.gate.lockedFor() == 1s);
  f.clock.advance(1s);
  CHECK_FALSE(f.gate.lockedFor());
  // After the lockout a new count starts: one failure does not lock again.
  f.gate.recordFailure();
  CHECK_FALSE(f.gate.lockedFor());
}

TEST_CASE("local UI sign-in: a right password forgets the failures") {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.gate.recordFailure();
  f.gate.signIn();
  f.gate.recordFailure();
  CHECK_FALSE(f.gate.lockedFor());
}

TEST_CASE("local UI sign-in: sessions end after 30 idle minutes, use restarts the time") {
  Fixture f;
  const auto session = f.gate.signIn();
  CHECK(session.id != session.csrfToken);
  f.clock.advance(29min);
  REQUIRE(f.gate.touch(session.id));
  CHECK(f.gate.touch(session.id)->csrfToken == session.csrfToken);
  f.clock.advance(29min);
  CHECK(f.gate.touch(session.id));
  f.clock.advance(30min);
  CHECK_FALSE(f.gate.touch(session.id));
}

TEST_CASE("local UI sign-in: sign-out ends one session, a password change all") {
  Fixture f;
  const auto a = f.gate.signIn();
  const auto b = f.gate.signIn();
  f.gate.signOut(a.id);
  CHECK_FALSE(f.gate.touch(a.id));
  CHECK(f.gate.touch(b.id));
  f.gate.signOutEveryone();
  CHECK_FALSE(f.gate.touch(b.id));
  CHECK_FALSE(f.gate.touch(""));
}

TEST_CASE("local UI sign-in: the number of sessions is bounded, the oldest goes") {
  util::ManualClock clock;
  int tokens = 0;
  SignInGate gate{clock, SignInPolicy{5, 15min, 30min, 2},
                  [&] { return std::to_string(++tokens); }};
  const auto first = gate.signIn();
  clock.advance(1s);
  const auto second = gate.signIn();
  clock.advance(1s);
  const auto third = gate.signIn();
  CHECK_FALSE(gate.touch(first.id));
  CHECK(gate.touch(second.id));
  CHECK(gate.touch(third.id));
}

TEST_CASE("local UI sign-in: requests are rate limited, the bucket refills with time") {
  util::ManualClock clock;
  SignInPolicy policy;
  policy.requestsPerMinute = 60;
  policy.requestBurst = 3;
  SignInGate gate{clock, policy, [] { return std::string("t"); }};
  CHECK(gate.allowRequest());
  CHECK(gate.allowRequest());
  CHECK(gate.allowRequest());
  CHECK_FALSE(gate.allowRequest());
  clock.advance(1s);
  CHECK(gate.allowRequest());
  CHECK_FALSE(gate.allowRequest());
  clock.advance(1min);
  for (int i = 0; i < 3; ++i) CHECK(gate.allowRequest());
  CHECK_FALSE(gate.allowRequest());
}
