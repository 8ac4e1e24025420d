#include "client/outbox/sqlite_outbox.hpp"

#include <algorithm>

#include "shared/envelope/seal.hpp"
#include "shared/envelope/seal_internal.hpp"
#include "shared/model/reading_json.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::outbox {
namespace {

constexpr std::string_view kLog = "outbox";

struct StateRow {
  std::uint64_t clientId = 0;
  std::uint64_t lastItemSeq = 0;
  std::uint64_t lastBatchSeq = 0;
  std::uint64_t lastBatchedItem = 0;
  std::uint64_t storedItems = 0;
};

std::uint64_t u64(std::int64_t v) {
  return static_cast<std::uint64_t>(v);
}
std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

StateRow readState(Database& db) {
  auto& q = db.statement(
      "SELECT client_id, last_item_seq, last_batch_seq, last_batched_item, stored_items "
      "FROM state WHERE id = 1");
  if (!q.step()) {
    throw DatabaseError(db.path().string() + ": state row missing");
  }
  StateRow row{u64(q.integer(0)), u64(q.integer(1)), u64(q.integer(2)), u64(q.integer(3)),
               u64(q.integer(4))};
  q.reset();
  return row;
}

std::string joinConditions(const std::vector<std::string>& conditions) {
  std::string out;
  for (const auto& c : conditions) {
    out += (out.empty() ? "" : ",") + c;
  }
  return out;
}

std::vector<std::string> splitConditions(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    if (end > start) {
      out.push_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

SealedBatch batchFromRow(const Statement& q) {
  SealedBatch b;
  b.batchSeq = u64(q.integer(0));
  b.envelope = q.blob(1);
  b.firstItem = u64(q.integer(2));
  b.lastItem = u64(q.integer(3));
  b.items = static_cast<std::size_t>(q.integer(4));
  b.attempts = static_cast<int>(q.integer(5));
  b.createdAt = fromUnixMillis(q.integer(6));
  if (const auto next = q.optionalInteger(7)) {
    b.nextAttemptAt = fromUnixMillis(*next);
  }
  b.lastError = q.text(8);
  b.clientId = u64(q.integer(9));
  return b;
}

}  // namespace

SqliteOutbox::SqliteOutbox(Database& db, std::size_t maxItems, SentLogLimits sentLog)
    : db_(db), maxItems_(maxItems), sentLog_(sentLog) {}

void SqliteOutbox::bindClient(std::uint64_t clientId) {
  Database::Transaction txn(db_);
  const StateRow state = readState(db_);
  if (state.clientId == clientId) {
    return;
  }
  auto& pending =
      db_.statement("SELECT COUNT(*) FROM batches WHERE state = 'pending' AND client_id != ?");
  pending.bind(1, i64(clientId));
  pending.step();
  const auto others = pending.integer(0);
  pending.reset();
  if (others > 0) {
    throw DatabaseError(db_.path().string() + ": " + std::to_string(others) +
                        " sealed batches of client " + std::to_string(state.clientId) +
                        " are still waiting to be sent; they cannot be sent as client " +
                        std::to_string(clientId));
  }
  db_.statement("UPDATE state SET client_id = ?, last_batch_seq = 0 WHERE id = 1")
      .bind(1, i64(clientId))
      .run();
  txn.commit();
}

std::vector<std::uint64_t> SqliteOutbox::commit(std::span<const NewReading> readings,
                                                WallTime now) {
  std::vector<std::uint64_t> seqs;
  if (readings.empty()) {
    return seqs;
  }
  Database::Transaction txn(db_);
  StateRow state = readState(db_);
  if (state.storedItems + readings.size() > maxItems_) {
    throw OutboxFull("the outbox holds " + std::to_string(state.storedItems) +
                     " readings, its maximum is " + std::to_string(maxItems_) +
                     " (outbox.max_items)");
  }
  auto& insert = db_.statement(
      "INSERT INTO items(seq, device, kind, urgent, committed_at, reading) VALUES (?, ?, ?, ?, ?, "
      "?)");
  auto& device = db_.statement(
      "UPDATE devices SET "
      "last_meter_at = CASE WHEN ?2 THEN ?3 ELSE last_meter_at END, "
      "last_status_at = ?3, status_digest = ?4, critical = ?5, ever_online = ?6, "
      "meter_readings = meter_readings + ?2, status_readings = status_readings + (1 - ?2) "
      "WHERE id = ?1");
  const std::int64_t nowMs = toUnixMillis(now);
  for (const NewReading& r : readings) {
    const std::uint64_t seq = ++state.lastItemSeq;
    const bool meter = r.reading.kind == model::ReadingKind::kMeter;
    insert.bind(1, i64(seq))
        .bind(2, i64(r.state.device))
        .bind(3, std::string_view(model::toString(r.reading.kind)))
        .bind(4, std::int64_t{r.urgent ? 1 : 0})
        .bind(5, nowMs)
        .bind(6, model::readingToJson(r.reading))
        .run();
    if (r.state.device != 0) {
      device.bind(1, i64(r.state.device))
          .bind(2, std::int64_t{meter ? 1 : 0})
          .bind(3, toUnixMillis(r.reading.readAt))
          .bind(4, r.state.statusDigest)
          .bind(5, joinConditions(r.state.critical))
          .bind(6, std::int64_t{r.state.everOnline ? 1 : 0})
          .run();
    }
    seqs.push_back(seq);
  }
  db_.statement("UPDATE state SET last_item_seq = ?, stored_items = stored_items + ? WHERE id = 1")
      .bind(1, i64(state.lastItemSeq))
      .bind(2, static_cast<std::int64_t>(readings.size()))
      .run();
  txn.commit();
  const std::size_t stored = state.storedItems + readings.size();
  if (const auto level = fillAlarm_.update(stored, maxItems_)) {
    util::logWarning(kLog) << "the outbox is " << *level << " % full (" << stored << " of "
                           << maxItems_ << " readings, outbox.max_items): the server has not "
                           << "confirmed batches for a while; at 100 % new readings are refused";
  }
  return seqs;
}

std::optional<SealedBatch> SqliteOutbox::nextBatch() {
  auto& q = db_.statement(
      "SELECT batch_seq, envelope, first_item, last_item, items, attempts, created_at, "
      "next_attempt_at, last_error, client_id FROM batches WHERE state = 'pending' ORDER BY "
      "batch_seq LIMIT "
      "1");
  if (!q.step()) {
    return std::nullopt;
  }
  SealedBatch b = batchFromRow(q);
  q.reset();
  return b;
}

std::optional<SealedBatch> SqliteOutbox::formBatch(std::size_t maxItems, const Sealer& seal,
                                                   WallTime now) {
  Database::Transaction txn(db_);
  const StateRow state = readState(db_);
  auto& select = db_.statement("SELECT seq, reading FROM items WHERE seq > ? ORDER BY seq LIMIT ?");
  select.bind(1, i64(state.lastBatchedItem)).bind(2, static_cast<std::int64_t>(maxItems));
  envelope::Batch batch;
  batch.batchSeq = state.lastBatchSeq + 1;
  batch.clientId = state.clientId;
  batch.createdAt = now;
  while (select.step()) {
    const auto seq = u64(select.integer(0));
    try {
      batch.items.push_back({seq, model::readingFromJson(select.text(1))});
    } catch (const std::exception& e) {
      select.reset();
      throw DatabaseError(db_.path().string() + ": item " + std::to_string(seq) +
                          " cannot be read back: " + e.what());
    }
  }
  select.reset();
  if (batch.items.empty()) {
    return std::nullopt;
  }

  // An envelope above the receiver's limit would be refused for good:
  // halve the batch until it fits.
  const std::size_t limit = envelope::EnvelopeLimits{}.maxSealedBytes;
  std::string sealed = seal(batch);
  while (sealed.size() > limit && batch.items.size() > 1) {
    batch.items.resize(batch.items.size() / 2);
    sealed = seal(batch);
  }

  SealedBatch out;
  out.clientId = batch.clientId;
  out.batchSeq = batch.batchSeq;
  out.envelope = std::move(sealed);
  out.firstItem = batch.items.front().seq;
  out.lastItem = batch.items.back().seq;
  out.items = batch.items.size();
  out.createdAt = now;
  // Kept for the sent-envelope log: the plain payload of what was sealed.
  const std::string plain = envelope::internal::deflate(envelope::encodeBatch(batch));
  db_.statement(
         "INSERT INTO batches(batch_seq, client_id, first_item, last_item, items, envelope, "
         "created_at, state, plain) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)")
      .bind(1, i64(out.batchSeq))
      .bind(2, i64(batch.clientId))
      .bind(3, i64(out.firstItem))
      .bind(4, i64(out.lastItem))
      .bind(5, static_cast<std::int64_t>(out.items))
      .bindBlob(6, out.envelope)
      .bind(7, toUnixMillis(now))
      .bindBlob(8, plain)
      .run();
  db_.statement("UPDATE state SET last_batch_seq = ?, last_batched_item = ? WHERE id = 1")
      .bind(1, i64(out.batchSeq))
      .bind(2, i64(out.lastItem))
      .run();
  txn.commit();
  return out;
}

void SqliteOutbox::confirm(std::uint64_t batchSeq, WallTime now, const Delivery& delivery) {
  Database::Transaction txn(db_);
  auto& q = db_.statement(
      "SELECT first_item, last_item, items, client_id, length(envelope), COALESCE(plain, x'') "
      "FROM batches WHERE batch_seq = ? AND state = 'pending'");
  q.bind(1, i64(batchSeq));
  if (!q.step()) {
    return;  // confirmed before (a resend after a crash)
  }
  const auto first = q.integer(0);
  const auto last = q.integer(1);
  const auto items = q.integer(2);
  const auto clientId = q.integer(3);
  const auto sealedBytes = q.integer(4);
  const std::string plain = q.blob(5);
  q.reset();
  logSent(SentEnvelope{0, now, delivery.carrier, delivery.server, u64(clientId), batchSeq,
                       static_cast<std::size_t>(items), static_cast<std::size_t>(sealedBytes)},
          plain);
  db_.statement("DELETE FROM items WHERE seq BETWEEN ? AND ?").bind(1, first).bind(2, last).run();
  db_.statement("DELETE FROM batches WHERE batch_seq = ? AND state = 'pending'")
      .bind(1, i64(batchSeq))
      .run();
  db_.statement(
         "UPDATE state SET stored_items = stored_items - ?1, confirmed_items = confirmed_items + "
         "?1, confirmed_batches = confirmed_batches + 1, last_confirm_at = ?2, last_send_error = "
         "'' WHERE id = 1")
      .bind(1, items)
      .bind(2, toUnixMillis(now))
      .run();
  txn.commit();
}

// Inside the caller's transaction: the entry and the confirmation are one.
void SqliteOutbox::logSent(const SentEnvelope& sent, const std::string& deflated) {
  db_.statement(
         "INSERT INTO sent_envelopes(sent_at, carrier, server, client_id, batch_seq, readings, "
         "sealed_bytes, content_bytes, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, toUnixMillis(sent.sentAt))
      .bind(2, sent.carrier)
      .bind(3, sent.server)
      .bind(4, i64(sent.clientId))
      .bind(5, i64(sent.batchSeq))
      .bind(6, static_cast<std::int64_t>(sent.readings))
      .bind(7, static_cast<std::int64_t>(sent.sealedBytes))
      .bind(8, static_cast<std::int64_t>(deflated.size()))
      .bindBlob(9, deflated)
      .run();
  // Oldest first out, beyond the count or the bytes; the newest stays.
  db_.statement(
         "DELETE FROM sent_envelopes WHERE id IN (SELECT id FROM (SELECT id, COUNT(*) OVER w AS n, "
         "SUM(content_bytes) OVER w AS bytes FROM sent_envelopes WINDOW w AS (ORDER BY id DESC "
         "ROWS UNBOUNDED PRECEDING)) WHERE n > 1 AND (n > ?1 OR bytes > ?2))")
      .bind(1, static_cast<std::int64_t>(sentLog_.maxEntries))
      .bind(2, static_cast<std::int64_t>(sentLog_.maxBytes))
      .run();
}

void SqliteOutbox::reject(std::uint64_t batchSeq, const std::string& reason, WallTime now) {
  Database::Transaction txn(db_);
  db_.statement(
         "UPDATE batches SET state = 'rejected', rejected_at = ?, last_error = ?, attempts = "
         "attempts + 1 WHERE batch_seq = ? AND state = 'pending'")
      .bind(1, toUnixMillis(now))
      .bind(2, reason)
      .bind(3, i64(batchSeq))
      .run();
  db_.statement("UPDATE state SET last_send_error = ?, last_send_error_at = ? WHERE id = 1")
      .bind(1, "batch " + std::to_string(batchSeq) + " rejected: " + reason)
      .bind(2, toUnixMillis(now))
      .run();
  txn.commit();
}

void SqliteOutbox::deferred(std::uint64_t batchSeq, const std::string& error, WallTime now,
                            WallTime nextAttempt) {
  Database::Transaction txn(db_);
  db_.statement(
         "UPDATE batches SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE "
         "batch_seq = ? AND state = 'pending'")
      .bind(1, error)
      .bind(2, toUnixMillis(nextAttempt))
      .bind(3, i64(batchSeq))
      .run();
  db_.statement("UPDATE state SET last_send_error = ?, last_send_error_at = ? WHERE id = 1")
      .bind(1, error)
      .bind(2, toUnixMillis(now))
      .run();
  txn.commit();
}

OutboxStats SqliteOutbox::stats() {
  OutboxStats s;
  s.maxItems = maxItems_;
  auto& q = db_.statement(
      "SELECT last_item_seq, last_batch_seq, last_batched_item, stored_items, confirmed_items, "
      "confirmed_batches, last_confirm_at, last_send_error, last_send_error_at FROM state WHERE id "
      "= 1");
  if (!q.step()) {
    throw DatabaseError(db_.path().string() + ": state row missing");
  }
  s.lastItemSeq = u64(q.integer(0));
  s.lastBatchSeq = u64(q.integer(1));
  const auto lastBatched = q.integer(2);
  s.storedItems = u64(q.integer(3));
  s.confirmedItems = u64(q.integer(4));
  s.confirmedBatches = u64(q.integer(5));
  if (const auto t = q.optionalInteger(6)) {
    s.lastConfirmAt = fromUnixMillis(*t);
  }
  s.lastSendError = q.text(7);
  if (const auto t = q.optionalInteger(8)) {
    s.lastSendErrorAt = fromUnixMillis(*t);
  }
  q.reset();
  s.queuedItems = s.lastItemSeq - u64(lastBatched);

  auto& b =
      db_.statement("SELECT state, COUNT(*), COALESCE(SUM(items), 0) FROM batches GROUP BY state");
  while (b.step()) {
    if (b.text(0) == "pending") {
      s.pendingBatches = u64(b.integer(1));
      s.batchedItems = u64(b.integer(2));
    } else {
      s.rejectedBatches = u64(b.integer(1));
      s.rejectedItems = u64(b.integer(2));
    }
  }
  b.reset();
  if (s.queuedItems > 0) {
    auto& u = db_.statement("SELECT MIN(committed_at), MAX(urgent) FROM items WHERE seq > ?");
    u.bind(1, lastBatched);
    if (u.step()) {
      if (const auto t = u.optionalInteger(0)) {
        s.oldestQueuedAt = fromUnixMillis(*t);
      }
      s.urgentQueued = u.integer(1) != 0;
    }
    u.reset();
  }
  return s;
}

std::vector<SealedBatch> SqliteOutbox::rejectedBatches() {
  std::vector<SealedBatch> out;
  auto& q = db_.statement(
      "SELECT batch_seq, envelope, first_item, last_item, items, attempts, created_at, "
      "next_attempt_at, last_error, client_id FROM batches WHERE state = 'rejected' ORDER BY "
      "batch_seq");
  while (q.step()) {
    out.push_back(batchFromRow(q));
  }
  q.reset();
  return out;
}

std::vector<discovery::KnownDevice> SqliteDeviceStore::loadDevices() {
  std::vector<discovery::KnownDevice> out;
  auto& q = db_.statement(
      "SELECT id, address, port, credential, serial, mac, sys_object_id, sys_descr, sys_name, "
      "first_seen, last_seen, last_meter_at, last_status_at, status_digest, critical, "
      "ever_online, meter_readings, status_readings FROM devices ORDER BY id");
  while (q.step()) {
    discovery::KnownDevice d;
    d.id = u64(q.integer(0));
    d.address = q.text(1);
    d.port = static_cast<std::uint16_t>(q.integer(2));
    d.credential = q.text(3);
    d.serial = q.text(4);
    d.mac = q.text(5);
    d.sysObjectId = q.text(6);
    d.sysDescr = q.text(7);
    d.sysName = q.text(8);
    d.firstSeen = fromUnixMillis(q.integer(9));
    d.lastSeen = fromUnixMillis(q.integer(10));
    if (const auto t = q.optionalInteger(11)) {
      d.lastMeterAt = fromUnixMillis(*t);
    }
    if (const auto t = q.optionalInteger(12)) {
      d.lastStatusAt = fromUnixMillis(*t);
    }
    d.statusDigest = q.text(13);
    d.critical = splitConditions(q.text(14));
    d.everOnline = q.integer(15) != 0;
    d.meterReadings = u64(q.integer(16));
    d.statusReadings = u64(q.integer(17));
    out.push_back(std::move(d));
  }
  q.reset();
  return out;
}

void SqliteDeviceStore::saveSweep(std::vector<discovery::KnownDevice>& changed,
                                  std::optional<discovery::FinishedSweep> finished) {
  Database::Transaction txn(db_);
  auto& insert = db_.statement(
      "INSERT INTO devices(address, port, credential, serial, mac, sys_object_id, sys_descr, "
      "sys_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto& update = db_.statement(
      "UPDATE devices SET address = ?, port = ?, credential = ?, serial = ?, mac = ?, "
      "sys_object_id = ?, sys_descr = ?, sys_name = ?, last_seen = ? WHERE id = ?");
  for (auto& d : changed) {
    Statement& s = d.id == 0 ? insert : update;
    s.bind(1, d.address)
        .bind(2, std::int64_t{d.port})
        .bind(3, d.credential)
        .bind(4, d.serial)
        .bind(5, d.mac)
        .bind(6, d.sysObjectId)
        .bind(7, d.sysDescr)
        .bind(8, d.sysName);
    if (d.id == 0) {
      s.bind(9, toUnixMillis(d.firstSeen)).bind(10, toUnixMillis(d.lastSeen)).run();
      d.id = u64(db_.lastInsertRowid());
    } else {
      s.bind(9, toUnixMillis(d.lastSeen)).bind(10, i64(d.id)).run();
    }
  }
  if (finished) {
    db_.statement("UPDATE state SET last_sweep_at = ?, last_sweep_found = ? WHERE id = 1")
        .bind(1, toUnixMillis(finished->startedAt))
        .bind(2, static_cast<std::int64_t>(finished->printersFound))
        .run();
  }
  txn.commit();
}

std::optional<WallTime> SqliteDeviceStore::lastSweep() {
  auto& q = db_.statement("SELECT last_sweep_at FROM state WHERE id = 1");
  std::optional<WallTime> out;
  if (q.step()) {
    if (const auto t = q.optionalInteger(0)) {
      out = fromUnixMillis(*t);
    }
  }
  q.reset();
  return out;
}

}  // namespace openmps::client::outbox
