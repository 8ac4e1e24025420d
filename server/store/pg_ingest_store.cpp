// The PostgreSQL side of ingest: fetch what the database knows about the
// batch's devices, let the planner (server/ingest/batch_planner.hpp) decide,
// and write its plan in the batch's one transaction.
#include "server/store/pg_ingest_store.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <pqxx/pqxx>

#include "server/events/event.hpp"
#include "server/ingest/batch_planner.hpp"
#include "server/store/latest_json.hpp"
#include "server/store/pg_array.hpp"
#include "server/store/pg_copy.hpp"
#include "server/store/row_text.hpp"
#include "shared/envelope/sequence.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::store {
namespace {

using ingest::CollectorInfo;
using ingest::Digest;
using ingest::KnownDevice;
using ingest::StoredDevice;
using ingest::StoreResult;
using ingest::StoreStatus;
using TimePoint = std::chrono::system_clock::time_point;

constexpr int kMaxAttempts = 4;
constexpr std::int16_t kFlagBackwards = 1;

// ---- the statements of this adapter, by name -------------------------------
// Prepared on the connection (one round trip each):
constexpr const char* kInsertBatch = "ingest_insert_batch";
constexpr const char* kInsertBatchSql =
    "INSERT INTO ingest_batches (collector_id, batch_seq, digest, carrier, peer, items, "
    "items_stored, created_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8) "
    "ON CONFLICT (collector_id, batch_seq) DO NOTHING RETURNING id";
constexpr const char* kStoredDigest = "ingest_stored_digest";
constexpr const char* kStoredDigestSql =
    "SELECT encode(digest, 'hex') FROM ingest_batches WHERE collector_id = $1 AND batch_seq = $2";
// The customer's devices any item could be, each identifier through its
// own index (an OR made the planner read every device of the customer),
// with their latest state. The alert-state columns (latest supplies and
// status) are fetched only while events are detected.
constexpr const char* kCandidates = "ingest_candidates";
constexpr const char* kCandidatesWithState = "ingest_candidates_state";
constexpr const char* kCandidatesSql =
    "SELECT d.id, d.serial, d.mac, d.ip, d.host_name, d.manufacturer, d.model, "
    "d.firmware, d.location, d.contact, d.sys_object_id, d.sys_descr, l.counters::text, "
    "(extract(epoch FROM l.counters_at) * 1000)::bigint, d.capabilities::text, "
    "coalesce(d.collector_id, 0), (extract(epoch FROM l.last_seen_at) * 1000)::bigint, "
    "(extract(epoch FROM l.status_at) * 1000)::bigint, @STATE@, d.kind "
    "FROM devices d LEFT JOIN device_latest l ON l.device_id = d.id "
    "WHERE d.id IN (SELECT id FROM devices WHERE customer_id = $1 AND serial <> '' AND "
    "serial = ANY($2::text[]) UNION SELECT id FROM devices WHERE customer_id = $1 AND "
    "mac <> '' AND mac = ANY($3::text[]) UNION SELECT id FROM devices WHERE "
    "customer_id = $1 AND ip <> '' AND ip = ANY($4::text[]))";
constexpr const char* kInsertDevice = "ingest_insert_device";
constexpr const char* kInsertDeviceSql =
    "INSERT INTO devices (customer_id, serial, mac, ip, host_name, manufacturer, model, "
    "firmware, location, contact, sys_object_id, sys_descr, collector_id, first_seen_at, kind) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
constexpr const char* kInsertReads = "ingest_insert_reads";
constexpr const char* kInsertReadsSql =
    "INSERT INTO device_reads (device_id, collector_id, item_seq, batch_id, kind, "
    "read_at, address, pmd) SELECT u.d, $1, u.s, $2, u.k, u.t, u.a, u.p FROM "
    "unnest($3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::text[], "
    "$8::text[]) AS u(d, s, k, t, a, p) ON CONFLICT (collector_id, item_seq) DO NOTHING "
    "RETURNING item_seq";
// What each supply is, as stored, so that only changes are written.
// (Plain rows: building them as JSON in the candidates query cost the
// database more than this query does.)
constexpr const char* kStoredSupplies = "ingest_stored_supplies";
constexpr const char* kStoredSuppliesSql =
    "SELECT device_id, supply_index, description, type, color, unit, supply_class, "
    "part_number, serial FROM supplies WHERE device_id = ANY($1::bigint[])";
constexpr const char* kCounterIds = "ingest_counter_ids";
constexpr const char* kCounterIdsSql = "SELECT id, name FROM counter_names";
constexpr const char* kAddCounter = "ingest_add_counter";
constexpr const char* kAddCounterSql =
    "WITH n AS (INSERT INTO counter_names (name) VALUES ($1) ON CONFLICT DO NOTHING "
    "RETURNING id) SELECT id FROM n UNION ALL SELECT id FROM counter_names WHERE name = $1";

// Sent together in one round trip at the end of a batch (StatementBatch):
constexpr const char* kMeterArraysSql =
    "INSERT INTO meter_readings (device_id, counter_id, read_at, value, flags) "
    "SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::bigint[], "
    "$5::smallint[]) ON CONFLICT DO NOTHING";
constexpr const char* kSupplyArraysSql =
    "INSERT INTO supply_levels (device_id, supply_index, read_at, level, max, level_percent, "
    "state) SELECT * FROM unnest($1::bigint[], $2::integer[], $3::timestamptz[], "
    "$4::bigint[], $5::bigint[], $6::smallint[], $7::text[]) ON CONFLICT DO NOTHING";
constexpr const char* kStatusArraysSql =
    "INSERT INTO status_history (device_id, read_at, printer_status, device_status, errors, "
    "vendor_code) SELECT u.d, u.t, u.p, u.s, u.e::text[], u.v FROM unnest($1::bigint[], "
    "$2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(d, t, p, s, e, v) "
    "ON CONFLICT DO NOTHING";
constexpr const char* kAlertArraysSql =
    "INSERT INTO alert_history (device_id, read_at, alert_index, severity, alert_group, code, "
    "text) SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::integer[], $4::text[], "
    "$5::text[], $6::integer[], $7::text[]) ON CONFLICT DO NOTHING";
constexpr const char* kUpsertSuppliesSql =
    "INSERT INTO supplies (device_id, supply_index, description, type, color, unit, "
    "supply_class, part_number, serial) SELECT * FROM unnest($1::bigint[], $2::integer[], "
    "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) "
    "ON CONFLICT (device_id, supply_index) DO UPDATE SET description = excluded.description, "
    "type = excluded.type, color = excluded.color, unit = excluded.unit, "
    "supply_class = excluded.supply_class, part_number = excluded.part_number, "
    "serial = excluded.serial "
    "WHERE (supplies.description, supplies.type, supplies.color, supplies.unit, "
    "supplies.supply_class, supplies.part_number, supplies.serial) IS DISTINCT FROM "
    "(excluded.description, excluded.type, excluded.color, excluded.unit, "
    "excluded.supply_class, excluded.part_number, excluded.serial)";
constexpr const char* kUpdateDevicesSql =
    "UPDATE devices d SET serial = u.serial, mac = u.mac, ip = u.ip, host_name = u.host, "
    "manufacturer = u.manufacturer, model = u.model, firmware = u.firmware, "
    "location = u.location, contact = u.contact, sys_object_id = u.oid, "
    "sys_descr = u.descr, capabilities = coalesce(u.caps, d.capabilities), "
    "collector_id = $14, kind = u.kind "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
    "$13::jsonb[], $15::text[]) AS u(id, serial, mac, ip, host, manufacturer, model, "
    "firmware, location, contact, oid, descr, caps, kind) WHERE d.id = u.id "
    // Most reads change nothing: compare first, so no new row version is written.
    "AND (d.serial, d.mac, d.ip, d.host_name, d.manufacturer, d.model, d.firmware, "
    "d.location, d.contact, d.sys_object_id, d.sys_descr, d.capabilities, d.collector_id, "
    "d.kind) IS DISTINCT FROM (u.serial, u.mac, u.ip, u.host, u.manufacturer, u.model, "
    "u.firmware, u.location, u.contact, u.oid, u.descr, coalesce(u.caps, d.capabilities), $14, "
    "u.kind)";
// The devices trigger gives every device its row when it is created, so the
// insert branch only runs if that row is missing; it then takes the
// device's customer and dealer as the trigger would.
constexpr const char* kMergeLatestSql =
    "INSERT INTO device_latest AS l (device_id, counters, counters_at, supplies, status, "
    "status_at, last_seen_at, customer_id, dealer_id) SELECT u.device_id, "
    "coalesce(u.counters, '{}'), u.counters_at, u.supplies, u.status, u.status_at, "
    "u.last_seen_at, d.customer_id, c.parent_id FROM latest_in u "
    "JOIN devices d ON d.id = u.device_id JOIN organisations c ON c.id = d.customer_id "
    "ORDER BY u.device_id "
    "ON CONFLICT (device_id) DO UPDATE SET "
    "counters = CASE WHEN excluded.counters_at IS NOT NULL AND (l.counters_at IS NULL OR "
    "excluded.counters_at >= l.counters_at) THEN excluded.counters ELSE l.counters END, "
    "counters_at = greatest(l.counters_at, excluded.counters_at), "
    "supplies = CASE WHEN l.status_at IS NULL OR excluded.status_at >= l.status_at THEN "
    "excluded.supplies ELSE l.supplies END, "
    "status = CASE WHEN l.status_at IS NULL OR excluded.status_at >= l.status_at THEN "
    "excluded.status ELSE l.status END, "
    "status_at = greatest(l.status_at, excluded.status_at), "
    "last_seen_at = greatest(l.last_seen_at, excluded.last_seen_at)";
constexpr const char* kEmptyLatestSql = "DELETE FROM latest_in";
// Every event into the history; those the alert engine acts on into its
// queue too, and its workers woken at commit.
constexpr const char* kInsertEventsSql =
    "WITH e AS (INSERT INTO device_events (device_id, at, kind, detail, batch_id) "
    "SELECT u.d, u.t, u.k, u.x, $5 FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], "
    "$4::jsonb[]) AS u(d, t, k, x) RETURNING id, device_id, kind) "
    "INSERT INTO event_queue (event_id, device_id) SELECT id, device_id FROM e "
    "WHERE kind = ANY($6::text[])";
constexpr const char* kWakeAlertsSql = "NOTIFY openmps_events";
constexpr const char* kUpdateCollectorSql =
    "UPDATE collectors SET last_seen_at = now(), last_batch_seq = greatest(last_batch_seq, $2), "
    "last_carrier = $3, last_peer = $4, last_read_at = greatest(last_read_at, $5::timestamptz) "
    "WHERE id = $1";
constexpr const char* kItemsStoredSql = "UPDATE ingest_batches SET items_stored = $2 WHERE id = $1";
// The latest state of a batch's devices goes in with COPY and is merged
// into device_latest with one INSERT ... ON CONFLICT: cheaper for the
// database than parsing the same JSON out of array literals. Emptied by
// DELETE in each batch and vacuumed now and then: ON COMMIT DELETE ROWS
// truncates (and rebuilds the TOAST index) at every commit, which cost
// more than the merge.
constexpr const char* kCreateLatestInSql =
    "CREATE TEMPORARY TABLE latest_in (device_id bigint NOT NULL, counters json, "
    "counters_at timestamptz, supplies json NOT NULL, status json NOT NULL, "
    "status_at timestamptz NOT NULL, last_seen_at timestamptz NOT NULL)";

std::string candidatesSql(bool withState) {
  std::string sql = kCandidatesSql;
  sql.replace(sql.find("@STATE@"), 7,
              withState ? "l.supplies::text, l.status::text" : "NULL::text, NULL::text");
  return sql;
}

std::string hex(const Digest& d) {
  return util::toHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::optional<TimePoint> millis(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return TimePoint{std::chrono::milliseconds{f.as<std::int64_t>()}};
}

// SQLSTATEs worth one more try: another batch committed the same new device
// or item a moment earlier (unique_violation), or the two deadlocked.
bool retryable(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  return state == "23505" || state == "40P01" || state == "40001";
}

// Statements whose results nobody reads, sent together in one round trip
// (the extended protocol takes one statement per call, so their parameters
// are rendered as quoted literals here).
class StatementBatch {
 public:
  explicit StatementBatch(pqxx::work& txn) : txn_(txn) {}

  template <typename... Args>
  void exec(const std::string& sql, const Args&... args) {
    const std::array<std::string, sizeof...(Args)> literals = {literal(args)...};
    for (std::size_t i = 0; i < sql.size(); ++i) {
      if (sql[i] == '$' && i + 1 < sql.size() &&
          std::isdigit(static_cast<unsigned char>(sql[i + 1])) != 0) {
        std::size_t end = i + 1;
        std::size_t number = 0;
        while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0) {
          number = number * 10 + static_cast<std::size_t>(sql[end] - '0');
          ++end;
        }
        buffer_ += literals.at(number - 1);
        i = end - 1;
      } else {
        buffer_ += sql[i];
      }
    }
    buffer_ += ";\n";
  }

  void flush() {
    if (!buffer_.empty()) {
      txn_.exec(buffer_);
      buffer_.clear();
    }
  }

 private:
  std::string literal(const std::string& v) { return txn_.quote(v); }
  std::string literal(std::int64_t v) { return std::to_string(v); }

  pqxx::work& txn_;
  std::string buffer_;
};

// Where a batch's time goes, at debug level ("timing resolve=1.2 ..."):
// the figures behind server/README.md's benchmark analysis.
class PhaseTimer {
 public:
  PhaseTimer() : enabled_(util::logLevel() == util::LogLevel::kDebug) {}
  void mark(const char* phase) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const std::chrono::duration<double, std::milli> spent = now - last_;
    last_ = now;
    text_ += ' ';
    text_ += phase;
    text_ += '=';
    text_ += std::to_string(spent.count());
  }
  const std::string& text() const { return text_; }
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string text_;
};

