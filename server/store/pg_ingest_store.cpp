#include "server/store/pg_ingest_store.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/ingest/device_resolver.hpp"
#include "server/store/pg_array.hpp"
#include "server/store/pg_copy.hpp"
#include "server/store/row_text.hpp"
#include "shared/envelope/sequence.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::store {
namespace {

using ingest::CollectorInfo;
using ingest::Digest;
using ingest::KnownDevice;
using ingest::StoreResult;
using ingest::StoreStatus;
using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

constexpr int kMaxAttempts = 4;
constexpr std::int16_t kFlagBackwards = 1;

std::string hex(const Digest& d) {
  return util::toHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// SQLSTATEs worth one more try: another batch committed the same new device
// or item a moment earlier (unique_violation), or the two deadlocked.
bool retryable(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  return state == "23505" || state == "40P01" || state == "40001";
}

// supplies table: index -> description, type, color, unit, class, part number, serial
using StoredSupplies = std::map<int, std::array<std::string, 7>>;

// What this batch does to one device, accumulated over its items.
struct DeviceState {
  KnownDevice device;
  bool isNew = false;
  bool touched = false;
  TimePoint lastSeen{};
  // latest counters known (from device_latest, then this batch)
  model::Counters counters;
  std::optional<TimePoint> countersAt;
  bool countersChanged = false;
  // the item whose supplies and status are the latest in this batch
  std::optional<TimePoint> statusAt;
  std::size_t statusItem = 0;
  json capabilities;
  // As stored before this batch, to write devices and supplies only when
  // something changed.
  model::DeviceIdentity original;
  std::string storedCapabilities;
  std::int64_t storedCollector = 0;
  StoredSupplies storedSupplies;

  bool knowsSupply(const model::Supply& s) const {
    const auto it = storedSupplies.find(s.index);
    if (it == storedSupplies.end()) {
      return false;
    }
    const auto& f = it->second;
    return f[0] == s.description && f[1] == s.type && f[2] == s.color && f[3] == s.unit &&
           f[4] == s.supplyClass && f[5] == s.partNumber && f[6] == s.serial;
  }
};

struct StoredDevice {
  std::string capabilities;
  std::int64_t collector = 0;
};

struct Event {
  std::int64_t deviceId;
  TimePoint at;
  std::string kind;
  json detail;
};

// COPY text of the time-series rows, one buffer per table, each line
// ending in a newline.
struct TimeSeriesRows {
  std::string meter;
  std::string supply;
  std::string status;
};

// COPY is several times faster than INSERT, but has no ON CONFLICT. The
// items are new (device_reads said so), so their rows normally are too; if
// one exists all the same (two reads of a device stamped the same
// millisecond under different item numbers), COPY fails with a unique
// violation, the transaction is retried, and the retry inserts with
// ON CONFLICT DO NOTHING instead.
void copyTimeSeries(pqxx::work& txn, TimeSeriesRows& rows) {
  copyText(txn, "meter_readings", {"device_id", "counter_id", "read_at", "value", "flags"},
           rows.meter);
  copyText(txn, "supply_levels",
           {"device_id", "supply_index", "read_at", "level", "max", "level_percent", "state"},
           rows.supply);
  copyText(txn, "status_history",
           {"device_id", "read_at", "printer_status", "device_status", "errors", "vendor_code"},
           rows.status);
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
    if (!enabled_) {
      return;
    }
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

model::Counters countersFromJson(const std::string& text) {
  model::Counters out;
  try {
    const util::JsonDocument doc(text, "stored counters");
    if (!doc.root().isObject()) {
      return out;
    }
    for (const util::JsonValue member : doc.root()) {
      if (member.type() == util::JsonType::kInteger) {
        out[std::string(member.key())] = member.integer();
      } else if (member.type() == util::JsonType::kUnsigned) {
        out[std::string(member.key())] = static_cast<std::int64_t>(member.unsignedInteger());
      }
    }
  } catch (const util::JsonFieldError&) {
    // Not ours to judge here: no previous counters, nothing flagged.
  }
  return out;
}

}  // namespace

struct PgIngestStore::Impl {
  explicit Impl(const util::Secret& uri) : conn(uri.reveal()) {}

  pqxx::connection conn;
  std::map<std::string, std::int16_t, std::less<>> counterIds;
  // Temporary tables are not autovacuumed; latest_in is vacuumed here.
  static constexpr int kVacuumEvery = 16;
  int batchesSinceVacuum = 0;

  std::int16_t counterId(pqxx::work& txn, const std::string& name) {
    if (const auto it = counterIds.find(name); it != counterIds.end()) {
      return it->second;
    }
    txn.exec_params("INSERT INTO counter_names (name) VALUES ($1) ON CONFLICT DO NOTHING", name);
    const auto r = txn.exec_params("SELECT id FROM counter_names WHERE name = $1", name);
    const auto id = r[0][0].as<std::int16_t>();
    // A rolled-back insert leaves a stale id here: storeBatch clears the
    // cache before a retry and the Ingestor drops the store on any failure.
    counterIds.emplace(name, id);
    return id;
  }

  void loadCounterIds(pqxx::work& txn) {
    if (!counterIds.empty()) {
      return;
    }
    for (const auto& row : txn.exec("SELECT id, name FROM counter_names")) {
      counterIds[row[1].as<std::string>()] = row[0].as<std::int16_t>();
    }
  }

  StoreResult attempt(const CollectorInfo& collector, const envelope::Batch& batch,
                      const Digest& digest, std::string_view carrier, std::string_view peer,
                      bool useCopy);
};

PgIngestStore::PgIngestStore(const util::Secret& databaseUri) {
  try {
    impl_ = std::make_unique<Impl>(databaseUri);
    // The latest state of a batch's devices goes in with COPY and is merged
    // into device_latest with one INSERT ... ON CONFLICT: cheaper for the
    // database than parsing the same JSON out of array literals. Emptied by
    // DELETE in each batch and vacuumed now and then: ON COMMIT DELETE ROWS
    // truncates (and rebuilds the TOAST index) at every commit, which cost
    // more than the merge.
    pqxx::nontransaction txn(impl_->conn);
    txn.exec(
        "CREATE TEMPORARY TABLE latest_in (device_id bigint NOT NULL, counters json, "
        "counters_at timestamptz, supplies json NOT NULL, status json NOT NULL, "
        "status_at timestamptz NOT NULL, last_seen_at timestamptz NOT NULL)");
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
    if (r.empty()) {
      return std::nullopt;
    }
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
      if (attempt >= kMaxAttempts || !retryable(e)) {
        throw;
      }
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
  const auto collectorId = static_cast<std::int64_t>(collector.id);
  PhaseTimer timer;
  pqxx::work txn(conn);

  // 1. The batch number: new, an exact repeat, or a conflict. A concurrent
  // submission of the same number waits here on the unique index until the
  // first one commits, then sees its digest.
  const auto inserted = txn.exec_params(
      "INSERT INTO ingest_batches (collector_id, batch_seq, digest, carrier, peer, items, "
      "items_stored, created_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8) "
      "ON CONFLICT (collector_id, batch_seq) DO NOTHING RETURNING id",
      collectorId, static_cast<std::int64_t>(batch.batchSeq), hex(digest), std::string(carrier),
      std::string(peer), static_cast<std::int64_t>(batch.items.size()),
      // With COPY every item is new (or the attempt fails and is retried
      // without it); the retry counts the new ones and updates the row.
      static_cast<std::int64_t>(useCopy ? batch.items.size() : 0),
      util::formatRfc3339(batch.createdAt));
  if (inserted.empty()) {
    const auto stored = txn.exec_params(
        "SELECT encode(digest, 'hex') FROM ingest_batches WHERE collector_id = $1 AND "
        "batch_seq = $2",
        collectorId, static_cast<std::int64_t>(batch.batchSeq));
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
  const auto batchId = inserted[0][0].as<std::int64_t>();
  timer.mark("batchrow");
  loadCounterIds(txn);

  // 2. The customer's devices that any item could be. The resolver tries
  // the serial first and the MAC and address only when no device has it,
  // so those are looked up for items without a serial at once and for the
  // rest only if their serial is unknown (new devices: a second query).
  std::vector<model::DeviceIdentity> identities;
  identities.reserve(batch.items.size());
  PgArray serials;
  PgArray macs;
  PgArray ips;
  for (const auto& item : batch.items) {
    identities.push_back(ingest::normaliseIdentity(item.reading.identity));
    auto& id = identities.back();
    if (id.ip.empty()) {
      // The address the device answered on is the last fallback.
      id.ip = item.reading.origin.address;
    }
    if (!id.serial.empty()) {
      serials.add(id.serial);
      continue;
    }
    if (!id.mac.empty()) {
      macs.add(id.mac);
    }
    if (!id.ip.empty()) {
      ips.add(id.ip);
    }
  }
  std::vector<KnownDevice> known;
  std::unordered_map<std::int64_t, std::pair<model::Counters, TimePoint>> previousCounters;
  std::unordered_map<std::int64_t, StoredDevice> stored;
  // Each identifier through its own index (a condition with OR made the
  // planner read every device of the customer and filter them).
  auto fetchCandidates = [&](const PgArray& bySerial, const PgArray& byMac, const PgArray& byIp) {
    for (const auto& row : txn.exec_params(
             "SELECT d.id, d.serial, d.mac, d.ip, d.host_name, d.manufacturer, d.model, "
             "d.firmware, d.location, d.contact, d.sys_object_id, d.sys_descr, l.counters::text, "
             "(extract(epoch FROM l.counters_at) * 1000)::bigint, d.capabilities::text, "
             "coalesce(d.collector_id, 0) "
             "FROM devices d LEFT JOIN device_latest l ON l.device_id = d.id "
             "WHERE d.id IN (SELECT id FROM devices WHERE customer_id = $1 AND serial <> '' AND "
             "serial = ANY($2::text[]) UNION SELECT id FROM devices WHERE customer_id = $1 AND "
             "mac <> '' AND mac = ANY($3::text[]) UNION SELECT id FROM devices WHERE "
             "customer_id = $1 AND ip <> '' AND ip = ANY($4::text[]))",
             collector.customerId, bySerial.str(), byMac.str(), byIp.str())) {
      const auto deviceId = row[0].as<std::int64_t>();
      if (stored.contains(deviceId)) {
        continue;  // found by the first query already
      }
      KnownDevice d;
      d.id = deviceId;
      auto& i = d.identity;
      i.serial = row[1].as<std::string>();
      i.mac = row[2].as<std::string>();
      i.ip = row[3].as<std::string>();
      i.hostName = row[4].as<std::string>();
      i.manufacturer = row[5].as<std::string>();
      i.model = row[6].as<std::string>();
      i.firmware = row[7].as<std::string>();
      i.location = row[8].as<std::string>();
      i.contact = row[9].as<std::string>();
      i.sysObjectId = row[10].as<std::string>();
      i.sysDescr = row[11].as<std::string>();
      if (!row[13].is_null()) {
        // Previous counters, to flag counters that go back.
        previousCounters[d.id] = {countersFromJson(row[12].as<std::string>()),
                                  TimePoint{std::chrono::milliseconds{row[13].as<std::int64_t>()}}};
      }
      StoredDevice& st = stored[d.id];
      st.capabilities = row[14].as<std::string>();
      st.collector = row[15].as<std::int64_t>();
      known.push_back(std::move(d));
    }
  };
  fetchCandidates(serials, macs, ips);
  std::set<std::string_view> knownSerials;
  for (const auto& k : known) {
    knownSerials.insert(k.identity.serial);
  }
  PgArray fallbackMacs;
  PgArray fallbackIps;
  for (const auto& id : identities) {
    if (!id.serial.empty() && !knownSerials.contains(id.serial)) {
      if (!id.mac.empty()) {
        fallbackMacs.add(id.mac);
      }
      if (!id.ip.empty()) {
        fallbackIps.add(id.ip);
      }
    }
  }
  if (fallbackMacs.size() > 0 || fallbackIps.size() > 0) {
    fetchCandidates(PgArray(), fallbackMacs, fallbackIps);
  }
  // The oldest device first where a MAC or an address fits several.
  std::sort(known.begin(), known.end(),
            [](const KnownDevice& a, const KnownDevice& b) { return a.id < b.id; });

  timer.mark("candidates");
  // 3. Resolve every item to a device, creating the new ones.
  std::unordered_map<std::int64_t, DeviceState> states;
  std::vector<std::int64_t> itemDevice(batch.items.size());
  std::vector<Event> events;
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    const auto& identity = identities[i];
    const auto& reading = batch.items[i].reading;
    auto id = ingest::resolveDevice(identity, known);
    if (!id) {
      const auto r = txn.exec_params(
          "INSERT INTO devices (customer_id, serial, mac, ip, host_name, manufacturer, model, "
          "firmware, location, contact, sys_object_id, sys_descr, collector_id, first_seen_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
          collector.customerId, identity.serial, identity.mac, identity.ip, identity.hostName,
          identity.manufacturer, identity.model, identity.firmware, identity.location,
          identity.contact, identity.sysObjectId, identity.sysDescr, collectorId,
          util::formatRfc3339(reading.readAt));
      id = r[0][0].as<std::int64_t>();
      known.push_back(KnownDevice{*id, identity});
      auto& st = states[*id];
      st.device = known.back();
      st.isNew = true;
      events.push_back({*id, reading.readAt, "new_device",
                        json{{"serial", identity.serial},
                             {"mac", identity.mac},
                             {"ip", identity.ip},
                             {"model", identity.model}}});
    }
    auto [it, fresh] = states.try_emplace(*id);
    DeviceState& st = it->second;
    if (fresh) {
      st.device = *std::find_if(known.begin(), known.end(),
                                [&](const KnownDevice& k) { return k.id == *id; });
    }
    itemDevice[i] = *id;
  }

  timer.mark("resolve");
  // 4. The reads themselves; an item already stored (sent before in another
  // batch) is skipped with everything it carries. COPY when they are all
  // new, as they nearly always are: an item stored before makes it fail
  // with a unique violation, and the retry inserts with ON CONFLICT and
  // learns which items are new.
  std::set<std::int64_t> newSeqs;
  if (useCopy) {
    std::string reads;
    reads.reserve(batch.items.size() * 96);
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
      const auto& item = batch.items[i];
      appendCopyField(reads, itemDevice[i]);
      reads += '\t';
      appendCopyField(reads, collectorId);
      reads += '\t';
      appendCopyField(reads, static_cast<std::int64_t>(item.seq));
      reads += '\t';
      appendCopyField(reads, batchId);
      reads += '\t';
      reads += model::toString(item.reading.kind);
      reads += '\t';
      reads += util::formatRfc3339(item.reading.readAt);
      reads += '\t';
      appendCopyField(reads, item.reading.origin.address);
      reads += '\t';
      appendCopyField(reads, item.reading.origin.pmd);
      reads += '\n';
      newSeqs.insert(newSeqs.end(), static_cast<std::int64_t>(item.seq));
    }
    copyText(
        txn, "device_reads",
        {"device_id", "collector_id", "item_seq", "batch_id", "kind", "read_at", "address", "pmd"},
        reads);
  } else {
    PgArray rDevice;
    PgArray rSeq;
    PgArray rKind;
    PgArray rAt;
    PgArray rAddress;
    PgArray rPmd;
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
      const auto& item = batch.items[i];
      rDevice.add(itemDevice[i]);
      rSeq.add(static_cast<std::int64_t>(item.seq));
      rKind.add(model::toString(item.reading.kind));
      rAt.add(util::formatRfc3339(item.reading.readAt));
      rAddress.add(item.reading.origin.address);
      rPmd.add(item.reading.origin.pmd);
    }
    for (const auto& row : txn.exec_params(
             "INSERT INTO device_reads (device_id, collector_id, item_seq, batch_id, kind, "
             "read_at, address, pmd) SELECT u.d, $1, u.s, $2, u.k, u.t, u.a, u.p FROM "
             "unnest($3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::text[], "
             "$8::text[]) AS u(d, s, k, t, a, p) ON CONFLICT (collector_id, item_seq) DO NOTHING "
             "RETURNING item_seq",
             collectorId, batchId, rDevice.str(), rSeq.str(), rKind.str(), rAt.str(),
             rAddress.str(), rPmd.str())) {
      newSeqs.insert(row[0].as<std::int64_t>());
    }
  }

  timer.mark("reads");
  PgArray storedIds;
  for (auto& [id, st] : states) {
    st.original = st.device.identity;
    const auto it = stored.find(id);
    if (it == stored.end()) {
      st.storedCapabilities = "{}";  // the column's default for a new device
      continue;
    }
    st.storedCapabilities = std::move(it->second.capabilities);
    st.storedCollector = it->second.collector;
    storedIds.add(id);
  }
  // What each supply is, as stored, so that only changes are written.
  // (Plain rows: building them as JSON in the candidates query cost the
  // database more than this query does.)
  if (storedIds.size() > 0) {
    for (const auto& row : txn.exec_params(
             "SELECT device_id, supply_index, description, type, color, unit, supply_class, "
             "part_number, serial FROM supplies WHERE device_id = ANY($1::bigint[])",
             storedIds.str())) {
      auto& fields = states[row[0].as<std::int64_t>()].storedSupplies[row[1].as<int>()];
      for (std::size_t f = 0; f < fields.size(); ++f) {
        fields[f] = row[static_cast<int>(f) + 2].as<std::string>();
      }
    }
  }
  for (auto& [id, previous] : previousCounters) {
    if (const auto it = states.find(id); it != states.end()) {
      it->second.counters = std::move(previous.first);
      it->second.countersAt = previous.second;
    }
  }

  // Items in time order per device, so "previous" means previous in time.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    if (newSeqs.contains(static_cast<std::int64_t>(batch.items[i].seq))) {
      order.push_back(i);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return batch.items[a].reading.readAt < batch.items[b].reading.readAt;
  });

  // The time-series rows go in with COPY (the fast path); the arrays are the
  // fallback when a row exists already (see insertTimeSeries).
  TimeSeriesRows rows;
  rows.meter.reserve(order.size() * 256);
  rows.supply.reserve(order.size() * 256);
  rows.status.reserve(order.size() * 64);
  PgArray mDevice;
  PgArray mCounter;
  PgArray mAt;
  PgArray mValue;
  PgArray mFlags;
  PgArray sDevice;
  PgArray sIndex;
  PgArray sAt;
  PgArray sLevel;
  PgArray sMax;
  PgArray sPercent;
  PgArray sState;
  std::map<std::pair<std::int64_t, int>, const model::Supply*> supplyInfo;
  PgArray hDevice;
  PgArray hAt;
  PgArray hPrinter;
  PgArray hDeviceStatus;
  PgArray hErrors;
  PgArray hVendor;
  PgArray aDevice;
  PgArray aAt;
  PgArray aIndex;
  PgArray aSeverity;
  PgArray aGroup;
  PgArray aCode;
  PgArray aText;

  for (const std::size_t i : order) {
    const auto& reading = batch.items[i].reading;
    const std::int64_t deviceId = itemDevice[i];
    DeviceState& st = states[deviceId];
    const std::string at = util::formatRfc3339(reading.readAt);
    if (!st.touched || reading.readAt > st.lastSeen) {
      st.lastSeen = reading.readAt;
    }
    st.touched = true;

    for (const auto& change : ingest::identityChanges(st.device.identity, identities[i])) {
      if (st.isNew) {
        break;
      }
      events.push_back({deviceId, reading.readAt, change.field + "_changed",
                        json{{"before", change.before}, {"after", change.after}}});
    }
    st.device.identity = ingest::mergeIdentity(st.device.identity, identities[i]);
    for (const auto& note : reading.notes) {
      events.push_back({deviceId, reading.readAt, "note", json{{"text", note}}});
    }

    if (!reading.counters.empty()) {
      const bool inOrder = !st.countersAt || reading.readAt > *st.countersAt;
      std::vector<std::string> backwards;
      if (inOrder) {
        backwards = ingest::countersGoneBackwards(st.counters, reading.counters);
      }
      for (const auto& [name, value] : reading.counters) {
        const bool back = std::find(backwards.begin(), backwards.end(), name) != backwards.end();
        const std::int16_t flags = back ? kFlagBackwards : std::int16_t{0};
        if (useCopy) {
          std::string& m = rows.meter;
          appendCopyField(m, deviceId);
          m += '\t';
          appendCopyField(m, std::int64_t{counterId(txn, name)});
          m += '\t';
          m += at;
          m += '\t';
          appendCopyField(m, value);
          m += '\t';
          appendCopyField(m, std::int64_t{flags});
          m += '\n';
        } else {
          mDevice.add(deviceId);
          mCounter.add(std::int64_t{counterId(txn, name)});
          mAt.add(at);
          mValue.add(value);
          mFlags.add(std::int64_t{flags});
        }
        if (back) {
          events.push_back(
              {deviceId, reading.readAt, "counter_backwards",
               json{{"counter", name}, {"before", st.counters[name]}, {"after", value}}});
        }
      }
      if (inOrder) {
        for (const auto& [name, value] : reading.counters) {
          st.counters[name] = value;
        }
        st.countersAt = reading.readAt;
        st.countersChanged = true;
      }
    }

    for (const auto& s : reading.supplies) {
      if (useCopy) {
        std::string& u = rows.supply;
        appendCopyField(u, deviceId);
        u += '\t';
        appendCopyField(u, std::int64_t{s.index});
        u += '\t';
        u += at;
        u += '\t';
        appendCopyField(u, s.level);
        u += '\t';
        appendCopyField(u, s.max);
        u += '\t';
        if (s.levelPercent) {
          appendCopyField(u, std::int64_t{*s.levelPercent});
        } else {
          u += "\\N";
        }
        u += '\t';
        u += model::toString(s.state);
        u += '\n';
      } else {
        sDevice.add(deviceId);
        sIndex.add(std::int64_t{s.index});
        sAt.add(at);
        sLevel.add(s.level);
        sMax.add(s.max);
        sPercent.add(s.levelPercent);
        sState.add(model::toString(s.state));
      }
      if (!st.knowsSupply(s)) {
        supplyInfo[{deviceId, s.index}] = &s;
      }
    }

    if (!useCopy) {
      hDevice.add(deviceId);
      hAt.add(at);
      hPrinter.add(reading.status.printerStatus);
      hDeviceStatus.add(reading.status.deviceStatus);
      hErrors.add(json(reading.status.errors).dump(-1, ' ', false, json::error_handler_t::replace));
      hVendor.add(reading.status.vendorCode);
    } else {
      PgArray errors;
      for (const auto& e : reading.status.errors) {
        errors.add(e);
      }
      std::string& h = rows.status;
      appendCopyField(h, deviceId);
      h += '\t';
      h += at;
      h += '\t';
      appendCopyField(h, reading.status.printerStatus);
      h += '\t';
      appendCopyField(h, reading.status.deviceStatus);
      h += '\t';
      appendCopyField(h, errors.str());
      h += '\t';
      appendCopyField(h, reading.status.vendorCode);
      h += '\n';
    }
    for (const auto& a : reading.status.alerts) {
      aDevice.add(deviceId);
      aAt.add(at);
      aIndex.add(std::int64_t{a.index});
      aSeverity.add(a.severity);
      aGroup.add(a.group);
      aCode.add(std::int64_t{a.code});
      aText.add(a.text);
    }

    if (!st.statusAt || reading.readAt >= *st.statusAt) {
      st.statusAt = reading.readAt;
      st.statusItem = i;
      if (reading.kind == model::ReadingKind::kMeter) {
        st.capabilities = model::toJsonValue(reading.capabilities);
      }
    }
  }

  timer.mark("rows");
  StatementBatch tail(txn);
  const bool copied = useCopy;
  if (useCopy) {
    copyTimeSeries(txn, rows);
  }
  timer.mark("copy");
  if (!copied && mDevice.size() > 0) {
    tail.exec(
        "INSERT INTO meter_readings (device_id, counter_id, read_at, value, flags) "
        "SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::bigint[], "
        "$5::smallint[]) ON CONFLICT DO NOTHING",
        mDevice.str(), mCounter.str(), mAt.str(), mValue.str(), mFlags.str());
  }
  if (!copied && sDevice.size() > 0) {
    tail.exec(
        "INSERT INTO supply_levels (device_id, supply_index, read_at, level, max, level_percent, "
        "state) SELECT * FROM unnest($1::bigint[], $2::integer[], $3::timestamptz[], "
        "$4::bigint[], $5::bigint[], $6::smallint[], $7::text[]) ON CONFLICT DO NOTHING",
        sDevice.str(), sIndex.str(), sAt.str(), sLevel.str(), sMax.str(), sPercent.str(),
        sState.str());
  }
  if (!supplyInfo.empty()) {
    PgArray iDevice;
    PgArray iIndex;
    PgArray iDescription;
    PgArray iType;
    PgArray iColor;
    PgArray iUnit;
    PgArray iClass;
    PgArray iPart;
    PgArray iSerial;
    for (const auto& [key, s] : supplyInfo) {
      iDevice.add(key.first);
      iIndex.add(std::int64_t{key.second});
      iDescription.add(s->description);
      iType.add(s->type);
      iColor.add(s->color);
      iUnit.add(s->unit);
      iClass.add(s->supplyClass);
      iPart.add(s->partNumber);
      iSerial.add(s->serial);
    }
    tail.exec(
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
        "excluded.supply_class, excluded.part_number, excluded.serial)",
        iDevice.str(), iIndex.str(), iDescription.str(), iType.str(), iColor.str(), iUnit.str(),
        iClass.str(), iPart.str(), iSerial.str());
  }
  if (!copied && hDevice.size() > 0) {
    tail.exec(
        "INSERT INTO status_history (device_id, read_at, printer_status, device_status, errors, "
        "vendor_code) SELECT u.d, u.t, u.p, u.s, ARRAY(SELECT jsonb_array_elements_text(u.e)), "
        "u.v FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[], "
        "$6::text[]) AS u(d, t, p, s, e, v) ON CONFLICT DO NOTHING",
        hDevice.str(), hAt.str(), hPrinter.str(), hDeviceStatus.str(), hErrors.str(),
        hVendor.str());
  }
  if (aDevice.size() > 0) {
    tail.exec(
        "INSERT INTO alert_history (device_id, read_at, alert_index, severity, alert_group, code, "
        "text) SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::integer[], $4::text[], "
        "$5::text[], $6::integer[], $7::text[]) ON CONFLICT DO NOTHING",
        aDevice.str(), aAt.str(), aIndex.str(), aSeverity.str(), aGroup.str(), aCode.str(),
        aText.str());
  }

  timer.mark("arrays");
  // 6. Latest state and identity per device, in id order (two batches
  // touching the same devices lock them in the same order).
  std::vector<std::int64_t> ids;
  for (const auto& [id, st] : states) {
    if (st.touched) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  if (!ids.empty()) {
    // COPY text for the latest_in temporary table (see the constructor).
    std::string latest;
    latest.reserve(ids.size() * 2048);
    std::string scratch;
    PgArray dId;
    PgArray dSerial;
    PgArray dMac;
    PgArray dIp;
    PgArray dHost;
    PgArray dManufacturer;
    PgArray dModel;
    PgArray dFirmware;
    PgArray dLocation;
    PgArray dContact;
    PgArray dOid;
    PgArray dDescr;
    PgArray dCapabilities;
    for (const auto id : ids) {
      const DeviceState& st = states[id];
      appendCopyField(latest, id);
      latest += '\t';
      if (st.countersChanged) {
        scratch.clear();
        appendJson(scratch, st.counters);
        appendCopyField(latest, scratch);
        latest += '\t';
        latest += util::formatRfc3339(*st.countersAt);
      } else {
        latest += "\\N\t\\N";
      }
      latest += '\t';
      const model::Reading& statusReading = batch.items[st.statusItem].reading;
      scratch.clear();
      scratch += '[';
      for (const auto& s : statusReading.supplies) {
        if (scratch.size() > 1) {
          scratch += ',';
        }
        appendJson(scratch, s);
      }
      scratch += ']';
      appendCopyField(latest, scratch);
      latest += '\t';
      scratch.clear();
      appendJson(scratch, statusReading.status);
      appendCopyField(latest, scratch);
      latest += '\t';
      latest += util::formatRfc3339(*st.statusAt);
      latest += '\t';
      latest += util::formatRfc3339(st.lastSeen);
      latest += '\n';
      const bool capabilitiesChanged =
          !st.capabilities.is_null() &&
          json::parse(st.storedCapabilities, nullptr, false) != st.capabilities;
      if (st.device.identity == st.original && !capabilitiesChanged &&
          (st.isNew || st.storedCollector == collectorId)) {
        continue;  // most reads change nothing about the device itself
      }
      const auto& i = st.device.identity;
      dId.add(id);
      dSerial.add(i.serial);
      dMac.add(i.mac);
      dIp.add(i.ip);
      dHost.add(i.hostName);
      dManufacturer.add(i.manufacturer);
      dModel.add(i.model);
      dFirmware.add(i.firmware);
      dLocation.add(i.location);
      dContact.add(i.contact);
      dOid.add(i.sysObjectId);
      dDescr.add(i.sysDescr);
      if (st.capabilities.is_null()) {
        dCapabilities.addNull();
      } else {
        dCapabilities.add(st.capabilities.dump());
      }
    }
    if (dId.size() > 0) {
      tail.exec(
          "UPDATE devices d SET serial = u.serial, mac = u.mac, ip = u.ip, host_name = u.host, "
          "manufacturer = u.manufacturer, model = u.model, firmware = u.firmware, "
          "location = u.location, contact = u.contact, sys_object_id = u.oid, "
          "sys_descr = u.descr, capabilities = coalesce(u.caps, d.capabilities), "
          "collector_id = $14 "
          "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
          "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
          "$13::jsonb[]) AS u(id, serial, mac, ip, host, manufacturer, model, "
          "firmware, location, contact, oid, descr, caps) WHERE d.id = u.id "
          // Most reads change nothing: compare first, so no new row version is written.
          "AND (d.serial, d.mac, d.ip, d.host_name, d.manufacturer, d.model, d.firmware, "
          "d.location, d.contact, d.sys_object_id, d.sys_descr, d.capabilities, d.collector_id) "
          "IS DISTINCT FROM (u.serial, u.mac, u.ip, u.host, u.manufacturer, u.model, u.firmware, "
          "u.location, u.contact, u.oid, u.descr, coalesce(u.caps, d.capabilities), $14)",
          dId.str(), dSerial.str(), dMac.str(), dIp.str(), dHost.str(), dManufacturer.str(),
          dModel.str(), dFirmware.str(), dLocation.str(), dContact.str(), dOid.str(), dDescr.str(),
          dCapabilities.str(), collectorId);
    }
    copyText(
        txn, "latest_in",
        {"device_id", "counters", "counters_at", "supplies", "status", "status_at", "last_seen_at"},
        latest);
    tail.exec(
        "INSERT INTO device_latest AS l (device_id, counters, counters_at, supplies, status, "
        "status_at, last_seen_at) SELECT u.device_id, coalesce(u.counters, '{}'), u.counters_at, "
        "u.supplies, u.status, u.status_at, u.last_seen_at FROM latest_in u ORDER BY u.device_id "
        "ON CONFLICT (device_id) DO UPDATE SET "
        "counters = CASE WHEN excluded.counters_at IS NOT NULL AND (l.counters_at IS NULL OR "
        "excluded.counters_at >= l.counters_at) THEN excluded.counters ELSE l.counters END, "
        "counters_at = greatest(l.counters_at, excluded.counters_at), "
        "supplies = CASE WHEN l.status_at IS NULL OR excluded.status_at >= l.status_at THEN "
        "excluded.supplies ELSE l.supplies END, "
        "status = CASE WHEN l.status_at IS NULL OR excluded.status_at >= l.status_at THEN "
        "excluded.status ELSE l.status END, "
        "status_at = greatest(l.status_at, excluded.status_at), "
        "last_seen_at = greatest(l.last_seen_at, excluded.last_seen_at)");
    tail.exec("DELETE FROM latest_in");
  }

  if (!events.empty()) {
    PgArray eDevice;
    PgArray eAt;
    PgArray eKind;
    PgArray eDetail;
    for (const auto& e : events) {
      eDevice.add(e.deviceId);
      eAt.add(util::formatRfc3339(e.at));
      eKind.add(e.kind);
      eDetail.add(e.detail.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    tail.exec(
        "INSERT INTO device_events (device_id, at, kind, detail, batch_id) SELECT u.d, u.t, u.k, "
        "u.x, $5 FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::jsonb[]) AS u(d, "
        "t, k, x)",
        eDevice.str(), eAt.str(), eKind.str(), eDetail.str(), batchId);
  }

  tail.exec(
      "UPDATE collectors SET last_seen_at = now(), last_batch_seq = greatest(last_batch_seq, $2), "
      "last_carrier = $3, last_peer = $4 WHERE id = $1",
      collectorId, static_cast<std::int64_t>(batch.batchSeq), std::string(carrier),
      std::string(peer));
  if (!useCopy) {
    tail.exec("UPDATE ingest_batches SET items_stored = $2 WHERE id = $1", batchId,
              static_cast<std::int64_t>(newSeqs.size()));
  }
  timer.mark("latest");
  tail.flush();
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
  return StoreResult{StoreStatus::kStored, static_cast<std::int64_t>(newSeqs.size())};
}

}  // namespace openmps::server::store
