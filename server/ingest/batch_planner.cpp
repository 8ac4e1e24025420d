#include "server/ingest/batch_planner.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "server/events/conditions.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::ingest {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json percentOrNull(const std::optional<int>& p) {
  return p ? json(*p) : json();
}

// What the planner tracks per device while it walks the batch in time order.
struct Walk {
  const StoredDevice* stored = nullptr;
  bool isNew = false;
  bool touched = false;
  model::DeviceIdentity identity;
  model::Counters counters;
  std::optional<TimePoint> countersAt;
  bool countersChanged = false;
  std::optional<TimePoint> batchStatusAt;  // latest status item of this batch
  std::size_t statusItem = 0;
  TimePoint lastSeen{};
  std::optional<TimePoint> seenBefore;  // the latest reading known before this one
  // The latest status and supplies known (stored, then this batch's), and
  // when: readings older than that change no condition.
  std::optional<TimePoint> conditionsAt;
  std::vector<events::StatusCondition> conditions;
  std::vector<events::SupplyLevel> levels;
  json capabilities;
  bool moved = false;
};

class Planner {
 public:
  explicit Planner(const PlanInput& in) : in_(in), batch_(*in.batch) {}

  BatchPlan run() {
    start();
    for (const std::size_t i : itemsInTimeOrder()) {
      item(i);
    }
    finish();
    return std::move(plan_);
  }

 private:
  void event(std::int64_t device, TimePoint at, std::string_view kind, const json& detail) {
    plan_.events.push_back({device, at, std::string(kind), dump(detail)});
  }

  void start() {
    for (const auto& [id, stored] : *in_.devices) {
      Walk& w = walks_[id];
      w.stored = &stored;
      w.isNew = in_.newDevices.contains(id);
      w.identity = stored.device.identity;
      w.counters = stored.counters;
      w.countersAt = stored.countersAt;
      w.seenBefore = stored.lastSeen;
      w.conditionsAt = stored.statusAt;
      if (in_.options.detectEvents && stored.statusAt) {
        w.conditions = events::statusConditions(stored.status);
        w.levels = stored.levels;
      }
      if (!w.isNew && stored.collectorId != 0 && stored.collectorId != in_.collectorId) {
        w.moved = true;
      }
    }
    for (const auto& [id, nd] : in_.newDevices) {
      const auto& r = batch_.items[nd.item].reading;
      const auto& i = nd.identity;
      event(id, r.readAt, events::kNewDevice,
            json{{"serial", i.serial}, {"mac", i.mac}, {"ip", i.ip}, {"model", i.model}});
      if (nd.replaced) {
        event(id, r.readAt, events::kDeviceSwapped,
              json{{"previous_device", nd.replaced->id},
                   {"previous_serial", nd.replaced->identity.serial},
                   {"serial", i.serial},
                   {"address", i.ip}});
      }
    }
  }

