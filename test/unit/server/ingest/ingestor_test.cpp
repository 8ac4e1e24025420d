#include "server/ingest/ingestor.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/seal.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

using namespace openmps;
using namespace openmps::server::ingest;

namespace {

// The store seam faked: pure logic of the Ingestor only.
class FakeStore : public IngestStore {
 public:
  std::optional<CollectorInfo> collector;
  std::map<std::uint64_t, Digest> digests;
  int stored = 0;
  bool unavailable = false;
  bool broken = false;  // storeBatch fails as a bug or a bad row would

  std::optional<CollectorInfo> findCollector(std::uint64_t clientId) override {
    if (unavailable) {
      throw StoreUnavailable("connection refused");
    }
    if (collector && collector->id == clientId) {
      return collector;
    }
    return std::nullopt;
  }
  StoreResult storeBatch(const CollectorInfo&, const envelope::Batch& batch, const Digest& digest,
                         std::string_view, std::string_view) override {
    if (broken) {
      throw std::runtime_error("value too long for type character varying(64)");
    }
    const auto it = digests.find(batch.batchSeq);
    if (it != digests.end()) {
      return {it->second == digest ? StoreStatus::kDuplicate : StoreStatus::kConflict, 0};
    }
    digests[batch.batchSeq] = digest;
    ++stored;
    return {StoreStatus::kStored, static_cast<std::int64_t>(batch.items.size())};
  }
};

const envelope::MasterKey kMaster = envelope::test::keyFilledWith(7);

int faultOf(const envelope::SubmitResult& r) {
  const auto* f = std::get_if<envelope::SubmitFault>(&r);
  return f == nullptr ? 0 : f->code;
}

std::string statusOf(const envelope::SubmitResult& r) {
  const auto* a = std::get_if<envelope::SubmitAck>(&r);
  return a == nullptr ? "" : a->status;
}

}  // namespace

TEST_CASE("stored, duplicate and conflict become ack, ack and fault 113", "[server][ingest]") {
  FakeStore store;
  store.collector = CollectorInfo{17, 5, false};
  const auto key = envelope::deriveClientKey(kMaster, 17);
  const auto batch = envelope::test::sampleBatch(17, 42, 3);
  const std::string sealed = envelope::sealBatch(batch, key);
  const auto first = ingestWithStore(store, kMaster, sealed, kCarrierXmlRpc, "peer", {});
  REQUIRE(statusOf(first) == "stored");
  const auto& ack = std::get<envelope::SubmitAck>(first);
  CHECK(ack.clientId == 17);
  CHECK(ack.batchSeq == 42);
  CHECK(ack.items == 3);
  // sealed again with a new nonce: the same content is a duplicate
  CHECK(statusOf(ingestWithStore(store, kMaster, envelope::sealBatch(batch, key), kCarrierHttps,
                                 "peer", {})) == "duplicate");
  auto other = batch;
  other.items[0].reading.counters["total"] = 99;
  CHECK(faultOf(ingestWithStore(store, kMaster, envelope::sealBatch(other, key), kCarrierMail,
                                "peer", {})) == envelope::kFaultReplayed);
  CHECK(store.stored == 1);
}

TEST_CASE("unknown, revoked and wrong-key clients are refused", "[server][ingest]") {
  FakeStore store;
  const auto batch = envelope::test::sampleBatch(17, 1, 1);
  const auto sealed = envelope::sealBatch(batch, envelope::deriveClientKey(kMaster, 17));
  CHECK(faultOf(ingestWithStore(store, kMaster, sealed, "x", "p", {})) ==
        envelope::kFaultUnknownClient);
  store.collector = CollectorInfo{17, 5, true};
  CHECK(faultOf(ingestWithStore(store, kMaster, sealed, "x", "p", {})) ==
        envelope::kFaultUnknownClient);
  store.collector = CollectorInfo{17, 5, false};
  const auto foreign = envelope::sealBatch(batch, envelope::test::keyFilledWith(9));
  CHECK(faultOf(ingestWithStore(store, kMaster, foreign, "x", "p", {})) ==
        envelope::kFaultWrongKey);
  CHECK(faultOf(ingestWithStore(store, kMaster, "garbage!", "x", "p", {})) ==
        envelope::kFaultGarbage);
  envelope::EnvelopeLimits small;
  small.maxSealedBytes = 10;
  CHECK(faultOf(ingestWithStore(store, kMaster, sealed, "x", "p", small)) ==
        envelope::kFaultOversize);
  CHECK(store.stored == 0);
}

TEST_CASE("the worker pool answers through the store and reconnects after an outage",
          "[server][ingest]") {
  std::atomic<int> created{0};
  std::atomic<bool> down{true};
  Ingestor ingestor(
      kMaster,
      [&]() -> std::unique_ptr<IngestStore> {
        ++created;
        auto store = std::make_unique<FakeStore>();
        store->collector = CollectorInfo{17, 5, false};
        store->unavailable = down.load();
        return store;
      },
      IngestOptions{1, 8, {}, {}});
  const auto sealed = envelope::sealBatch(envelope::test::sampleBatch(17, 1, 1),
                                          envelope::deriveClientKey(kMaster, 17));
  CHECK(faultOf(ingestor.ingest(sealed, kCarrierXmlRpc, "p")) == envelope::kFaultUnavailable);
  down = false;
  CHECK(statusOf(ingestor.ingest(sealed, kCarrierXmlRpc, "p")) == "stored");
  CHECK(created == 2);
  ingestor.stop();
  CHECK(faultOf(ingestor.ingest(sealed, kCarrierXmlRpc, "p")) == envelope::kFaultUnavailable);
}

