#pragma once

// The one fake SnmpClient of the client's unit tests: agents as sorted maps
// of objects, per address, answering gets, get-nexts and walks as an agent
// would; what was asked is counted; faults are scripted per call.

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/snmp/snmp_client.hpp"

namespace openmps::test {

using client::snmp::Result;
using openmps::snmp::Oid;
using openmps::snmp::Value;

struct FakeAgent {
  std::string community = "public";  // the v2c community it answers
  std::string v3User;                // the v3 user it knows ("" = none)
  std::map<Oid, Value> objects;
  std::map<Oid, Result> refusedWalks;  // walks of these roots answered with this instead

  void set(const char* oid, Value v) { objects[Oid::of(oid)] = std::move(v); }
};

enum class FakeCall { kGet, kGetNext, kWalk, kWalkMany };

class FakeSnmpClient : public client::snmp::SnmpClient {
 public:
  // Agents by address. The agent under "" answers every address and every
  // credential: tests of one device need no addresses.
  std::map<std::string, FakeAgent> agents;
  // Calls wait in a queue until pump(), as the real client answers on its
  // own thread, never inside the call.
  bool deferred = false;
  // Asked before each call (its kind and its number, from 1): a result to
  // answer instead of the agent's (for a walkMany, for each of its roots).
  std::function<std::optional<Result>(FakeCall, int)> fault;

  int calls = 0;
  int gets = 0;
  int walks = 0;
  int walkManys = 0;
  std::vector<Oid> walkedRoots;
  std::size_t maxInFlightSeen = 0;

  FakeAgent& agent() { return agents[""]; }

  void get(const client::snmp::Target& t, std::vector<Oid> oids, Callback done) override {
    ++gets;
    const int n = ++calls;
    run([this, t, n, oids = std::move(oids), done = std::move(done)] {
      if (auto f = faulted(FakeCall::kGet, n)) return done(std::move(*f));
      const FakeAgent* a = answering(t, done);
      if (a == nullptr) return;
      Result r;
      for (const auto& o : oids) {
        const auto it = a->objects.find(o);
        r.varbinds.push_back(it == a->objects.end() ? client::snmp::VarBind{o, noSuch()}
                                                    : client::snmp::VarBind{o, it->second});
      }
      done(std::move(r));
    });
  }

  void getNext(const client::snmp::Target& t, std::vector<Oid> oids, Callback done) override {
    const int n = ++calls;
    run([this, t, n, oids = std::move(oids), done = std::move(done)] {
      if (auto f = faulted(FakeCall::kGetNext, n)) return done(std::move(*f));
      const FakeAgent* a = answering(t, done);
      if (a == nullptr) return;
      Result r;
      for (const auto& o : oids) {
        const auto it = a->objects.upper_bound(o);
        r.varbinds.push_back(it == a->objects.end() ? client::snmp::VarBind{o, endOfView()}
                                                    : client::snmp::VarBind{it->first, it->second});
      }
      done(std::move(r));
    });
  }

  void walk(const client::snmp::Target& t, Oid root, client::snmp::WalkOptions options,
            Callback done) override {
    ++walks;
    const int n = ++calls;
    run([this, t, n, root = std::move(root), options, done = std::move(done)] {
      if (auto f = faulted(FakeCall::kWalk, n)) return done(std::move(*f));
      const FakeAgent* a = answering(t, done);
      if (a == nullptr) return;
      walkedRoots.push_back(root);
      done(walkOf(*a, root, options));
    });
  }

  void walkMany(const client::snmp::Target& t, std::vector<Oid> roots,
                client::snmp::WalkOptions options, ManyCallback done) override {
    ++walkManys;
    const int n = ++calls;
    run([this, t, n, roots = std::move(roots), options, done = std::move(done)] {
      std::vector<Result> out;
      const auto f = faulted(FakeCall::kWalkMany, n);
      const FakeAgent* a = f ? nullptr : find(t);
      for (const auto& root : roots) {
        walkedRoots.push_back(root);
        if (f) {
          out.push_back(*f);
        } else if (a == nullptr) {
          out.push_back(Result{client::snmp::ErrorKind::kTimeout, "timeout", {}});
        } else {
          out.push_back(walkOf(*a, root, options));
        }
      }
      done(std::move(out));
    });
  }

  client::snmp::Stats stats() const override { return {}; }

  // Answers every queued call, also those queued while answering.
  void pump() {
    while (!queue_.empty()) {
      maxInFlightSeen = std::max(maxInFlightSeen, queue_.size());
      auto next = std::move(queue_.front());
      queue_.pop_front();
      next();
    }
  }

 private:
  static Value noSuch() { return Value::exception(openmps::snmp::ValueType::kNoSuchObject); }
  static Value endOfView() { return Value::exception(openmps::snmp::ValueType::kEndOfMibView); }

  void run(std::function<void()> f) {
    if (deferred) {
      queue_.push_back(std::move(f));
    } else {
      f();
    }
  }

  std::optional<Result> faulted(FakeCall kind, int n) const {
    return fault ? fault(kind, n) : std::nullopt;
  }

  // The agent that answers these credentials at this address, if any.
  const FakeAgent* find(const client::snmp::Target& t) const {
    if (const auto any = agents.find(""); any != agents.end()) return &any->second;
    const auto it = agents.find(t.host);
    if (it == agents.end()) return nullptr;
    const auto& c = t.credentials;
    if (c.version == client::snmp::Version::kV3) {
      return c.user == it->second.v3User ? &it->second : nullptr;
    }
    return c.community.reveal() == it->second.community ? &it->second : nullptr;
  }

  // Agents ignore wrong communities (a timeout) but refuse unknown v3 users.
  const FakeAgent* answering(const client::snmp::Target& t, const Callback& done) const {
    if (const FakeAgent* a = find(t)) return a;
    const auto it = agents.find(t.host);
    if (it != agents.end() && t.credentials.version == client::snmp::Version::kV3) {
      done(Result{client::snmp::ErrorKind::kUnknownUser, "unknown user", {}});
    } else {
      done(Result{client::snmp::ErrorKind::kTimeout, "timeout", {}});
    }
    return nullptr;
  }

  static Result walkOf(const FakeAgent& a, const Oid& root,
                       const client::snmp::WalkOptions& options) {
    if (const auto it = a.refusedWalks.find(root); it != a.refusedWalks.end()) return it->second;
    Result r;
    for (auto it = a.objects.upper_bound(root);
         it != a.objects.end() && root.isPrefixOf(it->first) && r.varbinds.size() < options.maxRows;
         ++it) {
      r.varbinds.push_back({it->first, it->second});
    }
    return r;
  }

  std::deque<std::function<void()>> queue_;
};

}  // namespace openmps::test
