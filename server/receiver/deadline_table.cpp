#include "server/receiver/deadline_table.hpp"

namespace openmps::server::receiver {

const char* toString(Phase phase) {
  switch (phase) {
    case Phase::kHandshake: return "TLS handshake";
    case Phase::kRequest: return "request";
    case Phase::kIdle: return "wait for the next request";
    case Phase::kAnswer: return "answer";
  }
  return "?";
}

DeadlineTable::Id DeadlineTable::add(int fd) {
  const Id id = nextId_++;
  entries_[id].fd = fd;
  return id;
}

void DeadlineTable::arm(Id id, Time now, std::chrono::nanoseconds within, Phase phase) {
  const auto it = entries_.find(id);
  if (it == entries_.end() || it->second.cut) return;
  Entry& e = it->second;
  if (!e.deadline || e.phase != phase) e.since = now;
  e.deadline = now + within;
  e.phase = phase;
}

void DeadlineTable::disarm(Id id) {
  const auto it = entries_.find(id);
  if (it != entries_.end()) it->second.deadline.reset();
}

void DeadlineTable::remove(Id id) {
  entries_.erase(id);
}

DeadlineTable::Cut DeadlineTable::markCut(Id id, Entry& e, CutReason reason) {
  e.cut = reason;
  return Cut{id, e.fd, e.phase, reason};
}

std::vector<DeadlineTable::Cut> DeadlineTable::expire(Time now) {
  std::vector<Cut> out;
  for (auto& [id, e] : entries_) {
    if (e.cut || !e.deadline || *e.deadline > now) continue;
    out.push_back(markCut(id, e, CutReason::kDeadline));
  }
  return out;
}

std::vector<DeadlineTable::Cut> DeadlineTable::cutPending() {
  std::vector<Cut> out;
  for (auto& [id, e] : entries_) {
    if (e.cut || !e.deadline || e.phase == Phase::kAnswer) continue;
    out.push_back(markCut(id, e, CutReason::kStopping));
  }
  return out;
}

std::optional<DeadlineTable::Cut> DeadlineTable::evictOldest(Time now,
                                                             std::chrono::nanoseconds minAge) {
  Entry* oldest = nullptr;
  Id oldestId = 0;
  for (auto& [id, e] : entries_) {
    if (e.cut || !e.deadline || (e.phase != Phase::kHandshake && e.phase != Phase::kRequest) ||
        now - e.since < minAge) {
      continue;
    }
    if (oldest == nullptr || e.since < oldest->since) {
      oldest = &e;
      oldestId = id;
    }
  }
  if (oldest == nullptr) return std::nullopt;
  return markCut(oldestId, *oldest, CutReason::kEvicted);
}

std::optional<DeadlineTable::Time> DeadlineTable::next() const {
  std::optional<Time> earliest;
  for (const auto& [id, e] : entries_) {
    if (e.cut || !e.deadline) continue;
    if (!earliest || *e.deadline < *earliest) earliest = e.deadline;
  }
  return earliest;
}

std::optional<DeadlineTable::Cut> DeadlineTable::cutOf(Id id) const {
  const auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.cut) return std::nullopt;
  return Cut{id, it->second.fd, it->second.phase, *it->second.cut};
}

}  // namespace openmps::server::receiver
