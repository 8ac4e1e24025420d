// large_fleet_tool: writes the simulated fleet of large_fleet_model.hpp
// into a migrated, empty OpenMPS database, as the rows ingest writes
// (organisations, collectors, devices, supplies, device_latest,
// ingest_batches, device_reads, device_events and the time series), by
// COPY, in parallel connections. Prints a JSON summary on stdout.
// The database URI comes from $LARGE_FLEET_DATABASE_URI (never argv).
// Driven by test/lib/openmps_test/large_fleet.py.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/store/pg_array.hpp"
#include "server/store/pg_copy.hpp"
#include "server/store/row_text.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"
#include "test/tools/large_fleet_model.hpp"

using namespace openmps;
using namespace openmps::test::fleet;
using server::store::appendCopyField;
using server::store::PgCopy;

namespace {

struct DealerRegion {
  const char* timeZone;
  const char* locale;
};
constexpr DealerRegion kDealerRegions[] = {{"Europe/Zurich", "de"}, {"Europe/Berlin", "de"},
                                           {"Europe/Zurich", "fr"}, {"Europe/Zurich", "it"},
                                           {"Europe/Berlin", "de"}, {"Europe/Berlin", "de"},
                                           {"Europe/Paris", "fr"},  {"Europe/London", "en"},
                                           {"Europe/Vienna", "de"}, {"Europe/Rome", "it"}};

const char* pmdOf(const ModelSpec& spec) {
  static const std::map<std::string, const char*, std::less<>> kPmd = {
      {"HP", "hp"},           {"Kyocera", "kyocera"},
      {"Brother", "brother"}, {"Canon", "canon"},
      {"Ricoh", "ricoh"},     {"Xerox", "xerox"},
      {"Lexmark", "lexmark"}, {"Konica Minolta", "konica_minolta"},
      {"Epson", "epson"}};
  const auto it = kPmd.find(spec.manufacturer);
  return it == kPmd.end() ? "generic" : it->second;
}

const ModelSpec& specOf(const Device& d) {
  return catalog()[static_cast<std::size_t>(d.model)];
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void tab(std::string& s) {
  s += '\t';
}

// ---- the ingest log: one batch per collector and day with reads ------------

struct BatchPlan {
  std::int64_t firstBatchId = 0;
  // per customer and day: batch id (0: no batch that day)
  std::vector<std::vector<std::int64_t>> batchIds;
  // item_seq of each read: history devices per day, others their one read
  std::vector<std::int64_t> historySeq;  // [device * days + day]
  std::vector<std::int64_t> latestSeq;   // [device]
  std::string rows;                      // COPY text of ingest_batches
  std::int64_t batches = 0;
};

std::string digestHex(std::uint64_t seed, std::int64_t batchId) {
  Rng rng(seed, 77, static_cast<std::uint64_t>(batchId));
  std::string hex = "\\\\x";
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t v = rng.next();
    for (int b = 0; b < 16; ++b) {
      hex += kHex[(v >> (60U - 4U * static_cast<unsigned>(b))) & 15U];
    }
  }
  return hex;
}

const char* carrierOf(const Customer& c) {
  const int k = c.index % 10;
  return k < 7 ? "xmlrpc" : (k < 9 ? "https" : "mail");
}

std::string peerOf(const Customer& c) {
  return "203.0." + std::to_string(113 + c.index / 250 % 8) + "." +
         std::to_string(c.index % 250 + 1);
}

struct CollectorState {
  std::int64_t lastSeq = 0;
  std::string lastSeen;
  std::string created;
};

BatchPlan planBatches(const Fleet& fleet, std::int64_t firstBatchId,
                      std::vector<CollectorState>& collectors) {
  const int days = fleet.params.days;
  BatchPlan plan;
  plan.firstBatchId = firstBatchId;
  plan.historySeq.assign(
      static_cast<std::size_t>(fleet.params.historyDevices) * static_cast<std::size_t>(days), 0);
  plan.latestSeq.assign(fleet.devices.size(), 0);
  plan.batchIds.resize(fleet.customers.size());
  collectors.resize(fleet.customers.size());
  std::int64_t nextId = firstBatchId;
  for (const Customer& c : fleet.customers) {
    auto& ids = plan.batchIds[static_cast<std::size_t>(c.index)];
    ids.assign(static_cast<std::size_t>(days), 0);
    CollectorState& state = collectors[static_cast<std::size_t>(c.index)];
    std::int64_t seq = 0;
    std::int64_t item = 0;
    for (int day = 0; day < days; ++day) {
      if (std::binary_search(c.lostBatchDays.begin(), c.lostBatchDays.end(), day)) {
        ++seq;  // sent, never arrived: a gap in the batch numbers
        continue;
      }
      std::int64_t items = 0;
      for (int k = 0; k < c.deviceCount; ++k) {
        const Device& d = fleet.devices[static_cast<std::size_t>(c.firstDevice + k)];
        if (!isRead(fleet, d, day)) {
          continue;
        }
        ++items;
        ++item;
        if (d.history) {
          plan.historySeq[static_cast<std::size_t>(d.index) * static_cast<std::size_t>(days) +
                          static_cast<std::size_t>(day)] = item;
        } else {
          plan.latestSeq[static_cast<std::size_t>(d.index)] = item;
        }
      }
      if (items == 0) {
        continue;
      }
      ++seq;
      const std::int64_t id = nextId++;
      ids[static_cast<std::size_t>(day)] = id;
      const auto created = dayStart(fleet, day) + std::chrono::hours{5} + std::chrono::minutes{30};
      const auto received =
          created + (std::string_view(carrierOf(c)) == "mail" ? std::chrono::seconds{300}
                                                              : std::chrono::seconds{2});
      std::string& r = plan.rows;
      appendCopyField(r, id);
      tab(r);
      appendCopyField(r, c.collectorId);
      tab(r);
      appendCopyField(r, seq);
      tab(r);
      r += digestHex(fleet.params.seed, id);
      tab(r);
      r += carrierOf(c);
      tab(r);
      r += peerOf(c);
      tab(r);
      appendCopyField(r, items);
      tab(r);
      appendCopyField(r, items);
      tab(r);
      r += util::formatRfc3339(created);
      tab(r);
      r += util::formatRfc3339(received);
      r += '\n';
      ++plan.batches;
      if (state.created.empty()) {
        state.created = util::formatRfc3339(dayStart(fleet, day) - std::chrono::hours{24});
      }
      state.lastSeq = seq;
      state.lastSeen = util::formatRfc3339(received);
    }
  }
  return plan;
}

// ---- organisations, collectors, devices ------------------------------------

struct Ids {
  std::int64_t rootId = 0;
  std::int64_t orgBase = 0;     // dealer d: orgBase + d; customer c: orgBase + dealers + c
  std::int64_t deviceBase = 0;  // device i: deviceBase + i
  std::int64_t dealerId(int d) const { return orgBase + d; }
  std::int64_t customerId(const Fleet& f, int c) const { return orgBase + f.params.dealers + c; }
  std::int64_t deviceId(int i) const { return deviceBase + i; }
};

void appendOrg(std::string& r, std::int64_t id, const char* kind, const std::string& name,
               std::int64_t parent, const std::string& path, const char* created,
               const std::string& tz, int billingDay, int leadDays, const std::string& locale) {
  appendCopyField(r, id);
  tab(r);
  r += kind;
  tab(r);
  appendCopyField(r, name);
  tab(r);
  appendCopyField(r, parent);
  tab(r);
  r += path;
  tab(r);
  r += created;
  tab(r);
  appendCopyField(r, tz);
  tab(r);
  appendCopyField(r, std::int64_t{billingDay});
  tab(r);
  appendCopyField(r, std::int64_t{leadDays});
  tab(r);
  r += locale;
  r += '\n';
}

void writeOrganisations(pqxx::work& txn, const Fleet& fleet, const Ids& ids) {
  std::string rows;
  const std::string created = util::formatRfc3339(dayStart(fleet, 0) - std::chrono::hours{24 * 30});
  for (int d = 0; d < fleet.params.dealers; ++d) {
    const auto& region = kDealerRegions[d % 10];
    const std::string path =
        "{" + std::to_string(ids.rootId) + "," + std::to_string(ids.dealerId(d)) + "}";
    appendOrg(rows, ids.dealerId(d), "dealer", fleet.dealerNames[static_cast<std::size_t>(d)],
              ids.rootId, path, created.c_str(), region.timeZone, 1, 7, region.locale);
  }
  for (const Customer& c : fleet.customers) {
    const std::string path = "{" + std::to_string(ids.rootId) + "," +
                             std::to_string(ids.dealerId(c.dealer)) + "," +
                             std::to_string(ids.customerId(fleet, c.index)) + "}";
    appendOrg(rows, ids.customerId(fleet, c.index), "customer", c.name, ids.dealerId(c.dealer),
              path, created.c_str(), c.timeZone, c.billingDay, c.leadDays, c.locale);
  }
  server::store::copyText(txn, "organisations",
                          {"id", "kind", "name", "parent_id", "path", "created_at", "time_zone",
                           "billing_day", "order_lead_days", "locale"},
                          rows);
}

void writeCollectors(pqxx::work& txn, const Fleet& fleet, const Ids& ids,
                     const std::vector<CollectorState>& collectors) {
  std::string rows;
  for (const Customer& c : fleet.customers) {
    const auto& st = collectors[static_cast<std::size_t>(c.index)];
    appendCopyField(rows, c.collectorId);
    tab(rows);
    appendCopyField(rows, ids.customerId(fleet, c.index));
    tab(rows);
    rows += "office-pc";
    tab(rows);
    rows += st.created.empty() ? std::string("\\N") : st.created;
    tab(rows);
    rows += st.lastSeen.empty() ? std::string("\\N") : st.lastSeen;
    tab(rows);
    if (st.lastSeq > 0) {
      appendCopyField(rows, st.lastSeq);
    } else {
      rows += "\\N";
    }
    tab(rows);
    rows += carrierOf(c);
    tab(rows);
    rows += peerOf(c);
    rows += '\n';
  }
  server::store::copyText(txn, "collectors",
                          {"id", "customer_id", "name", "created_at", "last_seen_at",
                           "last_batch_seq", "last_carrier", "last_peer"},
                          rows);
}

int firstReadDay(const Fleet& fleet, const Device& d) {
  for (int day = d.firstDay; day < fleet.params.days; ++day) {
    if (isRead(fleet, d, day)) {
      return day;
    }
  }
  return d.firstDay;
}

void writeDevices(pqxx::work& txn, const Fleet& fleet, const Ids& ids) {
  std::string rows;
  for (const Device& d : fleet.devices) {
    const ModelSpec& spec = specOf(d);
    const Customer& c = fleet.customers[static_cast<std::size_t>(d.customer)];
    const auto firstSeen = d.history
                               ? readTime(fleet, d, firstReadDay(fleet, d))
                               : dayStart(fleet, 0) - std::chrono::hours{24 * (30 + d.index % 700)};
    appendCopyField(rows, ids.deviceId(d.index));
    tab(rows);
    appendCopyField(rows, ids.customerId(fleet, d.customer));
    for (const std::string* field : {&d.serial, &d.mac, &d.ip, &d.hostName}) {
      tab(rows);
      appendCopyField(rows, *field);
    }
    tab(rows);
    appendCopyField(rows, spec.manufacturer);
    tab(rows);
    appendCopyField(rows, spec.model);
    tab(rows);
    appendCopyField(rows, d.firmware);
    tab(rows);
    appendCopyField(rows, d.location);
    tab(rows);
    appendCopyField(rows, d.contact);
    tab(rows);
    rows += spec.sysObjectId;
    tab(rows);
    appendCopyField(rows, std::string(spec.manufacturer) + " " + spec.model + " " + d.firmware);
    tab(rows);
    appendCopyField(rows, model::toJsonValue(capabilitiesOf(spec)).dump());
    tab(rows);
    appendCopyField(rows, c.collectorId);
    tab(rows);
    rows += util::formatRfc3339(firstSeen);
    rows += '\n';
  }
  // The workers write every device's device_latest row as ingest leaves
  // it; the rows the trigger would add first would collide with them. Off
  // for this transaction only (ALTER TABLE is transactional).
  txn.exec("ALTER TABLE devices DISABLE TRIGGER devices_latest_rows");
  server::store::copyText(txn, "devices",
                          {"id", "customer_id", "serial", "mac", "ip", "host_name", "manufacturer",
                           "model", "firmware", "location", "contact", "sys_object_id", "sys_descr",
                           "capabilities", "collector_id", "first_seen_at"},
                          rows);
  txn.exec("ALTER TABLE devices ENABLE TRIGGER devices_latest_rows");
}

// ---- per device: reads, time series, latest state, events -------------------

struct Buffers {
  std::string meter, supply, status, alerts, reads, latest, supplies, events;
  std::map<std::string, std::int64_t> rows;