TEST_CASE("a batch that fails to store for another reason than the database answers 202",
          "[server][ingest]") {
  // 202, not 201: the mailbox gives up on such a mail after a few tries and
  // goes on with the mail behind it; on 201 it waits for the database.
  Ingestor ingestor(
      kMaster,
      [] {
        auto store = std::make_unique<FakeStore>();
        store->collector = CollectorInfo{17, 5, false};
        store->broken = true;
        return store;
      },
      IngestOptions{1, 8, {}, {}});
  const auto sealed = envelope::sealBatch(envelope::test::sampleBatch(17, 1, 1),
                                          envelope::deriveClientKey(kMaster, 17));
  CHECK(faultOf(ingestor.ingest(sealed, kCarrierXmlRpc, "p")) == envelope::kFaultInternal);
  CHECK(envelope::isRetryableFault(envelope::kFaultInternal));
  ingestor.stop();
}

namespace {

// Holds every storeBatch until released, so the queue fills up.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool entered = false;
  bool open = false;
};

class BlockingStore : public FakeStore {
 public:
  explicit BlockingStore(Gate& gate) : gate_(gate) { collector = CollectorInfo{17, 5, false}; }
  StoreResult storeBatch(const CollectorInfo& c, const envelope::Batch& b, const Digest& d,
                         std::string_view carrier, std::string_view peer) override {
    std::unique_lock lock(gate_.mutex);
    gate_.entered = true;
    gate_.cv.notify_all();
    gate_.cv.wait(lock, [&] { return gate_.open; });
    return FakeStore::storeBatch(c, b, d, carrier, peer);
  }

 private:
  Gate& gate_;
};

}  // namespace

TEST_CASE("a full queue answers 201 instead of waiting without bound", "[server][ingest]") {
  Gate gate;
  Ingestor ingestor(
      kMaster, [&] { return std::make_unique<BlockingStore>(gate); }, IngestOptions{1, 1, {}, {}});
  const auto key = envelope::deriveClientKey(kMaster, 17);
  auto submit = [&](std::uint64_t seq) {
    return ingestor.ingestAsync(envelope::sealBatch(envelope::test::sampleBatch(17, seq, 1), key),
                                "x", "p");
  };
  auto a = submit(1);
  {
    std::unique_lock lock(gate.mutex);
    gate.cv.wait(lock, [&] { return gate.entered; });  // the worker holds batch 1
  }
  auto b = submit(2);  // waits in the queue (length 1)
  auto c = submit(3);  // refused at once
  REQUIRE(c.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(faultOf(c.get()) == envelope::kFaultUnavailable);
  {
    const std::lock_guard lock(gate.mutex);
    gate.open = true;
  }
  gate.cv.notify_all();
  CHECK(statusOf(a.get()) == "stored");
  CHECK(statusOf(b.get()) == "stored");
}

TEST_CASE("the client's allowance is charged only for envelopes its key sealed",
          "[server][ingest]") {
  // A stranger knows the victim's id (it travels in clear) but not its key:
  // forged envelopes are refused before the allowance is asked, so they
  // can neither use it up nor lock the collector out.
  FakeStore store;
  store.collector = CollectorInfo{17, 5, false};
  int asked = 0;
  bool allow = true;
  const ClientAdmission admit = [&](std::uint64_t clientId, std::string_view) {
    CHECK(clientId == 17);
    ++asked;
    return allow;
  };
  const auto batch = envelope::test::sampleBatch(17, 1, 1);
  std::string forged = envelope::sealBatch(batch, envelope::test::keyFilledWith(9));
  for (int i = 0; i < 50; ++i) {
    CHECK(faultOf(ingestWithStore(store, kMaster, forged, "xmlrpc", "attacker", {}, admit)) ==
          envelope::kFaultWrongKey);
  }
  std::string tampered = envelope::sealBatch(batch, envelope::deriveClientKey(kMaster, 17));
  tampered[tampered.size() - 1] ^= 1;
  CHECK(faultOf(ingestWithStore(store, kMaster, tampered, "xmlrpc", "attacker", {}, admit)) ==
        envelope::kFaultTampered);
  CHECK(asked == 0);
  const std::string real = envelope::sealBatch(batch, envelope::deriveClientKey(kMaster, 17));
  CHECK(statusOf(ingestWithStore(store, kMaster, real, "xmlrpc", "victim", {}, admit)) == "stored");
  CHECK(asked == 1);
  // When the real client is over its allowance, nothing is stored: fault 200.
  allow = false;
  const std::string next = envelope::sealBatch(envelope::test::sampleBatch(17, 2, 1),
                                               envelope::deriveClientKey(kMaster, 17));
  CHECK(faultOf(ingestWithStore(store, kMaster, next, "xmlrpc", "victim", {}, admit)) ==
        envelope::kFaultRateLimited);
  CHECK(store.stored == 1);
}
