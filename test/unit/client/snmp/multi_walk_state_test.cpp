#include "client/snmp/multi_walk_state.hpp"

#include <catch2/catch.hpp>

using openmps::client::snmp::MultiWalkState;
using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;
using End = MultiWalkState::End;

namespace {

VarBind vb(const char* oid, std::int64_t n = 1) {
  return {Oid::of(oid), Value::integer(n)};
}

VarBind endOfView(const char* oid) {
  return {Oid::of(oid), Value::exception(ValueType::kEndOfMibView)};
}

std::vector<Oid> oids(std::initializer_list<const char*> list) {
  std::vector<Oid> out;
  for (const char* o : list) {
    out.push_back(Oid::of(o));
  }
  return out;
}

const char* const kLevel = "1.3.6.1.2.1.43.11.1.1.9";
const char* const kMax = "1.3.6.1.2.1.43.11.1.1.8";
const char* const kAlert = "1.3.6.1.2.1.43.18.1.1.7";

}  // namespace

TEST_CASE("walkMany asks every open root in one request, repetitions filling the budget") {
  MultiWalkState m(oids({kLevel, kMax, kAlert}), 100, 64, 25);
  REQUIRE_FALSE(m.done());
  const auto r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{0, 1, 2});
  CHECK(r.oids == oids({kLevel, kMax, kAlert}));
  CHECK(r.repetitions == 21);  // 64 / 3
  MultiWalkState few(oids({kLevel}), 100, 64, 25);
  CHECK(few.next().repetitions == 25);  // capped by maxRepetitions
  MultiWalkState many(std::vector<Oid>(100, Oid::of(kLevel)), 100, 64, 25);
  CHECK(many.next().columns.size() == 64);  // the rest waits for a later request
  CHECK(many.next().repetitions == 1);
}

TEST_CASE("walkMany sorts a GETBULK answer back to its roots, repetition by repetition") {
  MultiWalkState m(oids({kMax, kLevel}), 100, 6, 25);
  const auto r = m.next();
  REQUIRE(r.repetitions == 3);
  // Two supplies; the level column ends into the next column after its two rows.
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.8.1.1", 100), vb("1.3.6.1.2.1.43.11.1.1.9.1.1", 40),
               vb("1.3.6.1.2.1.43.11.1.1.8.1.2", 200), vb("1.3.6.1.2.1.43.11.1.1.9.1.2", 50),
               vb("1.3.6.1.2.1.43.11.1.1.9.1.1", 40), vb("1.3.6.1.2.1.43.12.1.1.2.1.1", 3)});
  // The max column's third answer is the level column: its end.
  CHECK(m.done());
  const auto& max = m.columns()[0];
  const auto& level = m.columns()[1];
  CHECK(max.end == End::kDone);
  CHECK(level.end == End::kDone);
  REQUIRE(max.rows.size() == 2);
  REQUIRE(level.rows.size() == 2);
  CHECK(max.rows[1].value.number == 200);
  CHECK(level.rows[0].oid == Oid::of("1.3.6.1.2.1.43.11.1.1.9.1.1"));
  CHECK(level.rows[1].value.number == 50);
}

TEST_CASE("walkMany goes on with the roots still open, from the last OID each one saw") {
  MultiWalkState m(oids({kLevel, kAlert}), 100, 4, 25);
  auto r = m.next();
  REQUIRE(r.repetitions == 2);
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.18.1.1.7.1.1"),
               vb("1.3.6.1.2.1.43.11.1.1.9.1.2"), vb("1.3.6.1.2.1.43.18.1.1.8.1.1")});
  REQUIRE_FALSE(m.done());
  CHECK(m.columns()[1].end == End::kDone);
  r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{0});
  CHECK(r.oids == oids({"1.3.6.1.2.1.43.11.1.1.9.1.2"}));
  CHECK(r.repetitions == 4);  // one root left: the whole budget is its
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.3"), endOfView("1.3.6.1.2.1.43.11.1.1.9.1.3"),
               endOfView("1.3.6.1.2.1.43.11.1.1.9.1.3"), endOfView("1.3.6.1.2.1.43.11.1.1.9.1.3")});
  CHECK(m.done());
  CHECK(m.columns()[0].rows.size() == 3);
  CHECK(m.columns()[1].rows.size() == 1);
}