  void flush(pqxx::work& txn) {
    send(txn, "meter_readings", {"device_id", "counter_id", "read_at", "value", "flags"}, meter);
    send(txn, "supply_levels",
         {"device_id", "supply_index", "read_at", "level", "max", "level_percent", "state"},
         supply);
    send(txn, "status_history",
         {"device_id", "read_at", "printer_status", "device_status", "errors", "vendor_code"},
         status);
    send(txn, "alert_history",
         {"device_id", "read_at", "alert_index", "severity", "alert_group", "code", "text"},
         alerts);
    send(txn, "device_reads",
         {"device_id", "collector_id", "item_seq", "batch_id", "kind", "read_at", "address", "pmd"},
         reads);
    send(txn, "supplies",
         {"device_id", "supply_index", "description", "type", "color", "unit", "supply_class",
          "part_number", "serial"},
         supplies);
    send(txn, "device_latest",
         {"device_id", "counters", "counters_at", "supplies", "status", "status_at", "last_seen_at",
          "customer_id", "dealer_id"},
         latest);
    send(txn, "device_events", {"device_id", "at", "kind", "detail", "batch_id"}, events);
  }

  void send(pqxx::work& txn, const std::string& table, const std::vector<std::string>& columns,
            std::string& text) {
    rows[table] += static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    server::store::copyText(txn, table, columns, text);
  }
};

class DeviceWriter {
 public:
  DeviceWriter(const Fleet& fleet, const Ids& ids, const BatchPlan& plan,
               const std::map<std::string, std::int16_t, std::less<>>& counterIds, Buffers& out)
      : fleet_(fleet), ids_(ids), plan_(plan), counterIds_(counterIds), out_(out) {}