// One COPY text field per column, rows ending in newlines.
class CopyLine {
 public:
  explicit CopyLine(std::string& out) : out_(out) {}
  CopyLine& operator<<(std::string_view text) {
    separate();
    appendCopyField(out_, text);
    return *this;
  }
  CopyLine& operator<<(std::int64_t number) {
    separate();
    appendCopyField(out_, number);
    return *this;
  }
  // A field already in COPY form (timestamps, enum names, \N).
  CopyLine& raw(std::string_view text) {
    separate();
    out_ += text;
    return *this;
  }
  ~CopyLine() { out_ += '\n'; }
  CopyLine(const CopyLine&) = delete;
  CopyLine& operator=(const CopyLine&) = delete;

 private:
  void separate() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// The time-series rows of a batch, as COPY text (the fast path) or as
// arrays for INSERT ... ON CONFLICT (the retry after a unique violation).
struct TimeSeries {
  bool copy = true;
  std::string meter;
  std::string supply;
  std::string status;
  std::array<PgArray, 5> m;  // device, counter, at, value, flags
  std::array<PgArray, 7> s;  // device, index, at, level, max, percent, state
  std::array<PgArray, 6> h;  // device, at, printer, device status, errors, vendor
  std::array<PgArray, 7> a;  // device, at, index, severity, group, code, text
};

// Counter names as the smallint ids meter rows carry, cached per connection.
class CounterNames {
 public:
  std::int16_t id(pqxx::work& txn, const std::string& name) {
    if (const auto it = ids_.find(name); it != ids_.end()) return it->second;
    const auto id = txn.exec_prepared(kAddCounter, name)[0][0].as<std::int16_t>();
    // A rolled-back insert leaves a stale id here: storeBatch clears the
    // cache before a retry and the Ingestor drops the store on any failure.
    ids_.emplace(name, id);
    return id;
  }