  std::vector<std::size_t> itemsInTimeOrder() const {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < batch_.items.size(); ++i) {
      if (in_.newSeqs->contains(static_cast<std::int64_t>(batch_.items[i].seq))) {
        order.push_back(i);
      }
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return batch_.items[a].reading.readAt < batch_.items[b].reading.readAt;
    });
    return order;
  }

  void item(std::size_t i) {
    const auto& reading = batch_.items[i].reading;
    const std::int64_t id = in_.itemDevice[i];
    Walk& w = walks_.at(id);
    const bool detect = in_.options.detectEvents;
    if (detect && w.seenBefore && reading.readAt - *w.seenBefore >= in_.options.backAfter) {
      event(id, reading.readAt, events::kDeviceBack,
            json{{"silent_since", util::formatRfc3339(*w.seenBefore)},
                 {"hours",
                  std::chrono::duration_cast<std::chrono::hours>(reading.readAt - *w.seenBefore)
                      .count()}});
    }
    if (!w.seenBefore || reading.readAt > *w.seenBefore) w.seenBefore = reading.readAt;
    if (!w.touched || reading.readAt > w.lastSeen) w.lastSeen = reading.readAt;
    w.touched = true;
    identity(w, id, i);
    for (const auto& note : reading.notes) {
      event(id, reading.readAt, events::kNote, json{{"text", note}});
    }
    ItemRows rows{i, id, counters(w, id, reading)};
    for (const auto& s : reading.supplies) {
      if (!knows(*w.stored, s)) supplyInfo_[{id, s.index}] = &s;
    }
    if (detect && (!w.conditionsAt || reading.readAt >= *w.conditionsAt)) {
      status(w, id, reading);
      supplies(w, id, reading);
      w.conditionsAt = reading.readAt;
    }
    if (!w.batchStatusAt || reading.readAt >= *w.batchStatusAt) {
      w.batchStatusAt = reading.readAt;
      w.statusItem = i;
      if (reading.kind == model::ReadingKind::kMeter) {
        w.capabilities = model::toJsonValue(reading.capabilities);
      }
    }
    plan_.items.push_back(std::move(rows));
  }

  void identity(Walk& w, std::int64_t id, std::size_t i) {
    const auto& reading = batch_.items[i].reading;
    if (!w.isNew) {
      for (const auto& change : identityChanges(w.identity, in_.identities[i])) {
        event(id, reading.readAt, change.field + std::string(events::kChangedSuffix),
              json{{"before", change.before}, {"after", change.after}});
      }
    }
    w.identity = mergeIdentity(w.identity, in_.identities[i]);
  }

  std::vector<std::string> counters(Walk& w, std::int64_t id, const model::Reading& reading) {
    std::vector<std::string> flagged;
    if (reading.counters.empty()) return flagged;
    const bool inOrder = !w.countersAt || reading.readAt > *w.countersAt;
    if (!inOrder) return flagged;
    flagged = countersGoneBackwards(w.counters, reading.counters);
    for (const auto& name : flagged) {
      const auto before = w.counters[name];
      const auto after = reading.counters.at(name);
      event(id, reading.readAt,
            isCounterReset(before, after) ? events::kCounterReset : events::kCounterBackwards,
            json{{"counter", name}, {"before", before}, {"after", after}});
    }
    if (in_.options.detectEvents && w.countersAt) jump(w, id, reading);
    for (const auto& [name, value] : reading.counters) w.counters[name] = value;
    w.countersAt = reading.readAt;
    w.countersChanged = true;
    return flagged;
  }

  // More pages than any printer makes in the time since the previous read.
  void jump(const Walk& w, std::int64_t id, const model::Reading& reading) {
    const double minutes =
        std::chrono::duration<double, std::ratio<60>>(reading.readAt - *w.countersAt).count();
    const double allowed = in_.options.jumpPagesPerMinute * std::max(minutes, 1.0) + 50.0;
    json jumped = json::array();
    for (const auto& [name, value] : reading.counters) {
      const auto it = w.counters.find(name);
      if (it != w.counters.end() && static_cast<double>(value - it->second) > allowed) {
        jumped.push_back({{"counter", name}, {"before", it->second}, {"after", value}});
      }
    }
    if (!jumped.empty()) {
      event(id, reading.readAt, events::kCounterJump,
            json{{"counters", jumped},
                 {"minutes", static_cast<std::int64_t>(minutes)},
                 {"pages_per_minute", in_.options.jumpPagesPerMinute}});
    }
  }

  void status(Walk& w, std::int64_t id, const model::Reading& reading) {
    auto now = events::statusConditions(reading.status);
    for (const auto& c : now) {
      if (std::find(w.conditions.begin(), w.conditions.end(), c) == w.conditions.end()) {
        event(id, reading.readAt, events::kStatusRaised,
              json{{"condition", c.condition},
                   {"subject", c.subject},
                   {"severity", c.severity},
                   {"text", c.text}});
      }
    }
    for (const auto& c : w.conditions) {
      if (std::find(now.begin(), now.end(), c) == now.end()) {
        event(id, reading.readAt, events::kStatusCleared,
              json{{"condition", c.condition}, {"subject", c.subject}});
      }
    }
    w.conditions = std::move(now);
  }

  void supplies(Walk& w, std::int64_t id, const model::Reading& reading) {
    const auto& points = in_.options.supplyPoints;
    for (const auto& s : reading.supplies) {
      // Trays share index numbers with the supplies on some devices.
      if (events::isTray(s.type)) continue;
      auto prev = std::find_if(w.levels.begin(), w.levels.end(),
                               [&](const events::SupplyLevel& l) { return l.index == s.index; });
      const bool known = prev != w.levels.end();
      if (known && replaced(*prev, s)) {
        json detail = supplyDetail(s, &*prev);
        detail["serial_before"] = prev->serial;
        detail["serial"] = s.serial;
        event(id, reading.readAt, events::kSupplyReplaced, detail);
      } else {
        const auto bandNow = events::supplyBand(s.levelPercent, s.state, points);
        const auto bandBefore =
            known ? events::supplyBand(prev->percent, prev->state, points) : std::optional<int>(0);
        if (bandNow && bandBefore && *bandNow != *bandBefore) {
          event(id, reading.readAt, events::kSupplyLevel,
                supplyDetail(s, known ? &*prev : nullptr));
        }
      }
      if (!known) {
        w.levels.push_back({s.index, {}, {}, {}});
        prev = std::prev(w.levels.end());
      }
      prev->percent = s.levelPercent;
      prev->state = s.state;
      prev->serial = s.serial;
    }
  }

  // Built only for the rare reading that has an event.
  static json supplyDetail(const model::Supply& s, const events::SupplyLevel* prev) {
    return json{{"index", s.index},
                {"description", s.description},
                {"type", s.type},
                {"color", s.color},
                {"family", events::supplyFamily(s)},
                {"before", prev ? percentOrNull(prev->percent) : json()},
                {"after", percentOrNull(s.levelPercent)},
                {"state", model::toString(s.state)}};
  }

  bool replaced(const events::SupplyLevel& prev, const model::Supply& now) const {
    if (!prev.serial.empty() && !now.serial.empty() && prev.serial != now.serial) return true;
    return prev.percent && now.levelPercent &&
           *now.levelPercent - *prev.percent >= in_.options.replacedRise;
  }

  static bool knows(const StoredDevice& stored, const model::Supply& s) {
    const auto it = stored.described.find(s.index);
    if (it == stored.described.end()) return false;
    const auto& d = it->second;
    return d.description == s.description && d.type == s.type && d.color == s.color &&
           d.unit == s.unit && d.supplyClass == s.supplyClass && d.partNumber == s.partNumber &&
           d.serial == s.serial;
  }

  void finish() {
    for (const auto& [key, s] : supplyInfo_) plan_.supplies.push_back({key.first, s});
    std::vector<std::int64_t> ids;
    for (const auto& [id, w] : walks_) {
      if (w.touched) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    for (const auto id : ids) {
      const Walk& w = walks_.at(id);
      LatestState l;
      l.deviceId = id;
      if (w.countersChanged) {
        l.counters = w.counters;
        l.countersAt = *w.countersAt;
      }
      l.statusItem = w.statusItem;
      l.statusAt = *w.batchStatusAt;
      l.lastSeen = w.lastSeen;
      plan_.latest.push_back(std::move(l));
      if (w.moved) {
        event(id, w.lastSeen, events::kDeviceMoved,
              json{{"from_collector", w.stored->collectorId}, {"to_collector", in_.collectorId}});
      }
      device(w, id);
    }
  }

  void device(const Walk& w, std::int64_t id) {
    const bool capabilitiesChanged =
        !w.capabilities.is_null() &&
        json::parse(w.stored->capabilities, nullptr, false) != w.capabilities;
    if (w.identity == w.stored->device.identity && !capabilitiesChanged &&
        (w.isNew || w.stored->collectorId == in_.collectorId)) {
      return;  // most reads change nothing about the device itself
    }
    DeviceUpdate u{id, w.identity, std::nullopt};
    if (!w.capabilities.is_null()) u.capabilities = w.capabilities.dump();
    plan_.devices.push_back(std::move(u));
  }

  const PlanInput& in_;
  const envelope::Batch& batch_;
  std::unordered_map<std::int64_t, Walk> walks_;
  std::map<std::pair<std::int64_t, int>, const model::Supply*> supplyInfo_;
  BatchPlan plan_;
};