  void write(const Device& d) {
    const std::vector<Read> reads =
        d.history ? simulateHistory(fleet_, d) : std::vector<Read>{simulateLatest(fleet_, d)};
    if (reads.empty()) {
      return;
    }
    deviceId_ = ids_.deviceId(d.index);
    at_.clear();
    for (const Read& r : reads) {
      at_.push_back(util::formatRfc3339(r.at));
    }
    writeMeters(reads);
    writeSupplyLevels(reads);
    writeStatus(reads);
    writeReads(d, reads);
    writeLatest(d, reads.back());
    writeSupplies(reads.back());
    writeEvents(d, reads);
  }

 private:
  std::int64_t batchOf(const Device& d, int day) const {
    return plan_.batchIds[static_cast<std::size_t>(d.customer)][static_cast<std::size_t>(day)];
  }

  void writeMeters(const std::vector<Read>& reads) {
    std::vector<std::pair<std::int16_t, std::size_t>> order;
    for (std::size_t k = 0; k < reads.front().counters.size(); ++k) {
      order.emplace_back(counterIds_.at(reads.front().counters[k].name), k);
    }
    std::sort(order.begin(), order.end());  // rows in primary key order
    for (const auto& [counterId, k] : order) {
      for (std::size_t i = 0; i < reads.size(); ++i) {
        const CounterValue& v = reads[i].counters[k];
        std::string& m = out_.meter;
        appendCopyField(m, deviceId_);
        tab(m);
        appendCopyField(m, std::int64_t{counterId});
        tab(m);
        m += at_[i];
        tab(m);
        appendCopyField(m, v.value);
        tab(m);
        m += v.backwards ? '1' : '0';
        m += '\n';
      }
    }
  }