TEST_CASE("walkMany leaves the roots an agent's cut answer did not reach open") {
  MultiWalkState m(oids({kMax, kLevel, kAlert}), 100, 9, 25);
  auto r = m.next();
  REQUIRE(r.repetitions == 3);
  // The agent sent one and a third repetitions only.
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.8.1.1"), vb("1.3.6.1.2.1.43.11.1.1.9.1.1"),
               vb("1.3.6.1.2.1.43.18.1.1.7.1.1"), vb("1.3.6.1.2.1.43.11.1.1.8.1.2")});
  REQUIRE_FALSE(m.done());
  r = m.next();
  CHECK(r.oids == oids({"1.3.6.1.2.1.43.11.1.1.8.1.2", "1.3.6.1.2.1.43.11.1.1.9.1.1",
                        "1.3.6.1.2.1.43.18.1.1.7.1.1"}));
  // An answer with nothing in it ends every root it asked for.
  m.accept(r, {});
  CHECK(m.done());
  CHECK(m.columns()[0].rows.size() == 2);
  CHECK(m.columns()[2].rows.size() == 1);
}

TEST_CASE("walkMany ignores varbinds beyond what it asked for") {
  MultiWalkState m(oids({kLevel}), 100, 2, 25);
  auto r = m.next();
  REQUIRE(r.repetitions == 2);
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.11.1.1.9.1.2"),
               vb("1.3.6.1.2.1.43.11.1.1.9.1.3")});
  REQUIRE_FALSE(m.done());
  CHECK(m.columns()[0].rows.size() == 2);
}

TEST_CASE("walkMany ends only the root whose OIDs do not increase") {
  MultiWalkState m(oids({kLevel, kAlert}), 100, 4, 25);
  auto r = m.next();
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.2"), vb("1.3.6.1.2.1.43.18.1.1.7.1.1"),
               vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.18.1.1.7.1.2")});
  const auto& level = m.columns()[0];
  CHECK(level.end == End::kLoop);
  CHECK(level.rows.size() == 1);
  CHECK(level.message.find("loops") != std::string::npos);
  CHECK(level.message.find("1.3.6.1.2.1.43.11.1.1.9.1.1") != std::string::npos);
  REQUIRE_FALSE(m.done());
  r = m.next();
  CHECK(r.oids == oids({"1.3.6.1.2.1.43.18.1.1.7.1.2"}));
  // The same OID again is a loop too.
  m.accept(r, {vb("1.3.6.1.2.1.43.18.1.1.7.1.2")});
  CHECK(m.columns()[1].end == End::kLoop);
  CHECK(m.columns()[1].rows.size() == 2);
  CHECK(m.done());
}

TEST_CASE("walkMany: an answer ordered root by root instead of repetition by repetition fails") {
  MultiWalkState m(oids({kMax, kLevel}), 100, 4, 25);
  auto r = m.next();
  REQUIRE(r.repetitions == 2);
  // Both rows of the max column first: the second lands on the level root,
  // behind its cursor.
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.8.1.1"), vb("1.3.6.1.2.1.43.11.1.1.8.1.2"),
               vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.11.1.1.9.1.2")});
  CHECK(m.columns()[1].end == End::kLoop);
  CHECK(m.columns()[1].rows.empty());
  // The max column got a level OID: past its subtree, so it ended.
  CHECK(m.columns()[0].end == End::kDone);
  CHECK(m.columns()[0].rows.size() == 1);
  CHECK(m.done());
}

