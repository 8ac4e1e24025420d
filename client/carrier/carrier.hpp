#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The seam between the outbox and the network: a carrier takes the sealed
// envelope bytes of one batch to the server and says what became of them.
// Adapters are named after their technology (curl_xmlrpc_carrier for
// XML-RPC over TLS and HTTPS; smtp_carrier for e-mail).
namespace openmps::client::carrier {

enum class SendStatus {
  kStored,     // the server stored the batch now
  kDuplicate,  // the server had it already (a resend): as good as stored
  kRetryable,  // not delivered for now; send the same bytes again later
  kPermanent,  // will not succeed by waiting; see SendResult::batchRefused
};

struct SendResult {
  SendResult() = default;
  SendResult(SendStatus s, std::string why, bool refused = false)
      : status(s), detail(std::move(why)), batchRefused(refused) {}

  SendStatus status = SendStatus::kRetryable;
  // What happened and where, for the log. Never contains a secret.
  std::string detail;
  // kPermanent only. True: the server read this very envelope and will
  // never take it (tampered, replayed, malformed): the outbox sets it aside.
  // False: the carrier or the enrollment is wrong (certificate fingerprint
  // mismatch, unknown client, wrong key): every batch would fail alike, so
  // the batch stays queued until an operator fixes the setting.
  bool batchRefused = false;
  // With batchRefused: not the server but this route refused the envelope
  // (an SMTP server that will not relay this mail: too large, taken for
  // spam). Another route may still deliver it.
  bool refusedByRoute = false;
  // The route that answered, when a carrier has several (FailoverCarrier).
  std::string route;

  bool delivered() const {
    return status == SendStatus::kStored || status == SendStatus::kDuplicate;
  }
  // The server's clock when it answered (its HTTP Date header), if it
  // said: the daemon warns when this machine's clock is far off, because
  // readings carry this machine's time.
  std::optional<std::chrono::system_clock::time_point> serverTime;
};

const char* toString(SendStatus status);

class Carrier {
 public:
  virtual ~Carrier() = default;
  // Where it sends, for logs and status ("xmlrpcs://mps.example.net:52004").
  virtual std::string name() const = 0;
  // Blocks until the server answered or the carrier's timeouts expired.
  virtual SendResult send(std::uint64_t clientId, std::uint64_t batchSeq,
                          std::string_view sealed) = 0;
};

// Tries the servers of an enrollment in their order of preference: the
// first that delivers wins; a retryable failure moves on to the next. A
// permanent answer ends the attempt at once (another route would only get
// the same answer from the same server).
class FailoverCarrier final : public Carrier {
 public:
  explicit FailoverCarrier(std::vector<std::unique_ptr<Carrier>> routes);
  std::string name() const override;
  SendResult send(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view sealed) override;
  // The route that delivered last; the next batch starts with it, so one
  // dead route costs one timeout per outage rather than one per batch.
  std::size_t preferred() const { return preferred_; }

 private:
  std::vector<std::unique_ptr<Carrier>> routes_;
  std::size_t preferred_ = 0;
};

}  // namespace openmps::client::carrier
