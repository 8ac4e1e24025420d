#include "client/snmp/walk_state.hpp"

#include <catch2/catch.hpp>

using openmps::client::snmp::WalkState;
using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

namespace {
VarBind vb(const char* oid, std::int64_t n = 1) {
  return {Oid::of(oid), Value::integer(n)};
}
}  // namespace

TEST_CASE("a walk collects its subtree and stops at the first OID outside it") {
  WalkState w(Oid::of("1.3.6.1.2.1.43.11"), 100);
  CHECK(w.next() == Oid::of("1.3.6.1.2.1.43.11"));
  CHECK(w.accept({vb("1.3.6.1.2.1.43.11.1.1.1.1"), vb("1.3.6.1.2.1.43.11.1.1.1.2")}) ==
        WalkState::Step::kContinue);
  CHECK(w.next() == Oid::of("1.3.6.1.2.1.43.11.1.1.1.2"));
  CHECK(w.accept({vb("1.3.6.1.2.1.43.11.1.1.2.1"), vb("1.3.6.1.2.1.43.12.1.1.1.1")}) ==
        WalkState::Step::kDone);
  REQUIRE(w.rows().size() == 3);
  CHECK(w.rows().back().oid == Oid::of("1.3.6.1.2.1.43.11.1.1.2.1"));
  CHECK_FALSE(w.truncated());
}

TEST_CASE("a walk ends at endOfMibView and on an empty answer") {
  WalkState w(Oid::of("1.3.6.1.4.1"), 100);
  CHECK(w.accept({vb("1.3.6.1.4.1.1"),
                  {Oid::of("1.3.6.1.4.1.1"), Value::exception(ValueType::kEndOfMibView)}}) ==
        WalkState::Step::kDone);
  CHECK(w.rows().size() == 1);
  WalkState empty(Oid::of("1.3.6.1.4.1"), 100);
  CHECK(empty.accept({}) == WalkState::Step::kDone);
  CHECK(empty.rows().empty());
}

TEST_CASE("an agent that answers an OID that does not increase is a loop") {
  WalkState w(Oid::of("1.3.6.1.2.1.2"), 100);
  CHECK(w.accept({vb("1.3.6.1.2.1.2.2.1.1.1"), vb("1.3.6.1.2.1.2.2.1.1.2")}) ==
        WalkState::Step::kContinue);
  // The same OID again, then an earlier one: both must stop the walk.
  WalkState same = w;
  CHECK(same.accept({vb("1.3.6.1.2.1.2.2.1.1.2")}) == WalkState::Step::kLoop);
  CHECK(same.loopOid() == Oid::of("1.3.6.1.2.1.2.2.1.1.2"));
  CHECK(w.accept({vb("1.3.6.1.2.1.2.2.1.1.1")}) == WalkState::Step::kLoop);
  CHECK(w.rows().size() == 2);
}

TEST_CASE("a walk is cut off at maxRows") {
  WalkState w(Oid::of("1.3.6.1.2.1.2"), 2);
  CHECK(w.accept({vb("1.3.6.1.2.1.2.1"), vb("1.3.6.1.2.1.2.2"), vb("1.3.6.1.2.1.2.3")}) ==
        WalkState::Step::kDone);
  CHECK(w.rows().size() == 2);
  CHECK(w.truncated());
}

TEST_CASE("the root itself in an answer ends the walk instead of repeating it") {
  WalkState w(Oid::of("1.3.6.1.2.1.1.1.0"), 10);
  CHECK(w.accept({vb("1.3.6.1.2.1.1.2.0")}) == WalkState::Step::kDone);
  CHECK(w.rows().empty());
}