  void load(pqxx::work& txn) {
    if (!ids_.empty()) return;
    for (const auto& row : txn.exec_prepared(kCounterIds)) {
      ids_[row[1].as<std::string>()] = row[0].as<std::int16_t>();
    }
  }

  void clear() { ids_.clear(); }

 private:
  std::map<std::string, std::int16_t, std::less<>> ids_;
};

// One batch in one transaction: the steps of Impl::attempt.
class BatchWrite {
 public:
  BatchWrite(CounterNames& counters, pqxx::work& txn, const CollectorInfo& collector,
             const envelope::Batch& batch, bool useCopy, bool detectEvents)
      : counters_(counters),
        detectEvents_(detectEvents),
        txn_(txn),
        collector_(collector),
        collectorId_(static_cast<std::int64_t>(collector.id)),
        batch_(batch),
        useCopy_(useCopy),
        tail_(txn) {}

  // 1. The batch number: new, an exact repeat, or a conflict. A concurrent
  // submission of the same number waits here on the unique index until the
  // first one commits, then sees its digest.
  std::optional<StoreResult> claimBatchNumber(const Digest& digest, std::string_view carrier,
                                              std::string_view peer) {
    const auto inserted = txn_.exec_prepared(
        kInsertBatch, collectorId_, static_cast<std::int64_t>(batch_.batchSeq), hex(digest),
        std::string(carrier), std::string(peer), static_cast<std::int64_t>(batch_.items.size()),
        // With COPY every item is new (or the attempt fails and is retried
        // without it); the retry counts the new ones and updates the row.
        static_cast<std::int64_t>(useCopy_ ? batch_.items.size() : 0),
        util::formatRfc3339(batch_.createdAt));
    if (!inserted.empty()) {
      batchId_ = inserted[0][0].as<std::int64_t>();
      return std::nullopt;
    }
    const auto stored =
        txn_.exec_prepared(kStoredDigest, collectorId_, static_cast<std::int64_t>(batch_.batchSeq));
    std::optional<Digest> storedDigest;
    if (!stored.empty()) {
      const auto bytes = util::fromHex(stored[0][0].as<std::string>());
      if (bytes && bytes->size() == 32) {
        Digest d{};
        std::copy(bytes->begin(), bytes->end(), d.begin());
        storedDigest = d;
      }
    }
    const auto verdict = envelope::classifyBatch(storedDigest, digest);
    return StoreResult{verdict == envelope::SequenceVerdict::kDuplicate ? StoreStatus::kDuplicate
                                                                        : StoreStatus::kConflict,
                       0};
  }

