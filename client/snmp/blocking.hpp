#pragma once

#include <future>
#include <utility>

#include "client/snmp/snmp_client.hpp"

// Waiting for one asynchronous call, for commands and tests that read one
// thing at a time. Never call these from an SnmpClient callback: the
// client's thread would wait for itself.
namespace openmps::client::snmp {

inline Result getBlocking(SnmpClient& client, const Target& target, std::vector<Oid> oids) {
  std::promise<Result> promise;
  auto future = promise.get_future();
  client.get(target, std::move(oids), [&promise](Result r) { promise.set_value(std::move(r)); });
  return future.get();
}

inline Result getNextBlocking(SnmpClient& client, const Target& target, std::vector<Oid> oids) {
  std::promise<Result> promise;
  auto future = promise.get_future();
  client.getNext(target, std::move(oids),
                 [&promise](Result r) { promise.set_value(std::move(r)); });
  return future.get();
}

inline Result walkBlocking(SnmpClient& client, const Target& target, Oid root,
                           WalkOptions options = {}) {
  std::promise<Result> promise;
  auto future = promise.get_future();
  client.walk(target, std::move(root), options,
              [&promise](Result r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace openmps::client::snmp