bool compatibleSerials(const std::string& a, const std::string& b) {
  return a.empty() || b.empty() || a == b;
}

}  // namespace

bool isCounterReset(std::int64_t before, std::int64_t after) {
  return after < before && after * 100 < before;
}

Resolution resolveBatch(std::span<const model::DeviceIdentity> identities,
                        std::span<const KnownDevice> candidates) {
  Resolution out;
  std::vector<KnownDevice> known(candidates.begin(), candidates.end());
  out.itemDevice.reserve(identities.size());
  for (std::size_t i = 0; i < identities.size(); ++i) {
    const auto& identity = identities[i];
    if (const auto id = resolveDevice(identity, known)) {
      out.itemDevice.push_back(*id);
      continue;
    }
    const auto placeholder = -static_cast<std::int64_t>(out.newDevices.size()) - 1;
    NewDevice nd{i, identity, std::nullopt};
    if (!identity.ip.empty() && !identity.serial.empty()) {
      const auto it = std::find_if(candidates.begin(), candidates.end(), [&](const KnownDevice& k) {
        return k.identity.ip == identity.ip &&
               !compatibleSerials(k.identity.serial, identity.serial);
      });
      if (it != candidates.end()) nd.replaced = *it;
    }
    out.newDevices.push_back(std::move(nd));
    known.push_back(KnownDevice{placeholder, identity});
    out.itemDevice.push_back(placeholder);
  }
  return out;
}

BatchPlan planBatch(const PlanInput& input) {
  return Planner(input).run();
}

}  // namespace openmps::server::ingest
