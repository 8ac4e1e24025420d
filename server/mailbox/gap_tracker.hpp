#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// E-mail has no acknowledgement: a batch lost by a relay is noticed only
// as a hole in the batch numbers a client used. This tracks, per client,
// which batch numbers arrived and names the holes. Pure; the poller feeds
// it and logs what it reports.
namespace openmps::server::mailbox {

struct SeqRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  bool operator==(const SeqRange&) const = default;
};

class GapTracker {
 public:
  // Everything up to and including `seq` is accounted for (for example,
  // what the database already holds for this client when the poller starts).
  void setFloor(std::uint64_t clientId, std::uint64_t seq);
  // Returns false when the number was already recorded.
  bool record(std::uint64_t clientId, std::uint64_t batchSeq);

  // Holes between the floor (or, without one, batch 1) and the highest
  // number seen, in increasing order.
  std::vector<SeqRange> missing(std::uint64_t clientId) const;
  std::uint64_t highest(std::uint64_t clientId) const;
  bool knows(std::uint64_t clientId) const { return clients_.contains(clientId); }
  std::vector<std::uint64_t> clients() const;

  // "1-3, 7" for log lines; long lists are cut with a count of the rest.
  static std::string format(const std::vector<SeqRange>& ranges, std::size_t maxRanges = 20);

 private:
  struct Client {
    std::uint64_t floor = 0;
    // Received numbers above the floor as disjoint, non-adjacent ranges,
    // keyed by first: memory grows with the number of holes, not batches.
    std::map<std::uint64_t, std::uint64_t> received;
  };
  std::map<std::uint64_t, Client> clients_;
};

}  // namespace openmps::server::mailbox
