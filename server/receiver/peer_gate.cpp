#include "server/receiver/peer_gate.hpp"

#include <utility>

namespace openmps::server::receiver {

PeerGate::PeerGate(std::size_t total, std::size_t perPeer) : total_(total), perPeer_(perPeer) {}

GateAnswer PeerGate::tryEnter(const std::string& peer) {
  const std::lock_guard lock(mutex_);
  // The peer's own share first: the more specific reason for the log.
  const auto it = byPeer_.find(peer);
  if (perPeer_ == 0 || (it != byPeer_.end() && it->second >= perPeer_)) {
    return GateAnswer::kPeerFull;
  }
  if (held_ >= total_) return GateAnswer::kListenerFull;
  ++held_;
  ++byPeer_[peer];
  return GateAnswer::kAdmitted;
}

GateAnswer PeerGate::enterReplacing(const std::string& peer) {
  const std::lock_guard lock(mutex_);
  const auto it = byPeer_.find(peer);
  if (perPeer_ == 0 || (it != byPeer_.end() && it->second >= perPeer_)) {
    return GateAnswer::kPeerFull;
  }
  ++held_;
  ++byPeer_[peer];
  return GateAnswer::kAdmitted;
}

void PeerGate::leave(const std::string& peer) {
  const std::lock_guard lock(mutex_);
  const auto it = byPeer_.find(peer);
  if (it == byPeer_.end()) return;
  --held_;
  if (--it->second == 0) byPeer_.erase(it);
}

std::size_t PeerGate::held() const {
  const std::lock_guard lock(mutex_);
  return held_;
}

std::size_t PeerGate::heldBy(const std::string& peer) const {
  const std::lock_guard lock(mutex_);
  const auto it = byPeer_.find(peer);
  return it == byPeer_.end() ? 0 : it->second;
}

GateSlot::GateSlot(PeerGate& gate, std::string peer)
    : gate_(&gate), peer_(std::move(peer)), answer_(gate.tryEnter(peer_)) {
  if (answer_ != GateAnswer::kAdmitted) gate_ = nullptr;
}

GateSlot GateSlot::replacing(PeerGate& gate, std::string peer) {
  GateSlot slot;
  slot.peer_ = std::move(peer);
  slot.answer_ = gate.enterReplacing(slot.peer_);
  if (slot.answer_ == GateAnswer::kAdmitted) slot.gate_ = &gate;
  return slot;
}

GateSlot::~GateSlot() {
  release();
}

GateSlot::GateSlot(GateSlot&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)),
      peer_(std::move(other.peer_)),
      answer_(other.answer_) {}

GateSlot& GateSlot::operator=(GateSlot&& other) noexcept {
  if (this != &other) {
    release();
    gate_ = std::exchange(other.gate_, nullptr);
    peer_ = std::move(other.peer_);
    answer_ = other.answer_;
  }
  return *this;
}

void GateSlot::release() {
  if (gate_ != nullptr) gate_->leave(peer_);
  gate_ = nullptr;
}

}  // namespace openmps::server::receiver