  void writeSupplyLevels(const std::vector<Read>& reads) {
    for (std::size_t k = 0; k < reads.front().supplies.size(); ++k) {
      for (std::size_t i = 0; i < reads.size(); ++i) {
        const model::Supply& s = reads[i].supplies[k];
        std::string& u = out_.supply;
        appendCopyField(u, deviceId_);
        tab(u);
        appendCopyField(u, std::int64_t{s.index});
        tab(u);
        u += at_[i];
        tab(u);
        appendCopyField(u, s.level);
        tab(u);
        appendCopyField(u, s.max);
        tab(u);
        if (s.levelPercent) {
          appendCopyField(u, std::int64_t{*s.levelPercent});
        } else {
          u += "\\N";
        }
        tab(u);
        u += model::toString(s.state);
        u += '\n';
      }
    }
  }

  void writeStatus(const std::vector<Read>& reads) {
    for (std::size_t i = 0; i < reads.size(); ++i) {
      const model::Status& st = reads[i].status;
      server::store::PgArray errors;
      for (const auto& e : st.errors) {
        errors.add(e);
      }
      std::string& h = out_.status;
      appendCopyField(h, deviceId_);
      tab(h);
      h += at_[i];
      tab(h);
      appendCopyField(h, st.printerStatus);
      tab(h);
      appendCopyField(h, st.deviceStatus);
      tab(h);
      appendCopyField(h, errors.str());
      tab(h);
      h += '\n';
      for (const auto& a : st.alerts) {
        std::string& x = out_.alerts;
        appendCopyField(x, deviceId_);
        tab(x);
        x += at_[i];
        tab(x);
        appendCopyField(x, std::int64_t{a.index});
        tab(x);
        appendCopyField(x, a.severity);
        tab(x);
        appendCopyField(x, a.group);
        tab(x);
        appendCopyField(x, std::int64_t{a.code});
        tab(x);
        appendCopyField(x, a.text);
        x += '\n';
      }
    }
  }

