#include "server/mailbox/gap_tracker.hpp"

#include <algorithm>
#include <iterator>

namespace openmps::server::mailbox {

void GapTracker::setFloor(std::uint64_t clientId, std::uint64_t seq) {
  Client& client = clients_[clientId];
  if (seq <= client.floor) return;
  client.floor = seq;
  // Ranges wholly at or below the floor are no longer needed; one that
  // straddles it keeps its part above.
  auto& received = client.received;
  for (auto it = received.begin(); it != received.end() && it->first <= seq;) {
    const std::uint64_t last = it->second;
    it = received.erase(it);
    if (last > seq) received.emplace(seq + 1, last);
  }
  // Received numbers directly above the floor extend it.
  auto next = received.find(seq + 1);
  if (next != received.end()) {
    client.floor = next->second;
    received.erase(next);
  }
}

bool GapTracker::record(std::uint64_t clientId, std::uint64_t batchSeq) {
  Client& client = clients_[clientId];
  if (batchSeq <= client.floor) return false;
  auto& received = client.received;
  // The range that starts at or before batchSeq, if any.
  auto after = received.upper_bound(batchSeq);
  if (after != received.begin()) {
    auto before = std::prev(after);
    if (batchSeq <= before->second) return false;
  }
  std::uint64_t first = batchSeq;
  std::uint64_t last = batchSeq;
  if (after != received.begin()) {
    auto before = std::prev(after);
    if (before->second + 1 == batchSeq) {
      first = before->first;
      received.erase(before);
    }
  }
  if (after != received.end() && after->first == batchSeq + 1) {
    last = after->second;
    received.erase(after);
  }
  if (first == client.floor + 1) {
    client.floor = last;
  } else {
    received.emplace(first, last);
  }
  return true;
}

std::vector<SeqRange> GapTracker::missing(std::uint64_t clientId) const {
  std::vector<SeqRange> out;
  const auto it = clients_.find(clientId);
  if (it == clients_.end()) return out;
  std::uint64_t expected = it->second.floor + 1;
  for (const auto& [first, last] : it->second.received) {
    if (first > expected) out.push_back({expected, first - 1});
    expected = last + 1;
  }
  return out;
}

std::uint64_t GapTracker::highest(std::uint64_t clientId) const {
  const auto it = clients_.find(clientId);
  if (it == clients_.end()) return 0;
  if (it->second.received.empty()) return it->second.floor;
  return it->second.received.rbegin()->second;
}

std::vector<std::uint64_t> GapTracker::clients() const {
  std::vector<std::uint64_t> out;
  out.reserve(clients_.size());
  for (const auto& entry : clients_) out.push_back(entry.first);
  return out;
}

std::string GapTracker::format(const std::vector<SeqRange>& ranges, std::size_t maxRanges) {
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