  // 2. The customer's devices any item could be. The resolver tries the
  // serial first and the MAC and address only when no device has it, so
  // those are looked up for items without a serial at once and for the rest
  // only if their serial is unknown (new devices: a second query).
  void fetchCandidates() {
    identities_.reserve(batch_.items.size());
    PgArray serials, macs, ips;
    for (const auto& item : batch_.items) {
      identities_.push_back(ingest::normaliseIdentity(item.reading.identity));
      auto& id = identities_.back();
      if (id.ip.empty()) id.ip = item.reading.origin.address;  // the last fallback
      if (!id.serial.empty()) {
        serials.add(id.serial);
        continue;
      }
      if (!id.mac.empty()) macs.add(id.mac);
      if (!id.ip.empty()) ips.add(id.ip);
    }
    fetchCandidates(serials, macs, ips);
    std::set<std::string_view> knownSerials;
    for (const auto& k : candidates_) knownSerials.insert(k.identity.serial);
    PgArray fallbackMacs, fallbackIps;
    for (const auto& id : identities_) {
      if (!id.serial.empty() && !knownSerials.contains(id.serial)) {
        if (!id.mac.empty()) fallbackMacs.add(id.mac);
        if (!id.ip.empty()) fallbackIps.add(id.ip);
      }
    }
    if (fallbackMacs.size() > 0 || fallbackIps.size() > 0) {
      fetchCandidates(PgArray(), fallbackMacs, fallbackIps);
    }
    // The oldest device first where a MAC or an address fits several.
    std::sort(candidates_.begin(), candidates_.end(),
              [](const KnownDevice& a, const KnownDevice& b) { return a.id < b.id; });
  }

