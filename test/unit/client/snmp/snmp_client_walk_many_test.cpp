#include <map>

#include <catch2/catch.hpp>

#include "client/snmp/snmp_client.hpp"

using namespace openmps::client::snmp;

namespace {

// Answers walks from a table of roots; anything else is an agent error.
class ScriptedWalks final : public SnmpClient {
 public:
  std::map<Oid, Result> answers;
  std::vector<Oid> walked;

  void get(const Target&, std::vector<Oid>, Callback done) override { done(Result{}); }
  void getNext(const Target&, std::vector<Oid>, Callback done) override { done(Result{}); }
  void walk(const Target&, Oid root, WalkOptions, Callback done) override {
    walked.push_back(root);
    auto it = answers.find(root);
    done(it != answers.end() ? it->second : Result{ErrorKind::kAgentError, "genErr", {}});
  }
  Stats stats() const override { return {}; }
};

}  // namespace

TEST_CASE("the default walkMany walks each root and answers one result per root, in order") {
  ScriptedWalks client;
  const Oid a = Oid::of("1.3.6.1.2.1.43.11.1.1.9");
  const Oid b = Oid::of("1.3.6.1.2.1.43.18.1.1.7");
  const Oid c = Oid::of("1.3.6.1.2.1.2.2.1.6");
  client.answers[a] =
      Result{ErrorKind::kNone, {}, {{a.child(1), openmps::snmp::Value::integer(5)}}};
  client.answers[c] = Result{};
  std::vector<Result> got;
  bool called = false;
  client.walkMany(Target{}, {a, b, c}, WalkOptions{}, [&](std::vector<Result> results) {
    called = true;
    got = std::move(results);
  });
  REQUIRE(called);
  CHECK(client.walked == std::vector<Oid>{a, b, c});
  REQUIRE(got.size() == 3);
  CHECK(got[0].ok());
  CHECK(got[0].varbinds.size() == 1);
  CHECK(got[1].error == ErrorKind::kAgentError);
  CHECK(got[2].ok());
  CHECK(got[2].varbinds.empty());
}

TEST_CASE("the default walkMany with no roots answers at once with nothing") {
  ScriptedWalks client;
  bool called = false;
  client.walkMany(Target{}, {}, WalkOptions{}, [&](const std::vector<Result>& results) {
    called = true;
    CHECK(results.empty());
  });
  CHECK(called);
  CHECK(client.walked.empty());
}