TEST_CASE("walkMany ends a root at noSuchObject, at its own OID and at maxRows") {
  MultiWalkState m(oids({kLevel, kMax, kAlert}), 2, 64, 25);
  auto r = m.next();
  m.accept(r, {{Oid::of(kLevel), Value::exception(ValueType::kNoSuchObject)},
               vb(kMax),
               vb("1.3.6.1.2.1.43.18.1.1.7.1.1"),
               vb("1.3.6.1.2.1.43.18.1.1.7.1.2"),
               vb("1.3.6.1.2.1.43.18.1.1.7.1.3")});
  CHECK(m.columns()[0].end == End::kDone);
  CHECK(m.columns()[0].rows.empty());
  CHECK(m.columns()[1].end == End::kDone);
  CHECK(m.columns()[1].rows.empty());
  // The later repetitions of ended roots are not theirs to keep: the alert
  // column has its first row; the next answer brings the second, and a third
  // would exceed maxRows.
  CHECK(m.columns()[2].rows.size() == 1);
  REQUIRE_FALSE(m.done());
  r = m.next();
  m.accept(r, {vb("1.3.6.1.2.1.43.18.1.1.7.1.2"), vb("1.3.6.1.2.1.43.18.1.1.7.1.3")});
  CHECK(m.done());
  CHECK(m.columns()[2].rows.size() == 2);
  CHECK(m.columns()[2].truncated);
}

TEST_CASE("walkMany halves its budget on tooBig and fails a single OID that is still too big") {
  MultiWalkState m(oids({kLevel, kMax}), 100, 8, 25);
  auto r = m.next();
  CHECK(r.repetitions == 4);
  CHECK(m.tooBig(r));
  r = m.next();
  CHECK(r.columns.size() == 2);
  CHECK(r.repetitions == 2);
  CHECK(m.tooBig(r));
  CHECK(m.next().repetitions == 1);
  CHECK(m.tooBig(m.next()));
  r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{0});  // a budget of one: one root at a time
  CHECK(r.repetitions == 1);
  CHECK_FALSE(m.tooBig(r));
  CHECK(m.columns()[0].end == End::kFailed);
  CHECK(m.columns()[0].message.find("tooBig") != std::string::npos);
  CHECK(m.columns()[1].end == End::kOpen);
}

TEST_CASE("walkMany: an error naming a varbind costs that root only") {
  MultiWalkState m(oids({kLevel, kMax, kAlert}), 100, 64, 25);
  auto r = m.next();
  m.error(r, 2, false, "the agent answered genErr");
  CHECK(m.columns()[1].end == End::kFailed);
  CHECK(m.columns()[1].message == "the agent answered genErr after 0 rows");
  r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{0, 2});
  // SNMPv1 noSuchName: the end of that root's view, not a failure.
  m.error(r, 2, true, "the agent answered noSuchName");
  CHECK(m.columns()[2].end == End::kDone);
  CHECK(m.columns()[2].message.empty());
  CHECK(m.next().columns == std::vector<std::size_t>{0});
}

TEST_CASE("walkMany: an error without a usable index asks one root at a time to find it") {
  MultiWalkState m(oids({kLevel, kMax}), 100, 64, 25);
  auto r = m.next();
  m.error(r, 0, false, "the agent answered genErr");
  CHECK(m.columns()[0].end == End::kOpen);
  CHECK(m.columns()[1].end == End::kOpen);
  r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{0});
  CHECK(r.repetitions == 25);
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.12.1.1.1.1")});
  r = m.next();
  CHECK(r.columns == std::vector<std::size_t>{1});
  m.error(r, 7, false, "the agent answered genErr");
  CHECK(m.columns()[1].end == End::kFailed);
  CHECK(m.done());
  CHECK(m.columns()[0].rows.size() == 1);
}

TEST_CASE("walkMany over SNMPv1 GETNEXT: one repetition of every root per answer") {
  MultiWalkState m(oids({kLevel, kAlert}), 100, 64, 1);
  auto r = m.next();
  CHECK(r.repetitions == 1);
  m.accept(r, {vb("1.3.6.1.2.1.43.11.1.1.9.1.1"), vb("1.3.6.1.2.1.43.18.1.1.7.1.1")});
  r = m.next();
  CHECK(r.oids == oids({"1.3.6.1.2.1.43.11.1.1.9.1.1", "1.3.6.1.2.1.43.18.1.1.7.1.1"}));
  m.accept(r, {vb("1.3.6.1.2.1.43.12.1.1.1.1"), vb("1.3.6.1.2.1.43.18.1.1.8.1.1")});
  CHECK(m.done());
}

TEST_CASE("walkMany with no roots is done at once") {
  const MultiWalkState m({}, 100, 64, 25);
  CHECK(m.done());
}