  // 3. Every item to a device; new devices inserted.
  void resolve() {
    const auto resolution = ingest::resolveBatch(identities_, candidates_);
    std::vector<std::int64_t> newIds;
    for (const auto& nd : resolution.newDevices) {
      const auto& i = nd.identity;
      const auto id =
          txn_.exec_prepared(kInsertDevice, collector_.customerId, i.serial, i.mac, i.ip,
                             i.hostName, i.manufacturer, i.model, i.firmware, i.location, i.contact,
                             i.sysObjectId, i.sysDescr, collectorId_,
                             util::formatRfc3339(batch_.items[nd.item].reading.readAt),
                             i.kind)[0][0]
              .as<std::int64_t>();
      newIds.push_back(id);
      StoredDevice& d = devices_[id];
      d.device = KnownDevice{id, i};
      d.collectorId = collectorId_;
      input_.newDevices.emplace(id, nd);
    }
    itemDevice_.reserve(resolution.itemDevice.size());
    for (const auto ref : resolution.itemDevice) {
      itemDevice_.push_back(ref > 0 ? ref : newIds.at(static_cast<std::size_t>(-ref - 1)));
    }
    // Devices the batch touches and the database knew: their stored state.
    for (const auto id : itemDevice_) {
      if (devices_.contains(id)) continue;
      devices_.emplace(id, std::move(stored_.at(id)));
      stored_.erase(id);
    }
  }

  // 4. The reads themselves; an item already stored (sent before in another
  // batch) is skipped with everything it carries. COPY when they are all
  // new, as they nearly always are: an item stored before makes it fail
  // with a unique violation, and the retry inserts with ON CONFLICT and
  // learns which items are new.
  void insertReads() {
    if (useCopy_) {
      std::string reads;
      reads.reserve(batch_.items.size() * 96);
      for (std::size_t i = 0; i < batch_.items.size(); ++i) {
        const auto& item = batch_.items[i];
        CopyLine(reads) << itemDevice_[i] << collectorId_ << static_cast<std::int64_t>(item.seq)
                        << batchId_ << model::toString(item.reading.kind)
                        << util::formatRfc3339(item.reading.readAt) << item.reading.origin.address
                        << item.reading.origin.pmd;
        newSeqs_.insert(newSeqs_.end(), static_cast<std::int64_t>(item.seq));
      }
      copyText(txn_, "device_reads",
               {"device_id", "collector_id", "item_seq", "batch_id", "kind", "read_at", "address",
                "pmd"},
               reads);
      return;
    }
    std::array<PgArray, 6> r;
    for (std::size_t i = 0; i < batch_.items.size(); ++i) {
      const auto& item = batch_.items[i];
      r[0].add(itemDevice_[i]);
      r[1].add(static_cast<std::int64_t>(item.seq));
      r[2].add(model::toString(item.reading.kind));
      r[3].add(util::formatRfc3339(item.reading.readAt));
      r[4].add(item.reading.origin.address);
      r[5].add(item.reading.origin.pmd);
    }
    for (const auto& row :
         txn_.exec_prepared(kInsertReads, collectorId_, batchId_, r[0].str(), r[1].str(),
                            r[2].str(), r[3].str(), r[4].str(), r[5].str())) {
      newSeqs_.insert(row[0].as<std::int64_t>());
    }
  }

  void fetchStoredSupplies() {
    PgArray ids;
    for (const auto& [id, d] : devices_) {
      if (!input_.newDevices.contains(id)) ids.add(id);
    }
    if (ids.size() == 0) return;
    for (const auto& row : txn_.exec_prepared(kStoredSupplies, ids.str())) {
      model::Supply s;
      s.index = row[1].as<int>();
      s.description = row[2].as<std::string>();
      s.type = row[3].as<std::string>();
      s.color = row[4].as<std::string>();
      s.unit = row[5].as<std::string>();
      s.supplyClass = row[6].as<std::string>();
      s.partNumber = row[7].as<std::string>();
      s.serial = row[8].as<std::string>();
      devices_[row[0].as<std::int64_t>()].described[s.index] = std::move(s);
    }
  }

  // 5. The planner's decisions.
  void plan(const ingest::PlannerOptions& options) {
    input_.batch = &batch_;
    input_.identities = identities_;
    input_.itemDevice = itemDevice_;
    input_.newSeqs = &newSeqs_;
    input_.devices = &devices_;
    input_.collectorId = collectorId_;
    input_.options = options;
    plan_ = ingest::planBatch(input_);
  }

  // 6. Counters, supply levels, status and alerts.
  void writeTimeSeries() {
    TimeSeries ts;
    ts.copy = useCopy_;
    ts.meter.reserve(plan_.items.size() * 256);
    ts.supply.reserve(plan_.items.size() * 256);
    ts.status.reserve(plan_.items.size() * 64);
    for (const auto& rows : plan_.items) addRows(ts, rows);
    if (ts.copy) {
      copyText(txn_, "meter_readings", {"device_id", "counter_id", "read_at", "value", "flags"},
               ts.meter);
      copyText(txn_, "supply_levels",
               {"device_id", "supply_index", "read_at", "level", "max", "level_percent", "state"},
               ts.supply);
      copyText(txn_, "status_history",
               {"device_id", "read_at", "printer_status", "device_status", "errors", "vendor_code"},
               ts.status);
    } else {
      if (ts.m[0].size() > 0) {
        tail_.exec(kMeterArraysSql, ts.m[0].str(), ts.m[1].str(), ts.m[2].str(), ts.m[3].str(),
                   ts.m[4].str());
      }
      if (ts.s[0].size() > 0) {
        tail_.exec(kSupplyArraysSql, ts.s[0].str(), ts.s[1].str(), ts.s[2].str(), ts.s[3].str(),
                   ts.s[4].str(), ts.s[5].str(), ts.s[6].str());
      }
      if (ts.h[0].size() > 0) {
        tail_.exec(kStatusArraysSql, ts.h[0].str(), ts.h[1].str(), ts.h[2].str(), ts.h[3].str(),
                   ts.h[4].str(), ts.h[5].str());
      }
    }
    if (ts.a[0].size() > 0) {
      tail_.exec(kAlertArraysSql, ts.a[0].str(), ts.a[1].str(), ts.a[2].str(), ts.a[3].str(),
                 ts.a[4].str(), ts.a[5].str(), ts.a[6].str());
    }
  }

