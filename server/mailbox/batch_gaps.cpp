#include "server/mailbox/batch_gaps.hpp"

#include <algorithm>

namespace openmps::server::mailbox {

std::string formatGaps(const std::vector<SeqRange>& ranges, std::size_t maxRanges) {
  std::string out;
  const std::size_t shown = std::min(ranges.size(), maxRanges);
  for (std::size_t i = 0; i < shown; ++i) {
    if (!out.empty()) out += ", ";
    out += std::to_string(ranges[i].first);
    if (ranges[i].last != ranges[i].first) out += "-" + std::to_string(ranges[i].last);
  }
  if (ranges.size() > shown) {
    out += " and " + std::to_string(ranges.size() - shown) + " more ranges";
  }
  return out;
}

}  // namespace openmps::server::mailbox
