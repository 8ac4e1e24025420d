#include "client/snmp/get_plan.hpp"

#include <catch2/catch.hpp>

using openmps::client::snmp::GetPlan;
using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

namespace {
std::vector<Oid> oids(int n) {
  std::vector<Oid> out;
  for (int i = 1; i <= n; ++i) {
    out.push_back(Oid::of("1.3.6.1.2.1.1." + std::to_string(i) + ".0"));
  }
  return out;
}
std::vector<VarBind> answer(const std::vector<Oid>& asked) {
  std::vector<VarBind> out;
  out.reserve(asked.size());
  for (const auto& o : asked) {
    out.push_back({o, Value::integer(static_cast<std::int64_t>(o.arcs()[7]))});
  }
  return out;
}
}  // namespace

TEST_CASE("a GET is sent in batches of maxPerPdu and answered in the order asked") {
  GetPlan plan(oids(5), 2);
  std::vector<std::size_t> sizes;
  while (!plan.done()) {
    auto batch = plan.current();
    sizes.push_back(batch.size());
    REQUIRE(plan.answered(answer(batch)));
  }
  CHECK(sizes == std::vector<std::size_t>{2, 2, 1});
  auto r = plan.results();
  REQUIRE(r.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(r[i].value.number == static_cast<std::int64_t>(i + 1));
  }
}

TEST_CASE("an answer with other OIDs or another count is refused") {
  GetPlan plan(oids(2), 10);
  auto wrong = answer(plan.current());
  wrong[1].oid = Oid::of("1.3.6.1.2.1.1.9.0");
  CHECK_FALSE(plan.answered(wrong));
  CHECK_FALSE(plan.answered({}));
  CHECK(plan.answered(answer(plan.current())));
  CHECK(plan.done());
}

TEST_CASE("tooBig splits a batch in halves until single OIDs") {
  GetPlan plan(oids(3), 10);
  REQUIRE(plan.split());
  CHECK(plan.current().size() == 1);
  REQUIRE(plan.answered(answer(plan.current())));
  CHECK(plan.current().size() == 2);
  REQUIRE(plan.split());
  CHECK(plan.current().size() == 1);
  CHECK_FALSE(plan.split());
}

TEST_CASE("an OID named by noSuchName becomes noSuchObject and the rest is asked again") {
  GetPlan plan(oids(3), 10);
  REQUIRE(plan.dropAt(2));
  auto batch = plan.current();
  REQUIRE(batch.size() == 2);
  CHECK(batch[0] == Oid::of("1.3.6.1.2.1.1.1.0"));
  CHECK(batch[1] == Oid::of("1.3.6.1.2.1.1.3.0"));
  REQUIRE(plan.answered(answer(batch)));
  auto r = plan.results();
  CHECK(r[0].value.number == 1);
  CHECK(r[1].value.type == ValueType::kNoSuchObject);
  CHECK(r[1].oid == Oid::of("1.3.6.1.2.1.1.2.0"));
  CHECK(r[2].value.number == 3);
}

TEST_CASE("an error index outside the batch is not taken") {
  GetPlan plan(oids(2), 10);
  CHECK_FALSE(plan.dropAt(0));
  CHECK_FALSE(plan.dropAt(3));
  CHECK_FALSE(plan.dropAt(-1));
  REQUIRE(plan.dropAt(1));
  REQUIRE(plan.dropAt(1));
  CHECK(plan.done());
  CHECK(plan.results()[1].value.type == ValueType::kNoSuchObject);
}