  void writeSupplies() {
    if (plan_.supplies.empty()) return;
    std::array<PgArray, 9> c;
    for (const auto& [deviceId, s] : plan_.supplies) {
      c[0].add(deviceId);
      c[1].add(std::int64_t{s->index});
      c[2].add(s->description);
      c[3].add(s->type);
      c[4].add(s->color);
      c[5].add(s->unit);
      c[6].add(s->supplyClass);
      c[7].add(s->partNumber);
      c[8].add(s->serial);
    }
    tail_.exec(kUpsertSuppliesSql, c[0].str(), c[1].str(), c[2].str(), c[3].str(), c[4].str(),
               c[5].str(), c[6].str(), c[7].str(), c[8].str());
  }

  // 7. Latest state and identity per device, in id order (two batches
  // touching the same devices lock them in the same order).
  void writeDevicesAndLatest() {
    if (!plan_.devices.empty()) {
      std::array<PgArray, 14> d;
      for (const auto& u : plan_.devices) {
        d[0].add(u.id);
        auto identity = u.identity;
        for (std::size_t f = 0; f < 11; ++f) d[f + 1].add(*identityField(identity, f));
        if (u.capabilities) {
          d[12].add(*u.capabilities);
        } else {
          d[12].addNull();
        }
        d[13].add(identity.kind);
      }
      tail_.exec(kUpdateDevicesSql, d[0].str(), d[1].str(), d[2].str(), d[3].str(), d[4].str(),
                 d[5].str(), d[6].str(), d[7].str(), d[8].str(), d[9].str(), d[10].str(),
                 d[11].str(), d[12].str(), collectorId_, d[13].str());
    }
    if (plan_.latest.empty()) return;
    // COPY text for the latest_in temporary table (see kCreateLatestInSql).
    std::string latest;
    latest.reserve(plan_.latest.size() * 2048);
    std::string scratch;
    for (const auto& l : plan_.latest) {
      CopyLine line(latest);
      line << l.deviceId;
      if (l.counters) {
        scratch.clear();
        appendJson(scratch, *l.counters);
        line << scratch;
        line.raw(util::formatRfc3339(l.countersAt));
      } else {
        line.raw("\\N").raw("\\N");
      }
      const model::Reading& statusReading = batch_.items[l.statusItem].reading;
      scratch.clear();
      scratch += '[';
      for (const auto& s : statusReading.supplies) {
        if (scratch.size() > 1) scratch += ',';
        appendJson(scratch, s);
      }
      scratch += ']';
      line << scratch;
      scratch.clear();
      appendJson(scratch, statusReading.status);
      line << scratch;
      line.raw(util::formatRfc3339(l.statusAt)).raw(util::formatRfc3339(l.lastSeen));
    }
    copyText(
        txn_, "latest_in",
        {"device_id", "counters", "counters_at", "supplies", "status", "status_at", "last_seen_at"},
        latest);
    tail_.exec(kMergeLatestSql);
    tail_.exec(kEmptyLatestSql);
  }

  void writeEvents() {
    if (plan_.events.empty()) return;
    std::array<PgArray, 4> e;
    PgArray queued;
    bool wake = false;
    for (const auto& ev : plan_.events) {
      e[0].add(ev.deviceId);
      e[1].add(util::formatRfc3339(ev.at));
      e[2].add(ev.kind);
      e[3].add(ev.detail);
      wake = wake || events::forAlerts(ev.kind);
    }
    for (const auto kind :
         {events::kDeviceSwapped, events::kCounterBackwards, events::kCounterReset,
          events::kCounterJump, events::kSupplyLevel, events::kSupplyReplaced,
          events::kStatusRaised, events::kStatusCleared, events::kDeviceBack}) {
      queued.add(kind);
    }
    // With the alert engine off nothing is queued: the events are history.
    tail_.exec(kInsertEventsSql, e[0].str(), e[1].str(), e[2].str(), e[3].str(), batchId_,
               detectEvents_ ? queued.str() : std::string("{}"));
    if (wake && detectEvents_) tail_.exec(kWakeAlertsSql);
  }

  void updateCollector(std::string_view carrier, std::string_view peer) {
    TimePoint newest{};
    for (const auto& l : plan_.latest) newest = std::max(newest, l.lastSeen);
    tail_.exec(kUpdateCollectorSql, collectorId_, static_cast<std::int64_t>(batch_.batchSeq),
               std::string(carrier), std::string(peer),
               plan_.latest.empty() ? std::string("-infinity") : util::formatRfc3339(newest));
    if (!useCopy_) {
      tail_.exec(kItemsStoredSql, batchId_, static_cast<std::int64_t>(newSeqs_.size()));
    }
  }