  void writeReads(const Device& d, const std::vector<Read>& reads) {
    const Customer& c = fleet_.customers[static_cast<std::size_t>(d.customer)];
    const char* pmd = pmdOf(specOf(d));
    for (std::size_t i = 0; i < reads.size(); ++i) {
      const int day = reads[i].day;
      const std::int64_t seq =
          d.history ? plan_.historySeq[static_cast<std::size_t>(d.index) *
                                           static_cast<std::size_t>(fleet_.params.days) +
                                       static_cast<std::size_t>(day)]
                    : plan_.latestSeq[static_cast<std::size_t>(d.index)];
      std::string& r = out_.reads;
      appendCopyField(r, deviceId_);
      tab(r);
      appendCopyField(r, c.collectorId);
      tab(r);
      appendCopyField(r, seq);
      tab(r);
      appendCopyField(r, batchOf(d, day));
      tab(r);
      r += "meter";
      tab(r);
      r += at_[i];
      tab(r);
      appendCopyField(r, d.ip);
      tab(r);
      r += pmd;
      r += '\n';
    }
  }

  void writeLatest(const Device& d, const Read& last) {
    model::Counters counters;
    for (const auto& v : last.counters) {
      counters[v.name] = v.value;
    }
    std::string& l = out_.latest;
    scratch_.clear();
    server::store::appendJson(scratch_, counters);
    appendCopyField(l, deviceId_);
    tab(l);
    appendCopyField(l, scratch_);
    tab(l);
    l += at_.back();
    tab(l);
    scratch_.assign("[");
    for (const auto& s : last.supplies) {
      if (scratch_.size() > 1) {
        scratch_ += ',';
      }
      server::store::appendJson(scratch_, s);
    }
    scratch_ += ']';
    appendCopyField(l, scratch_);
    tab(l);
    scratch_.clear();
    server::store::appendJson(scratch_, last.status);
    appendCopyField(l, scratch_);
    tab(l);
    l += at_.back();
    tab(l);
    l += at_.back();
    tab(l);
    const Customer& c = fleet_.customers[static_cast<std::size_t>(d.customer)];
    appendCopyField(l, ids_.customerId(fleet_, d.customer));
    tab(l);
    appendCopyField(l, ids_.dealerId(c.dealer));
    l += '\n';
  }

  void writeSupplies(const Read& last) {
    for (const auto& s : last.supplies) {
      std::string& u = out_.supplies;
      appendCopyField(u, deviceId_);
      tab(u);
      appendCopyField(u, std::int64_t{s.index});
      for (const std::string* f :
           {&s.description, &s.type, &s.color, &s.unit, &s.supplyClass, &s.partNumber, &s.serial}) {
        tab(u);
        appendCopyField(u, *f);
      }
      u += '\n';
    }
  }

  void event(const std::string& at, const char* kind, const nlohmann::json& detail,
             std::int64_t batch) {
    std::string& e = out_.events;
    appendCopyField(e, deviceId_);
    tab(e);
    e += at;
    tab(e);
    e += kind;
    tab(e);
    appendCopyField(e, detail.dump());
    tab(e);
    appendCopyField(e, batch);
    e += '\n';
  }

  void writeEvents(const Device& d, const std::vector<Read>& reads) {
    const ModelSpec& spec = specOf(d);
    event(at_.front(), "new_device",
          {{"serial", d.serial}, {"mac", d.mac}, {"ip", d.ip}, {"model", spec.model}},
          batchOf(d, reads.front().day));
    for (std::size_t i = 0; i < reads.size(); ++i) {
      for (const auto& v : reads[i].counters) {
        if (v.backwards) {
          event(at_[i], "counter_backwards",
                {{"counter", v.name}, {"before", v.before}, {"after", v.value}},
                batchOf(d, reads[i].day));
        }
      }
    }
  }

