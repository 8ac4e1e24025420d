#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "client/snmp/snmp_client.hpp"

// The SnmpClient on net-snmp's single-session API, driven by one I/O thread
// (epoll over every session's socket). Hundreds of devices are read at
// once; SNMPv3 engine discovery is an ordinary asynchronous request, so a
// silent v3 device holds up nobody else. Replies are matched by request
// and message ID, and a v3 REPORT is the answer to the request it names, so
// a wrong password ends at once in kAuthFailed / kUnknownUser.
//
// Thread-safety: every call may be made from any thread, including from a
// callback; callbacks run on the client's thread. Destroy the client from
// any thread but its own: pending operations end with kCancelled first.
// net-snmp keeps process-wide state (the USM user table), so all clients in
// a process serialise their calls into it; one client per process is the
// intended use.
namespace openmps::client::snmp {

class NetSnmpClient final : public SnmpClient {
 public:
  struct Options {
    // Operations with a request on the wire; more wait in line (discovery
    // sweeps start thousands). Each operation has one PDU in flight at a time.
    std::size_t maxInFlight = 512;
    // OIDs per GET PDU; tooBig answers split further.
    std::size_t maxOidsPerGet = 32;
    // A device's session (socket, v3 engine ID and keys) outlives its last
    // request this long, so a PMD read's many requests discover once.
    std::chrono::milliseconds sessionIdle{5000};
    // Open sessions (sockets) kept at most; idle ones close first.
    std::size_t maxSessions = 2048;
  };

  NetSnmpClient();
  explicit NetSnmpClient(Options options);
  ~NetSnmpClient() override;
  NetSnmpClient(const NetSnmpClient&) = delete;
  NetSnmpClient& operator=(const NetSnmpClient&) = delete;

  void get(const Target& target, std::vector<Oid> oids, Callback done) override;
  void getNext(const Target& target, std::vector<Oid> oids, Callback done) override;
  void walk(const Target& target, Oid root, WalkOptions options, Callback done) override;
  void walkMany(const Target& target, std::vector<Oid> roots, WalkOptions options,
                ManyCallback done) override;
  Stats stats() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::snmp