  void flush() { tail_.flush(); }
  std::int64_t itemsStored() const { return static_cast<std::int64_t>(newSeqs_.size()); }

 private:
  void fetchCandidates(const PgArray& bySerial, const PgArray& byMac, const PgArray& byIp) {
    for (const auto& row :
         txn_.exec_prepared(detectEvents_ ? kCandidatesWithState : kCandidates,
                            collector_.customerId, bySerial.str(), byMac.str(), byIp.str())) {
      const auto id = row[0].as<std::int64_t>();
      if (stored_.contains(id)) continue;  // found by the first query already
      StoredDevice d;
      d.device.id = id;
      auto& i = d.device.identity;
      for (std::size_t f = 0; f < 11; ++f) {
        *identityField(i, f) = row[static_cast<int>(f) + 1].as<std::string>();
      }
      d.countersAt = millis(row[13]);
      if (d.countersAt) d.counters = countersFromLatest(row[12].as<std::string>());
      d.capabilities = row[14].as<std::string>();
      d.collectorId = row[15].as<std::int64_t>();
      d.lastSeen = millis(row[16]);
      d.statusAt = millis(row[17]);
      if (!row[18].is_null()) d.levels = levelsFromLatest(row[18].c_str());
      if (!row[19].is_null()) d.status = statusFromLatest(row[19].c_str());
      i.kind = row[20].as<std::string>();
      candidates_.push_back(d.device);
      stored_.emplace(id, std::move(d));
    }
  }

  static std::string* identityField(model::DeviceIdentity& i, std::size_t f) {
    const std::array<std::string*, 11> fields = {
        &i.serial,   &i.mac,      &i.ip,      &i.hostName,    &i.manufacturer, &i.model,
        &i.firmware, &i.location, &i.contact, &i.sysObjectId, &i.sysDescr};
    return fields.at(f);
  }

  void addRows(TimeSeries& ts, const ingest::ItemRows& rows) {
    const auto& reading = batch_.items[rows.item].reading;
    const std::int64_t device = rows.deviceId;
    const std::string at = util::formatRfc3339(reading.readAt);
    for (const auto& [name, value] : reading.counters) {
      const bool back =
          std::find(rows.backwards.begin(), rows.backwards.end(), name) != rows.backwards.end();
      const std::int64_t flags = back ? kFlagBackwards : 0;
      const std::int64_t counter = counters_.id(txn_, name);
      if (ts.copy) {
        CopyLine(ts.meter) << device << counter << at << value << flags;
      } else {
        ts.m[0].add(device);
        ts.m[1].add(counter);
        ts.m[2].add(at);
        ts.m[3].add(value);
        ts.m[4].add(flags);
      }
    }
    for (const auto& s : reading.supplies) {
      if (ts.copy) {
        CopyLine line(ts.supply);
        line << device << std::int64_t{s.index} << at << s.level << s.max;
        if (s.levelPercent) {
          line << std::int64_t{*s.levelPercent};
        } else {
          line.raw("\\N");
        }
        line.raw(model::toString(s.state));
      } else {
        ts.s[0].add(device);
        ts.s[1].add(std::int64_t{s.index});
        ts.s[2].add(at);
        ts.s[3].add(s.level);
        ts.s[4].add(s.max);
        ts.s[5].add(s.levelPercent);
        ts.s[6].add(model::toString(s.state));
      }
    }
    PgArray errors;
    for (const auto& e : reading.status.errors) errors.add(e);
    if (ts.copy) {
      CopyLine(ts.status) << device << at << reading.status.printerStatus
                          << reading.status.deviceStatus << errors.str()
                          << reading.status.vendorCode;
    } else {
      ts.h[0].add(device);
      ts.h[1].add(at);
      ts.h[2].add(reading.status.printerStatus);
      ts.h[3].add(reading.status.deviceStatus);
      ts.h[4].add(errors.str());
      ts.h[5].add(reading.status.vendorCode);
    }
    for (const auto& a : reading.status.alerts) {
      ts.a[0].add(device);
      ts.a[1].add(at);
      ts.a[2].add(std::int64_t{a.index});
      ts.a[3].add(a.severity);
      ts.a[4].add(a.group);
      ts.a[5].add(std::int64_t{a.code});
      ts.a[6].add(a.text);
    }
  }

 private:
  CounterNames& counters_;
  bool detectEvents_;
  pqxx::work& txn_;
  const CollectorInfo& collector_;
  std::int64_t collectorId_;
  const envelope::Batch& batch_;
  bool useCopy_;
  StatementBatch tail_;
  std::int64_t batchId_ = 0;
  std::vector<model::DeviceIdentity> identities_;
  std::vector<KnownDevice> candidates_;
  std::unordered_map<std::int64_t, StoredDevice> stored_;
  std::unordered_map<std::int64_t, StoredDevice> devices_;
  std::vector<std::int64_t> itemDevice_;
  std::set<std::int64_t> newSeqs_;
  ingest::PlanInput input_;
  ingest::BatchPlan plan_;
};

}  // namespace