  const Fleet& fleet_;
  const Ids& ids_;
  const BatchPlan& plan_;
  const std::map<std::string, std::int16_t, std::less<>>& counterIds_;
  Buffers& out_;
  std::int64_t deviceId_ = 0;
  std::vector<std::string> at_;
  std::string scratch_;
};

// Workers take ranges of devices and write everything of them; each has
// its own connection and transaction.
struct Work {
  const Fleet& fleet;
  const Ids& ids;
  const BatchPlan& plan;
  const std::map<std::string, std::int16_t, std::less<>>& counterIds;
  std::string uri;
  std::atomic<int> next{0};
  std::mutex mutex;
  std::map<std::string, std::int64_t> rows;
  std::string error;
};

constexpr int kHistoryChunk = 100;
constexpr int kLatestChunk = 4000;

std::pair<int, int> chunkRange(const Fleet& fleet, int chunk) {
  const int history = fleet.params.historyDevices;
  const int historyChunks = (history + kHistoryChunk - 1) / kHistoryChunk;
  if (chunk < historyChunks) {
    return {chunk * kHistoryChunk, std::min(history, (chunk + 1) * kHistoryChunk)};
  }
  const int first = history + (chunk - historyChunks) * kLatestChunk;
  return {first, std::min(fleet.params.devices, first + kLatestChunk)};
}

void worker(Work& work) {
  try {
    pqxx::connection conn(work.uri);
    pqxx::work txn(conn);
    Buffers buffers;
    DeviceWriter writer(work.fleet, work.ids, work.plan, work.counterIds, buffers);
    for (;;) {
      const auto [first, last] = chunkRange(work.fleet, work.next++);
      if (first >= last) {
        break;
      }
      for (int i = first; i < last; ++i) {
        writer.write(work.fleet.devices[static_cast<std::size_t>(i)]);
      }
      buffers.flush(txn);
    }
    txn.commit();
    const std::lock_guard lock(work.mutex);
    for (const auto& [table, n] : buffers.rows) {
      work.rows[table] += n;
    }
  } catch (const std::exception& e) {
    const std::lock_guard lock(work.mutex);
    work.error = e.what();
  }
}

// The time series go in without their indexes, which are built again
// afterwards from the sorted rows: about half the time of keeping them up
// row by row. The definitions are read from the catalogue, so a migration
// that changes them is followed.
const char* const kBulkTables[] = {"meter_readings", "supply_levels", "status_history",
                                   "alert_history", "device_reads"};

struct IndexPlan {
  std::vector<std::string> drop;
  std::map<std::string, std::vector<std::string>> create;  // per table
};

IndexPlan planIndexes(pqxx::work& txn) {
  server::store::PgArray tables;
  for (const char* t : kBulkTables) {
    tables.add(std::string_view(t));
  }
  IndexPlan plan;
  for (const auto& row :
       txn.exec_params("SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                       "FROM pg_constraint c WHERE c.conrelid = ANY($1::regclass[]) AND c.contype "
                       "IN ('p', 'u') "
                       "AND c.conparentid = 0",
                       tables.str())) {
    const auto table = row[0].as<std::string>();
    const auto name = txn.quote_name(row[1].as<std::string>());
    plan.drop.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + name);
    plan.create[table].push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " +
                                 row[2].as<std::string>());
  }
  for (const auto& row :
       txn.exec_params("SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
                       "pg_get_indexdef(i.indexrelid) FROM pg_index i "
                       "WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS "
                       "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                       tables.str())) {
    plan.drop.push_back("DROP INDEX " + row[1].as<std::string>());
    // A partitioned table's index reads "ON ONLY t": made so it would cover
    // no partition. Made on the table, it covers them all again.
    std::string definition = row[2].as<std::string>();
    if (const auto only = definition.find(" ON ONLY "); only != std::string::npos) {
      definition.replace(only, 9, " ON ");
    }
    plan.create[row[0].as<std::string>()].push_back(definition);
  }
  return plan;
}

