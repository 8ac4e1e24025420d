#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// E-mail has no acknowledgement: a batch lost by a relay is noticed only as
// a hole in the batch numbers the server stored for a client. The holes
// come from the database (what was stored by any carrier, across restarts);
// this names them for the log.
namespace openmps::server::mailbox {

struct SeqRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  bool operator==(const SeqRange&) const = default;
};

struct BatchGaps {
  std::uint64_t highest = 0;      // the highest batch number stored
  std::vector<SeqRange> missing;  // below it, never stored, in increasing order
};

// "1-3, 7" for log lines; long lists are cut with a count of the rest.
std::string formatGaps(const std::vector<SeqRange>& ranges, std::size_t maxRanges = 20);

}  // namespace openmps::server::mailbox
