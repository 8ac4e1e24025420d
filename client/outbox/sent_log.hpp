#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The sent-envelope log: every envelope the server confirmed, with when,
// which carrier, which server, how many readings, and the plain payload
// that was sealed (the client cannot open what it sealed, so it keeps what
// it sealed, deflated). Customer IT reads it to see exactly what left the
// network. Written by SqliteOutbox::confirm in the transaction that marks
// the batch sent; bounded by count and bytes, oldest dropped first.
namespace openmps::client::outbox {

using WallTime = std::chrono::system_clock::time_point;

// How a batch left: carrier is "xmlrpc", "https" or "email" (carrierOf),
// server the route that delivered ("xmlrpcs://mps.example.net:52004").
struct Delivery {
  std::string carrier;
  std::string server;
};

// The carrier name of a server address of the enrollment.
std::string carrierOf(std::string_view server);

struct SentEnvelope {
  std::uint64_t id = 0;  // increasing; newer envelopes have larger ids
  WallTime sentAt{};
  std::string carrier;
  std::string server;
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;
  std::size_t readings = 0;
  std::size_t sealedBytes = 0;
};

struct SentEnvelopeContent {
  SentEnvelope envelope;
  // The batch payload exactly as it was sealed: JSON, shared/README.md
  // "The batch".
  std::string content;
};

struct SentLogLimits {
  std::size_t maxEntries = 1000;
  std::size_t maxBytes = std::size_t{32} << 20;  // deflated payloads together
};

class SentEnvelopeLog {
 public:
  virtual ~SentEnvelopeLog() = default;
  // Newest first; before: only ids below it (the next page).
  virtual std::vector<SentEnvelope> list(std::size_t limit,
                                         std::optional<std::uint64_t> before) = 0;
  // nullopt when there is no such entry (never was, or dropped as oldest).
  virtual std::optional<SentEnvelopeContent> get(std::uint64_t id) = 0;
};

// Reads the log from the client database over its own connection, so the
// local UI's threads never share the daemon's. Thread-safe.
class SqliteSentEnvelopeLog final : public SentEnvelopeLog {
 public:
  explicit SqliteSentEnvelopeLog(std::filesystem::path databasePath);
  ~SqliteSentEnvelopeLog() override;
  SqliteSentEnvelopeLog(const SqliteSentEnvelopeLog&) = delete;
  SqliteSentEnvelopeLog& operator=(const SqliteSentEnvelopeLog&) = delete;

  std::vector<SentEnvelope> list(std::size_t limit, std::optional<std::uint64_t> before) override;
  std::optional<SentEnvelopeContent> get(std::uint64_t id) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::outbox