// One connection per table, as many at once as there are jobs.
void rebuildIndexes(const std::string& uri, const IndexPlan& plan, int jobs) {
  std::vector<std::pair<std::string, std::vector<std::string>>> work(plan.create.begin(),
                                                                     plan.create.end());
  // the largest first, so the others fill in beside it
  std::sort(work.begin(), work.end(), [](const auto& a, const auto& b) {
    return std::string_view(a.first) == "meter_readings" &&
           std::string_view(b.first) != "meter_readings";
  });
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::string error;
  auto run = [&] {
    try {
      pqxx::connection conn(uri);
      pqxx::nontransaction txn(conn);
      txn.exec("SET maintenance_work_mem = '256MB'");
      for (std::size_t i = next++; i < work.size(); i = next++) {
        for (const auto& sql : work[i].second) {
          txn.exec(sql);
        }
      }
    } catch (const std::exception& e) {
      const std::lock_guard lock(mutex);
      error = e.what();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < jobs; ++i) {
    threads.emplace_back(run);
  }
  for (auto& t : threads) {
    t.join();
  }
  if (!error.empty()) {
    throw std::runtime_error("rebuilding indexes: " + error);
  }
}

std::chrono::sys_days parseDay(const std::string& text) {
  const auto t = util::parseRfc3339(text + "T00:00:00Z");
  if (!t) {
    throw util::UsageError("--end: expected YYYY-MM-DD, got '" + text + "'");
  }
  return std::chrono::floor<std::chrono::days>(*t);
}

std::string dayText(std::chrono::sys_days day) {
  return util::formatRfc3339(day).substr(0, 10);
}

Ids reserveIds(pqxx::work& txn, const Fleet& fleet) {
  if (txn.exec("SELECT 1 FROM devices LIMIT 1").size() > 0) {
    throw std::runtime_error("the database has devices already; the fleet needs an empty one");
  }
  Ids ids;
  ids.rootId =
      txn.exec("SELECT id FROM organisations WHERE kind = 'root'")[0][0].as<std::int64_t>();
  ids.orgBase = txn.exec("SELECT max(id) + 1 FROM organisations")[0][0].as<std::int64_t>();
  ids.deviceBase = 1;
  (void)fleet;
  return ids;
}

void setSequences(pqxx::connection& conn) {
  pqxx::work txn(conn);
  txn.exec("SELECT setval('organisations_id_seq', (SELECT max(id) FROM organisations))");
  txn.exec("SELECT setval('devices_id_seq', (SELECT max(id) FROM devices))");
  txn.exec(
      "SELECT setval('ingest_batches_id_seq', greatest(1, (SELECT max(id) FROM ingest_batches)))");
  txn.commit();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<util::OptionSpec> specs = {
      {"seed", true, "N", "everything follows from it (default 1)"},
      {"dealers", true, "N", "default 10"},
      {"customers", true, "N", "default 1000, spread evenly over the dealers"},
      {"devices", true, "N", "default 100000, spread over each dealer's customers"},
      {"history-devices", true, "N", "the first N devices get daily history (default 10000)"},
      {"days", true, "N", "days of history (default 396, 13 months)"},
      {"end", true, "YYYY-MM-DD", "history ends the day before (default today, UTC)"},
      {"jobs", true, "N", "parallel connections (default 2)"},
  };
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = util::parseArgs(args, specs);
    const char* uri = std::getenv("LARGE_FLEET_DATABASE_URI");
    if (uri == nullptr) {
      throw util::UsageError("set LARGE_FLEET_DATABASE_URI");
    }
    FleetParams p;
    p.seed = static_cast<std::uint64_t>(parsed.intOr("seed", 1, 0, 1'000'000'000));
    p.dealers = static_cast<int>(parsed.intOr("dealers", 10, 1, 1000));
    p.customers = static_cast<int>(parsed.intOr("customers", 1000, 1, 100'000));
    p.devices = static_cast<int>(parsed.intOr("devices", 100'000, 1, 10'000'000));
    p.historyDevices = static_cast<int>(parsed.intOr("history-devices", 10'000, 0, 10'000'000));
    p.days = static_cast<int>(parsed.intOr("days", 396, 1, 3660));
    p.end = parsed.has("end")
                ? parseDay(*parsed.get("end"))
                : std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const int jobs = static_cast<int>(parsed.intOr("jobs", 2, 1, 32));

    const auto start = std::chrono::steady_clock::now();
    const Fleet fleet = planFleet(p);
    pqxx::connection conn(uri);
    Ids ids;
    BatchPlan plan;
    IndexPlan indexes;
    std::map<std::string, std::int16_t, std::less<>> counterIds;
    {
      pqxx::work txn(conn);
      ids = reserveIds(txn, fleet);
      const auto firstYear =
          static_cast<int>(std::chrono::year_month_day{p.end - std::chrono::days{p.days}}.year());
      const auto lastYear = static_cast<int>(std::chrono::year_month_day{p.end}.year());
      txn.exec("SELECT openmps_ensure_partitions(" + std::to_string(firstYear) + ", " +
               std::to_string(lastYear) + ")");
      for (const auto& row : txn.exec("SELECT id, name FROM counter_names")) {
        counterIds[row[1].as<std::string>()] = row[0].as<std::int16_t>();
      }
      const auto firstBatch =
          txn.exec("SELECT coalesce(max(id), 0) + 1 FROM ingest_batches")[0][0].as<std::int64_t>();
      std::vector<CollectorState> collectors;
      plan = planBatches(fleet, firstBatch, collectors);
      writeOrganisations(txn, fleet, ids);
      writeCollectors(txn, fleet, ids, collectors);
      writeDevices(txn, fleet, ids);
      server::store::copyText(txn, "ingest_batches",
                              {"id", "collector_id", "batch_seq", "digest", "carrier", "peer",
                               "items", "items_stored", "created_at", "received_at"},
                              plan.rows);
      indexes = planIndexes(txn);
      for (const auto& sql : indexes.drop) {
        txn.exec(sql);
      }
      txn.commit();
    }
    const double setupSeconds = secondsSince(start);
    Work work{fleet, ids, plan, counterIds, uri, {}, {}, {}, {}};
    std::vector<std::thread> threads;
    for (int i = 0; i < jobs; ++i) {
      threads.emplace_back(worker, std::ref(work));
    }
    for (auto& t : threads) {
      t.join();
    }
    if (!work.error.empty()) {
      throw std::runtime_error(work.error);
    }
    const double rowsSeconds = secondsSince(start) - setupSeconds;
    rebuildIndexes(uri, indexes, jobs);
    const double indexSeconds = secondsSince(start) - setupSeconds - rowsSeconds;
    setSequences(conn);
    {
      pqxx::nontransaction txn(conn);
      txn.exec("ANALYZE");
    }
    const double total = secondsSince(start);

    nlohmann::json summary;
    summary["seed"] = p.seed;
    summary["first_day"] = dayText(p.end - std::chrono::days{p.days});
    summary["end"] = dayText(p.end);
    summary["days"] = p.days;
    summary["customers"] = p.customers;
    summary["devices"] = p.devices;
    summary["history_devices"] = p.historyDevices;
    summary["device_ids"] = {ids.deviceId(0), ids.deviceId(p.devices - 1)};
    summary["history_device_ids"] =
        p.historyDevices > 0 ? nlohmann::json{ids.deviceId(0), ids.deviceId(p.historyDevices - 1)}
                             : nlohmann::json::array();
    nlohmann::json dealers = nlohmann::json::array();
    for (int d = 0; d < p.dealers; ++d) {
      int customers = 0;
      int devices = 0;
      int history = 0;
      for (const auto& c : fleet.customers) {
        if (c.dealer == d) {
          ++customers;
          devices += c.deviceCount;
          for (int k = 0; k < c.deviceCount; ++k) {
            history += fleet.devices[static_cast<std::size_t>(c.firstDevice + k)].history ? 1 : 0;
          }
        }
      }
      dealers.push_back({{"id", ids.dealerId(d)},
                         {"name", fleet.dealerNames[static_cast<std::size_t>(d)]},
                         {"customers", customers},
                         {"devices", devices},
                         {"history_devices", history}});
    }
    summary["dealers"] = dealers;
    work.rows["ingest_batches"] = plan.batches;
    work.rows["organisations"] = p.dealers + p.customers;
    work.rows["collectors"] = p.customers;
    work.rows["devices"] = p.devices;
    summary["rows"] = work.rows;
    summary["seconds"] = {{"setup", setupSeconds},
                          {"rows", rowsSeconds},
                          {"indexes", indexSeconds},
                          {"total", total}};
    std::cout << summary.dump(2) << "\n";
    return 0;
  } catch (const util::UsageError& e) {
    std::fprintf(stderr, "large_fleet_tool: %s\n%s", e.what(), util::formatOptions(specs).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "large_fleet_tool: %s\n", e.what());
    return 1;
  }
}
