#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "shared/util/clock.hpp"

// Deadlines of the connections a listener holds: each connection's whole
// TLS handshake, whole request (head and body), wait for its next request
// and whole answer get one deadline each, not one per read. Pure: the
// listener's watchdog asks which deadlines passed and cuts those
// connections.
namespace openmps::server::receiver {

enum class Phase {
  kHandshake,  // TLS handshake
  kRequest,    // head and body of a request
  kIdle,       // kept alive, waiting for the next request
  kAnswer,     // sending the answer
};
const char* toString(Phase phase);

enum class CutReason {
  kDeadline,  // the phase was not complete in time
  kEvicted,   // the oldest unfinished request, cut for a newcomer while the listener was full
  kStopping,  // the listener stopped accepting
};

class DeadlineTable {
 public:
  using Id = std::uint64_t;
  using Time = util::Clock::MonoTime;

  struct Cut {
    Id id;
    int fd;
    Phase phase;
    CutReason reason;
  };

  Id add(int fd);
  // Starts a phase that must be complete within `within` from `now`.
  void arm(Id id, Time now, std::chrono::nanoseconds within, Phase phase);
  // The phase is complete; nothing is timed until the next arm (the
  // handler runs untimed).
  void disarm(Id id);
  void remove(Id id);

  // Deadlines that passed, each reported once (its entry stays, marked cut,
  // until removed).
  std::vector<Cut> expire(Time now);
  // Every connection not in a handler or an answer (handshake, request,
  // idle), to cut when the listener stops; each reported once.
  std::vector<Cut> cutPending();
  // The connection longest in its handshake or request, if it has been in
  // it for at least minAge: cut to make room for a newcomer.
  std::optional<Cut> evictOldest(Time now, std::chrono::nanoseconds minAge);
  std::optional<Time> next() const;
  // Why and in which phase the connection was cut, if it was.
  std::optional<Cut> cutOf(Id id) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int fd = -1;
    std::optional<Time> deadline;
    Time since{};  // when the current phase began
    Phase phase = Phase::kHandshake;
    std::optional<CutReason> cut;
  };
  Cut markCut(Id id, Entry& e, CutReason reason);

  Id nextId_ = 1;
  std::map<Id, Entry> entries_;
};

}  // namespace openmps::server::receiver
