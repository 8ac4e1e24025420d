#include "server/receiver/peer_gate.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::receiver;

TEST_CASE("the gate admits below both limits and frees on leave", "[server][receiver]") {
  PeerGate gate(3, 2);
  CHECK(gate.tryEnter("a") == GateAnswer::kAdmitted);
  CHECK(gate.tryEnter("a") == GateAnswer::kAdmitted);
  CHECK(gate.tryEnter("a") == GateAnswer::kPeerFull);  // a's share is taken
  CHECK(gate.tryEnter("b") == GateAnswer::kAdmitted);
  CHECK(gate.tryEnter("c") == GateAnswer::kListenerFull);
  CHECK(gate.held() == 3);
  CHECK(gate.heldBy("a") == 2);
  gate.leave("a");
  CHECK(gate.tryEnter("c") == GateAnswer::kAdmitted);
  gate.leave("nobody");  // never entered: no effect
  CHECK(gate.held() == 3);
}

TEST_CASE("a gate slot releases what it holds once", "[server][receiver]") {
  PeerGate gate(2, 1);
  {
    GateSlot first(gate, "a");
    CHECK(first.admitted());
    GateSlot second(gate, "a");
    CHECK(second.answer() == GateAnswer::kPeerFull);
    GateSlot moved = std::move(first);
    CHECK(gate.heldBy("a") == 1);
    moved.release();
    moved.release();
    CHECK(gate.heldBy("a") == 0);
    first = GateSlot(gate, "a");
    CHECK(gate.heldBy("a") == 1);
  }
  CHECK(gate.held() == 0);
}

TEST_CASE("a newcomer replacing a cut connection passes a full listener, not a full peer",
          "[server][receiver]") {
  PeerGate gate(1, 1);
  GateSlot held(gate, "a");
  CHECK(GateSlot(gate, "b").answer() == GateAnswer::kListenerFull);
  {
    const auto replacing = GateSlot::replacing(gate, "b");
    CHECK(replacing.admitted());
    CHECK(gate.held() == 2);
    CHECK(GateSlot::replacing(gate, "a").answer() == GateAnswer::kPeerFull);
  }
  CHECK(gate.held() == 1);
}