struct PgIngestStore::Impl {
  Impl(const util::Secret& uri, PlannerOptionsSource options)
      : conn(uri.reveal()), optionsSource(std::move(options)) {
    conn.prepare(kInsertBatch, kInsertBatchSql);
    conn.prepare(kStoredDigest, kStoredDigestSql);
    conn.prepare(kCandidates, candidatesSql(false));
    conn.prepare(kCandidatesWithState, candidatesSql(true));
    conn.prepare(kInsertDevice, kInsertDeviceSql);
    conn.prepare(kInsertReads, kInsertReadsSql);
    conn.prepare(kStoredSupplies, kStoredSuppliesSql);
    conn.prepare(kCounterIds, kCounterIdsSql);
    conn.prepare(kAddCounter, kAddCounterSql);
    pqxx::nontransaction txn(conn);
    txn.exec(kCreateLatestInSql);
  }

  pqxx::connection conn;
  PlannerOptionsSource optionsSource;
  CounterNames counterIds;
  // Temporary tables are not autovacuumed; latest_in is vacuumed here.
  static constexpr int kVacuumEvery = 16;
  int batchesSinceVacuum = 0;

  StoreResult attempt(const CollectorInfo& collector, const envelope::Batch& batch,
                      const Digest& digest, std::string_view carrier, std::string_view peer,
                      bool useCopy);
};

PgIngestStore::PgIngestStore(const util::Secret& databaseUri, PlannerOptionsSource options) {
  try {
    impl_ = std::make_unique<Impl>(databaseUri, std::move(options));
  } catch (const pqxx::broken_connection& e) {
    throw ingest::StoreUnavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
  }
}

PgIngestStore::~PgIngestStore() = default;

std::optional<CollectorInfo> PgIngestStore::findCollector(std::uint64_t clientId) {
  try {
    pqxx::nontransaction txn(impl_->conn);  // one round trip, no BEGIN/COMMIT
    const auto r = txn.exec_params(
        "SELECT id, customer_id, revoked_at IS NOT NULL FROM collectors WHERE id = $1",
        static_cast<std::int64_t>(clientId));
    if (r.empty()) return std::nullopt;
    return CollectorInfo{clientId, r[0][1].as<std::int64_t>(), r[0][2].as<bool>()};
  } catch (const pqxx::broken_connection& e) {
    throw ingest::StoreUnavailable(e.what());
  }
}

StoreResult PgIngestStore::storeBatch(const CollectorInfo& collector, const envelope::Batch& batch,
                                      const Digest& digest, std::string_view carrier,
                                      std::string_view peer) {
  bool useCopy = true;
  for (int attempt = 1;; ++attempt) {
    try {
      return impl_->attempt(collector, batch, digest, carrier, peer, useCopy);
    } catch (const pqxx::broken_connection& e) {
      throw ingest::StoreUnavailable(e.what());
    } catch (const pqxx::in_doubt_error& e) {
      throw ingest::StoreUnavailable(e.what());
    } catch (const pqxx::sql_error& e) {
      if (attempt >= kMaxAttempts || !retryable(e)) throw;
      impl_->counterIds.clear();
      if (e.sqlstate() == "23505") {
        useCopy = false;  // a row exists already: insert with ON CONFLICT this time
      }
      util::logDebug("ingest") << "batch " << batch.batchSeq << " of client " << collector.id
                               << ": retrying after " << e.sqlstate();
    }
  }
}

StoreResult PgIngestStore::Impl::attempt(const CollectorInfo& collector,
                                         const envelope::Batch& batch, const Digest& digest,
                                         std::string_view carrier, std::string_view peer,
                                         bool useCopy) {
  const ingest::PlannerOptions options = optionsSource ? optionsSource() : ingest::PlannerOptions{};
  PhaseTimer timer;
  pqxx::work txn(conn);
  BatchWrite write(counterIds, txn, collector, batch, useCopy, options.detectEvents);
  if (auto repeat = write.claimBatchNumber(digest, carrier, peer)) return *repeat;
  timer.mark("batchrow");
  counterIds.load(txn);
  write.fetchCandidates();
  timer.mark("candidates");
  write.resolve();
  timer.mark("resolve");
  write.insertReads();
  timer.mark("reads");
  write.fetchStoredSupplies();
  write.plan(options);
  timer.mark("plan");
  write.writeTimeSeries();
  timer.mark("copy");
  write.writeSupplies();
  write.writeDevicesAndLatest();
  write.writeEvents();
  write.updateCollector(carrier, peer);
  timer.mark("latest");
  write.flush();
  timer.mark("flush");
  txn.commit();
  if (++batchesSinceVacuum >= kVacuumEvery) {
    batchesSinceVacuum = 0;
    try {
      pqxx::nontransaction vacuum(conn);
      vacuum.exec("VACUUM latest_in");
    } catch (const std::exception& e) {
      // The batch is committed: its answer must say so. A broken
      // connection shows again, and is handled, with the next batch.
      util::logWarning("ingest") << "vacuum of latest_in failed: " << e.what();
    }
  }
  timer.mark("commit");
  if (timer.enabled()) {
    util::logDebug("ingest") << "timing batch " << batch.batchSeq << ":" << timer.text();
  }
  return StoreResult{StoreStatus::kStored, write.itemsStored()};
}

}  // namespace openmps::server::store
