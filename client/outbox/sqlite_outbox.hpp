#pragma once

#include <cstddef>
#include <cstdint>

#include "client/discovery/known_device.hpp"
#include "client/outbox/fill_alarm.hpp"
#include "client/outbox/outbox.hpp"
#include "client/outbox/sqlite_database.hpp"

namespace openmps::client::outbox {

// The outbox in the client's SQLite database (schema in sqlite_database.cpp).
class SqliteOutbox final : public Outbox {
 public:
  SqliteOutbox(Database& db, std::size_t maxItems, SentLogLimits sentLog = {});

  // Binds the outbox to the enrolled client. Batch numbers are per client:
  // a new client id starts again at 1. Throws when sealed batches of
  // another client are still waiting (they cannot be sent as the new one).
  void bindClient(std::uint64_t clientId);

  std::vector<std::uint64_t> commit(std::span<const NewReading> readings, WallTime now) override;
  std::optional<SealedBatch> nextBatch() override;
  std::optional<SealedBatch> formBatch(std::size_t maxItems, const Sealer& seal,
                                       WallTime now) override;
  void confirm(std::uint64_t batchSeq, WallTime now, const Delivery& delivery) override;
  void reject(std::uint64_t batchSeq, const std::string& reason, WallTime now) override;
  void deferred(std::uint64_t batchSeq, const std::string& error, WallTime now,
                WallTime nextAttempt) override;
  OutboxStats stats() override;

  // Rejected batches, for the operator (status).
  std::vector<SealedBatch> rejectedBatches();

 private:
  void logSent(const SentEnvelope& sent, const std::string& deflated);
  Database& db_;
  std::size_t maxItems_;
  SentLogLimits sentLog_;
  FillAlarm fillAlarm_;
};

class SqliteDeviceStore final : public discovery::DeviceStore {
 public:
  explicit SqliteDeviceStore(Database& db) : db_(db) {}
  std::vector<discovery::KnownDevice> loadDevices() override;
  void saveSweep(std::vector<discovery::KnownDevice>& changed,
                 std::optional<discovery::FinishedSweep> finished) override;
  std::optional<WallTime> lastSweep() override;

 private:
  Database& db_;
};

}  // namespace openmps::client::outbox
