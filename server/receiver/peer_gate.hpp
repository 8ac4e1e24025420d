#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

// Counts what a listener holds (connections, or connections still in their
// TLS handshake or request) in total and per source address, and admits one
// more only below both limits. Thread-safe; the table holds only addresses
// with something held, so it is bounded by the total limit.
namespace openmps::server::receiver {

enum class GateAnswer { kAdmitted, kListenerFull, kPeerFull };

class PeerGate {
 public:
  PeerGate(std::size_t total, std::size_t perPeer);

  GateAnswer tryEnter(const std::string& peer);
  // Enters beyond the listener's total (not beyond the peer's share): for
  // a newcomer that takes the place of a connection being cut.
  GateAnswer enterReplacing(const std::string& peer);
  void leave(const std::string& peer);
  std::size_t held() const;
  std::size_t heldBy(const std::string& peer) const;

 private:
  std::size_t total_;
  std::size_t perPeer_;
  mutable std::mutex mutex_;
  std::size_t held_ = 0;
  std::unordered_map<std::string, std::size_t> byPeer_;
};

// One admission, released when it goes out of scope.
class GateSlot {
 public:
  GateSlot() = default;
  GateSlot(PeerGate& gate, std::string peer);
  // PeerGate::enterReplacing.
  static GateSlot replacing(PeerGate& gate, std::string peer);
  ~GateSlot();
  GateSlot(GateSlot&& other) noexcept;
  GateSlot& operator=(GateSlot&& other) noexcept;
  GateSlot(const GateSlot&) = delete;
  GateSlot& operator=(const GateSlot&) = delete;

  GateAnswer answer() const { return answer_; }
  bool admitted() const { return answer_ == GateAnswer::kAdmitted; }
  void release();

 private:
  PeerGate* gate_ = nullptr;
  std::string peer_;
  GateAnswer answer_ = GateAnswer::kListenerFull;
};

}  // namespace openmps::server::receiver
