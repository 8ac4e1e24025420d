#include <algorithm>
#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "server/store/fleet.hpp"
#include "shared/model/reading_json_value.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::store {
namespace {

using nlohmann::json;

// Stored JSON is ours, but a damaged row must not stop the listing.
json parseOr(const std::string& text, json fallback) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded() || value.type() != fallback.type() ||
      (value.is_object() && value.empty())) {
    return fallback;
  }
  return value;
}

json optionalTime(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? json(util::formatRfc3339(*t)) : json(nullptr);
}

json deviceToJson(const FleetDevice& d) {
  auto readAt = d.lastSeenAt;
  if (d.countersAt && *d.countersAt > readAt) {
    readAt = *d.countersAt;
  }
  if (d.statusAt && *d.statusAt > readAt) {
    readAt = *d.statusAt;
  }
  json out{{"kind", "meter"},
           {"read_at", util::formatRfc3339(readAt)},
           {"origin", json{{"client_id", std::to_string(d.collectorId)},
                           {"address", d.identity.ip},
                           {"pmd", d.pmd}}},
           {"identity", model::toJsonValue(d.identity)},
           {"counters", parseOr(d.countersJson, json::object())},
           {"supplies", parseOr(d.suppliesJson, json::array())},
           {"status", parseOr(d.statusJson, model::toJsonValue(model::Status{}))},
           {"capabilities", parseOr(d.capabilitiesJson, model::toJsonValue(model::Capabilities{}))},
           {"notes", json::array()},
           {"device", json{{"id", d.id},
                           {"customer", d.customer},
                           {"dealer", d.dealer},
                           {"collector_id", std::to_string(d.collectorId)},
                           {"first_seen_at", util::formatRfc3339(d.firstSeenAt)},
                           {"last_seen_at", util::formatRfc3339(d.lastSeenAt)},
                           {"counters_at", optionalTime(d.countersAt)},
                           {"status_at", optionalTime(d.statusAt)}}}};
  return out;
}

std::string clip(const std::string& text, std::size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 1) + "~";
}

// The count a dealer bills: pages for a printer, scans for a document
// scanner, which has no page counter.
std::string billedCount(const json& counters) {
  for (const char* name : {"total", "scan.total"}) {
    const auto it = counters.find(name);
    if (it != counters.end() && it->is_number_integer()) {
      return std::to_string(it->get<std::int64_t>());
    }
  }
  return "-";
}

}  // namespace

std::string fleetToJson(const Fleet& fleet) {
  json devices = json::array();
  for (const auto& d : fleet.devices) {
    devices.push_back(deviceToJson(d));
  }
  json scope{{"kind", fleet.scope.kind}};
  if (fleet.scope.kind != "all") {
    scope["name"] = fleet.scope.name;
  }
  const json doc{{"format", 1},
                 {"generated_at", util::formatRfc3339(fleet.generatedAt)},
                 {"scope", std::move(scope)},
                 {"count", fleet.devices.size()},
                 {"devices", std::move(devices)}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string fleetToText(const Fleet& fleet) {
  std::string out;
  std::array<char, 512> line{};
  std::snprintf(line.data(), line.size(), "%-16s %-16s %-24s %-16s %12s  %-10s %s\n", "CUSTOMER",
                "SERIAL", "MODEL", "ADDRESS", "TOTAL", "STATUS", "SUPPLIES");
  out += line.data();
  for (const auto& d : fleet.devices) {
    const json counters = parseOr(d.countersJson, json::object());
    const json supplies = parseOr(d.suppliesJson, json::array());
    const json status = parseOr(d.statusJson, json::object());
    const std::string total = billedCount(counters);
    std::string supplyText;
    for (const auto& s : supplies) {
      if (!supplyText.empty()) {
        supplyText += ", ";
      }
      std::string name = s.value("color", "");
      if (name.empty()) {
        name = s.value("type", "supply");
      }
      const auto& pct = s.contains("level_percent") ? s["level_percent"] : json(nullptr);
      supplyText += name + " " +
                    (pct.is_number_integer() ? std::to_string(pct.get<int>()) + "%"
                                             : s.value("state", "unknown"));
    }
    std::string state = status.value("printer_status", "");
    if (status.contains("errors") && status["errors"].is_array() && !status["errors"].empty()) {
      state += "!";
    }
    std::snprintf(line.data(), line.size(), "%-16s %-16s %-24s %-16s %12s  %-10s %s\n",
                  clip(d.customer, 16).c_str(), clip(d.identity.serial, 16).c_str(),
                  clip(d.identity.model, 24).c_str(), clip(d.identity.ip, 16).c_str(),
                  total.c_str(), clip(state, 10).c_str(), clip(supplyText, 200).c_str());
    out += line.data();
  }
  out += std::to_string(fleet.devices.size()) + " device(s)\n";
  return out;
}

}  // namespace openmps::server::store
